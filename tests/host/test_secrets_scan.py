"""Secrets scan: a whole lifecycle with marker values for every credential, faults and errors
provoked on the way, then every string pulumi-devrev let out is searched for the markers.

Markers: the token (the sandbox's, and a wrong one), the webhook secret, a url carrying
credentials three ways (``user:password@``, ``?token=``, ``#fragment``), a credential header
value, and an ``apiUrl`` with credentials. Places scanned: outputs as the CLI shows them (all
but ``secret``), the decoded ``__provider``, the provider hosts' stdout and stderr (with
DEBUG logging of ``pulumi_devrev*``, ``httpx`` and ``httpcore`` switched on in the host through
a ``sitecustomize``), the same DEBUG records of an in-process client (caplog), every check
failure and exception message provoked, and every repr/str of the models, ``Observed``,
``Settings`` and the client. Zero hits are allowed; each test also asserts how much it scanned,
so a scan that silently collected nothing fails too.

DevRev errors echoing the request are provoked with a stand-in DevRev that answers every call
with a 400 quoting the request's url, secret, header values and Authorization back in
``type``, ``field_name``, ``message``, ``detail``, ``value`` and ``reference_id`` (the sandbox
itself never quotes a value).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import textwrap
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import pulumi
import pytest

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.client import DevRevClient, RetryPolicy, Timeouts
from pulumi_devrev.errors import DevRevError
from pulumi_devrev.models import (
    CreateWebhookRequest,
    HeadersUpdate,
    UpdateWebhookRequest,
    WebhookHeader,
    validate_spec,
)
from pulumi_devrev.plan import Observed
from pulumi_devrev.sandbox import RunningSandbox, SandboxControl
from pulumi_devrev.settings import Settings
from pulumi_devrev.testing import (
    CheckFailed,
    Deployment,
    ProviderError,
    ProviderHost,
    Registration,
    capture_program,
)
from tests.support import TOKEN, Served, closed_port_url, read_body, serve_asgi

BAD_TOKEN = "MARK-badtoken-5e1c7a"
SECRET = "MARK-secret-9b2d4f"  # 18 bytes: a valid webhook secret
HEADER_VALUE = "MARK-header-3c8e1a"
NEW_HEADER_VALUE = "MARK-header-7f0b2d"
URL_USER = "MARK-user-4a7c"
URL_PASSWORD = "MARK-pass-8d2e"
URL_TOKEN = "MARK-query-1f6b"
URL_FRAGMENT = "MARK-frag-6e3a"
API_USER = "MARK-apiuser-2b9f"
API_PASSWORD = "MARK-apipass-7c4d"
API_TOKEN = "MARK-apiquery-5a1e"

MARKERS = {
    "token": TOKEN,
    "bad token": BAD_TOKEN,
    "secret": SECRET,
    "header value": HEADER_VALUE,
    "new header value": NEW_HEADER_VALUE,
    "url user": URL_USER,
    "url password": URL_PASSWORD,
    "url query token": URL_TOKEN,
    "url fragment": URL_FRAGMENT,
    "apiUrl user": API_USER,
    "apiUrl password": API_PASSWORD,
    "apiUrl query token": API_TOKEN,
}


def credential_url(base: str, path: str = "/hook", *, user_only: bool = False) -> str:
    """``base`` (``http://127.0.0.1:port``) with user info (``user:password`` or a user only,
    as tokens often are), a token query and a fragment."""
    host = base.removeprefix("http://").split("/")[0]
    userinfo = URL_USER if user_only else f"{URL_USER}:{URL_PASSWORD}"
    return f"http://{userinfo}@{host}{path}?token={URL_TOKEN}&team=ops#{URL_FRAGMENT}"


def credential_api_url(base: str) -> str:
    host = base.removeprefix("http://").split("/")[0]
    return f"http://{API_USER}:{API_PASSWORD}@{host}/?token={API_TOKEN}"


class Scan:
    """Texts collected per place; :meth:`hits` finds every marker in any of them."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, place: str, text: object) -> None:
        self.texts.append((place, text if isinstance(text, str) else repr(text)))

    def error(self, place: str, err: BaseException) -> None:
        self.add(f"{place}: str", str(err))
        self.add(f"{place}: repr", repr(err))
        for arg in err.args:
            self.add(f"{place}: args", str(arg))
        for attr in ("details", "detail", "body", "message", "message_text", "failures"):
            if getattr(err, attr, None) is not None:
                self.add(f"{place}: .{attr}", str(getattr(err, attr)))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for place, _ in self.texts:
            kind = place.split(":")[0]
            out[kind] = out.get(kind, 0) + 1
        return out

    def hits(self) -> list[str]:
        return [
            f"{name} in {place}: ...{text[max(0, at - 60) : at + 40]}..."
            for place, text in self.texts
            for name, marker in MARKERS.items()
            for at in [text.find(marker)]
            if at >= 0
        ]


# -- a DevRev that quotes the request back in every field of its error -----------------------


async def echoing_devrev(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = await read_body(receive)
    try:
        sent = json.loads(body) if body else {}
    except ValueError:
        sent = {}
    query = dict(parse_qsl(scope.get("query_string", b"").decode()))
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    headers_sent = sent.get("headers")
    if isinstance(headers_sent, dict):  # an update: {"set": [...]} or {"add": [...]}
        headers_sent = [*headers_sent.get("set", []), *headers_sent.get("add", [])]
    values = [str(h.get("value")) for h in headers_sent or [] if isinstance(h, dict)]
    quoted = " ".join(
        [str(sent.get("url", "")), str(sent.get("secret", "")), *values, *query.values()]
    )
    answer = {
        "type": f"invalid_field {sent.get('url', '')}",
        "field_name": f"url {sent.get('url', '')}",
        "message": f"refused {quoted} (auth: {headers.get('authorization', '')})",
        "detail": f"sent {json.dumps(sent)}",
        "value": sent.get("url", quoted),
        "reference_id": f"ref {quoted}",
    }
    payload = json.dumps(answer).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload})


@pytest.fixture(scope="module")
def echoing() -> Iterator[Served]:
    served = serve_asgi(echoing_devrev)
    yield served
    served.stop()


@pytest.fixture(scope="module")
def debug_logging(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for a provider host that writes every DEBUG record of pulumi_devrev*,
    httpx and httpcore to its stderr (a ``sitecustomize`` on ``PYTHONPATH``)."""
    folder = tmp_path_factory.mktemp("debug-logging")
    (folder / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import logging, sys

            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("LOG %(name)s %(levelname)s %(message)s"))
            for name in ("pulumi_devrev", "httpx", "httpcore"):
                logger = logging.getLogger(name)
                logger.addHandler(handler)
                logger.setLevel(logging.DEBUG)
            # The provider sets its client's logger to INFO at configure: keep DEBUG.
            client = logging.getLogger("pulumi_devrev.client")
            client.setLevel(logging.DEBUG)
            client.setLevel = lambda level: None
            """
        )
    )
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def program(header_value: str = HEADER_VALUE, **props: Any) -> Registration:
    """The webhook, its credential header passed as a secret (as the README says to)."""

    def declare() -> None:
        DevRevWebhook("hook", headers=pulumi.Output.secret({"X-Auth": header_value}), **props)

    [reg] = capture_program(declare)
    return reg


def scan_state(scan: Scan, place: str, deployment: Deployment) -> None:
    shown = deployment.shown_outputs()
    for key, value in shown.items():
        if key != "secret":
            scan.add(f"outputs: {place} {key}", json.dumps(value))
    blob = deployment.outputs.get("__provider")
    if blob:
        scan.add(f"__provider: {place}", base64.b64decode(blob).decode("latin-1"))


def scan_log(scan: Scan, caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        scan.add(f"log record: {record.name}", record.getMessage())
        if record.exc_info:
            scan.add(f"log record: {record.name} exc", logging.Formatter().format(record))


def client_or_refusal(scan: Scan, api_url: str, **options: Any) -> DevRevClient | None:
    """A client for ``api_url``, or ``None`` once the refusal (an apiUrl with credentials may
    be refused up front) is scanned."""
    try:
        return DevRevClient(TOKEN, api_url, **options)
    except DevRevError as err:
        scan.error("exception: client refused", err)
        return None


def provoke(scan: Scan, place: str, call: Any, *args: Any) -> None:
    """Run ``call``, which must fail, and scan what it raised."""
    with pytest.raises((ProviderError, CheckFailed, DevRevError)) as raised:
        call(*args)
    scan.error(f"exception: {place}", raised.value)


# -- through the provider host ----------------------------------------------------------------


def test_a_lifecycle_through_the_host_shows_no_secret(
    sandbox: RunningSandbox,
    control: SandboxControl,
    debug_logging: dict[str, str],
) -> None:
    scan = Scan()
    config = {"devrev:token": TOKEN, "devrev:apiUrl": sandbox.url, "devrev:operationTimeout": "5"}
    hosts: dict[str, ProviderHost] = {}
    try:
        for name, overrides in {
            "main": {},
            "bad token": {"devrev:token": BAD_TOKEN},
            "apiUrl with credentials": {"devrev:apiUrl": credential_api_url(closed_port_url())},
        }.items():
            hosts[name] = ProviderHost(env=debug_logging)
            hosts[name].configure({**config, **overrides})
        host = hosts["main"]

        url = credential_url(closed_port_url())
        props: dict[str, Any] = {
            "url": url,
            "secret": SECRET,
            "event_types": ["work_created"],
        }
        reg = program(**props)
        deployment = Deployment(host)
        steps = [deployment.preview(reg)]

        # create: answered 503 once (retried, the lost answer matched by its secret)
        control.inject("/webhooks.create", status=503)
        steps.append(deployment.up(reg))
        assert deployment.id
        scan_state(scan, "create", deployment)
        steps.append(deployment.preview(reg))

        # refresh: the connection dropped after DevRev answered, once
        control.inject("/webhooks.get", drop="after")
        steps.append(deployment.refresh())
        scan_state(scan, "refresh", deployment)

        # update of url and header value: 500 once, then a dropped connection before
        moved = program(
            **{**props, "url": credential_url(closed_port_url(), "/moved", user_only=True)},
            header_value=NEW_HEADER_VALUE,
        )
        control.inject("/webhooks.update", status=500)
        control.inject("/webhooks.update", drop="before")
        steps.append(deployment.preview(moved))
        steps.append(deployment.up(moved))
        scan_state(scan, "update", deployment)

        # failures: 503 beyond the deadline, dropped connections beyond it, a bad url
        back = program(**props)
        control.inject("/webhooks.update", status=503, count=100)
        provoke(scan, "update answered 503", deployment.up, back)
        control.clear_faults()
        control.inject("/webhooks.update", drop="before", count=100)
        provoke(scan, "update dropped", deployment.up, back)
        control.clear_faults()
        port_zero = credential_url("http://127.0.0.1:0")
        provoke(scan, "check of a bad url", deployment.up, program(**{**props, "url": port_zero}))
        steps.append(deployment.up(back))
        scan_state(scan, "update back", deployment)

        # the other hosts: a wrong token, an apiUrl with credentials
        for name in ("bad token", "apiUrl with credentials"):
            provoke(scan, f"create, {name}", Deployment(hosts[name]).up, reg)

        control.inject("/webhooks.delete", status=500)
        steps.append(deployment.destroy())
    finally:
        for name, started in hosts.items():
            for line in started.output():
                scan.add(f"host output: {name}", line)
            started.close()
    for step in steps:
        for line in step.output:
            scan.add("progress line", line)

    counts = scan.counts()
    logged = [text for place, text in scan.texts if place.startswith("host output")]
    # The scan saw what it is about: DEBUG records of all three loggers, retries, errors.
    assert any("LOG httpcore" in t for t in logged) and any("LOG httpx" in t for t in logged)
    assert any("LOG pulumi_devrev.client DEBUG" in t for t in logged)
    assert any("retrying" in t for place, t in scan.texts if place == "progress line")
    assert counts["exception"] >= 6 * 3 and counts["outputs"] >= 20 and counts["__provider"] == 4
    hits = scan.hits()
    assert not hits, f"{len(hits)} hit(s):\n" + "\n".join(hits)


# -- in process: the client, its log records, its errors, every repr --------------------------


def test_the_client_its_log_records_errors_and_reprs_show_no_secret(
    sandbox: RunningSandbox,
    control: SandboxControl,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scan = Scan()
    for name in ("pulumi_devrev", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    fast = {
        "timeouts": Timeouts(deadline=3),
        "retry": RetryPolicy(initial_wait=0.05, max_wait=0.2),
    }
    url = credential_url(closed_port_url())
    header = WebhookHeader(name="X-Auth", value=HEADER_VALUE)
    create = CreateWebhookRequest(
        url=url, secret=SECRET, event_types=["work_created"], headers=[header]
    )

    def attempt(place: str, call: Any, *args: Any) -> None:
        with pytest.raises(DevRevError) as raised:
            call(*args)
        scan.error(f"exception: {place}", raised.value)

    with DevRevClient(TOKEN, sandbox.url, **fast) as client:  # type: ignore[arg-type]
        control.inject("/webhooks.create", status=500)
        hook = client.create_webhook(create)
        update = UpdateWebhookRequest(
            id=hook.id,
            url=credential_url(closed_port_url(), "/moved", user_only=True),
            headers=HeadersUpdate(set=[WebhookHeader(name="X-Auth", value=NEW_HEADER_VALUE)]),
        )
        control.inject("/webhooks.update", drop="before")
        moved = client.update_webhook(update)
        control.inject("/webhooks.get", status=503, retry_after=0)
        got = client.get_webhook(hook.id)
        listed = client.list_webhooks()
        control.inject("/webhooks.update", status=503, count=100)
        attempt("update answered 503", client.update_webhook, update)
        control.clear_faults()
        control.inject("/webhooks.get", drop="after", count=100)
        attempt("get dropped", client.get_webhook, hook.id)
        control.clear_faults()
        spec, _ = validate_spec({"url": url, "secret": SECRET, "headers": {"X-Auth": HEADER_VALUE}})
        objects: list[object] = [
            client,
            create,
            update,
            header,
            hook,
            moved,
            got,
            *listed,
            spec,
            Observed.from_webhook(hook),
            Observed.from_outputs({"url": url, "secret": SECRET, "headers": {"X": HEADER_VALUE}}),
            Settings(token=TOKEN, api_url=credential_api_url(sandbox.url)),
        ]
        for obj in objects:
            scan.add("repr", repr(obj))
            scan.add("repr: str", str(obj))
        client.delete_webhook(hook.id)

    with DevRevClient(BAD_TOKEN, sandbox.url, **fast) as client:  # type: ignore[arg-type]
        attempt("create, bad token", client.create_webhook, create)
    refused = client_or_refusal(scan, credential_api_url(closed_port_url()), **fast)
    if refused is not None:
        with refused as client:
            scan.add("repr: client with apiUrl credentials", repr(client))
            attempt("create, apiUrl with credentials", client.create_webhook, create)
            attempt("list, apiUrl with credentials", client.list_webhooks)
    scan_log(scan, caplog)
    names = {record.name.split(".")[0] for record in caplog.records}
    assert names >= {"pulumi_devrev", "httpx", "httpcore"}
    assert any(
        r.levelno == logging.DEBUG and r.name == "pulumi_devrev.client" for r in caplog.records
    )
    assert scan.counts()["exception"] >= 5 * 3 and scan.counts()["repr"] >= 12
    hits = scan.hits()
    assert not hits, f"{len(hits)} hit(s):\n" + "\n".join(hits)


# -- DevRev quoting the request back ---------------------------------------------------------


def test_devrev_quoting_the_request_back_shows_no_secret(
    sandbox: RunningSandbox,
    echoing: Served,
    debug_logging: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    scan = Scan()
    for name in ("pulumi_devrev", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    url = credential_url(closed_port_url())
    reg = program(url=url, secret=SECRET, event_types=["work_created"])
    moved = program(
        header_value=NEW_HEADER_VALUE,
        url=credential_url(closed_port_url(), "/moved", user_only=True),
        secret=SECRET,
        event_types=["work_created"],
    )
    with ProviderHost(env=debug_logging) as host:
        host.configure({"devrev:token": TOKEN, "devrev:apiUrl": echoing.url})
        deployment = Deployment(host)
        provoke(scan, "create, through the host", deployment.up, reg)
        # As if it had been created: the update is answered by the echo too.
        deployment.id, deployment.inputs = "don:x", reg.inputs
        deployment.outputs = {"url": url, "secret": SECRET, "headers": {"X-Auth": HEADER_VALUE}}
        provoke(scan, "update, through the host", deployment.up, moved)
        for line in host.output():
            scan.add("host output: echoing DevRev", line)

    fast = {"timeouts": Timeouts(deadline=3), "retry": RetryPolicy(initial_wait=0.05)}
    header = WebhookHeader(name="X-Auth", value=HEADER_VALUE)
    create = CreateWebhookRequest(url=url, secret=SECRET, headers=[header])
    update = UpdateWebhookRequest(
        id="don:x",
        url=url,
        secret=SECRET,
        headers=HeadersUpdate(add=[WebhookHeader(name="X-Auth", value=NEW_HEADER_VALUE)]),
    )
    for api_url in (echoing.url, credential_api_url(echoing.url)):
        made = client_or_refusal(scan, api_url, **fast)
        if made is None:
            continue
        with made as client:
            calls: list[tuple[str, Callable[[Any], object], object]] = [
                ("create", client.create_webhook, create),
                ("update", client.update_webhook, update),
                ("get", client.get_webhook, "don:x"),
                ("delete", client.delete_webhook, "don:x"),
            ]
            for place, call, arg in calls:
                with pytest.raises(DevRevError) as raised:
                    call(arg)
                scan.error(f"exception: {place}, in process", raised.value)
    scan_log(scan, caplog)

    assert scan.counts()["exception"] >= 10 * 3
    assert any("LOG httpx" in text for _, text in scan.texts)
    hits = scan.hits()
    assert not hits, f"{len(hits)} hit(s):\n" + "\n".join(hits)
