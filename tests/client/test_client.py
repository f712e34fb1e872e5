"""DevRevClient against the sandbox over loopback HTTP: endpoints, errors, retries, no dupes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_devrev.client import DevRevClient, RetryPolicy, Timeouts
from pulumi_devrev.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from pulumi_devrev.models import (
    CreateWebhookRequest,
    EventTypesUpdate,
    HeadersUpdate,
    UpdateAction,
    UpdateWebhookRequest,
    WebhookHeader,
    WebhookStatus,
)
from tests.support import OTHER_TOKEN, TOKEN, Clock, api_calls, closed_port_url

SECRET = "client-test-secret-1"
MISSING = "don:integration:dvrv-us-1:devo/0:webhook/doesnotexist"

# No jitter, so the waits the client asks for are exact: 0.05, 0.1, 0.2 s.
FAST = RetryPolicy(max_attempts=4, initial_wait=0.05, max_wait=0.2, jitter=0.0)


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for: it sleeps through ``sleeps.append``, so none is waited."""
    return []


@pytest.fixture
def client(sandbox: Any, control: Any, sleeps: list[float]) -> Iterator[DevRevClient]:
    with DevRevClient(TOKEN, sandbox.url, retry=FAST, sleep=sleeps.append) as c:
        yield c


def make(client: DevRevClient, **kw: Any) -> Any:
    request = CreateWebhookRequest(url=kw.pop("url", closed_port_url()), **kw)
    return client.create_webhook(request)


# -- every endpoint ---------------------------------------------------------------------------


def test_list_sends_the_status_filter_as_one_comma_joined_parameter() -> None:
    # The exact bytes on the wire; tests/sandbox/test_api.py shows the sandbox accepts them.
    sent: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.raw_path)
        return httpx.Response(200, json={"webhooks": []})

    with DevRevClient(TOKEN, "http://devrev.test", transport=httpx.MockTransport(answer)) as c:
        c.list_webhooks([WebhookStatus.ACTIVE, WebhookStatus.INACTIVE])
        c.list_webhooks(["unverified"])
        c.list_webhooks()
    assert sent == [
        b"/webhooks.list?status=active%2Cinactive",
        b"/webhooks.list?status=unverified",
        b"/webhooks.list",
    ]


def test_create_returns_the_webhook_with_a_generated_secret(
    client: DevRevClient, control: Any
) -> None:
    hook = make(
        client, event_types=["work_created"], headers=[WebhookHeader(name="X-Team", value="ops")]
    )
    assert hook.id.startswith("don:integration:")
    assert hook.status == WebhookStatus.UNVERIFIED
    assert 8 <= len(hook.secret.encode()) <= 32
    assert hook.event_types == ["work_created"]
    assert hook.header_map == {"X-Team": "ops"}
    [entry] = control.requests()
    assert (entry["method"], entry["path"], entry["status"], entry["auth"]) == (
        "POST",
        "/webhooks.create",
        201,
        "bearer",
    )
    assert entry["body"]["event_types"] == ["work_created"]


def test_get_list_update_delete(client: DevRevClient, control: Any) -> None:
    hook = make(client, secret=SECRET)
    got = client.get_webhook(hook.id)
    assert got is not None and got.id == hook.id and got.secret == SECRET
    assert [w.id for w in client.list_webhooks()] == [hook.id]
    assert client.list_webhooks([WebhookStatus.ACTIVE]) == []
    assert [w.id for w in client.list_webhooks(["unverified", "inactive"])] == [hook.id]

    updated = client.update_webhook(
        UpdateWebhookRequest(
            id=hook.id,
            action=UpdateAction.DEACTIVATE,
            event_types=EventTypesUpdate(add=["work_updated"]),
            headers=HeadersUpdate(set=[WebhookHeader(name="A", value="1")]),
        )
    )
    assert updated.status == WebhookStatus.INACTIVE
    assert updated.event_types == ["work_updated"]
    assert updated.header_map == {"A": "1"}

    assert client.delete_webhook(hook.id) is True
    assert client.delete_webhook(hook.id) is False  # already gone is not an error
    assert client.get_webhook(hook.id) is None  # 404 is "no webhook", not an exception
    assert api_calls(control.requests()) == [
        "/webhooks.create",
        "/webhooks.get",
        "/webhooks.list",
        "/webhooks.list",
        "/webhooks.list",
        "/webhooks.update",
        "/webhooks.delete",
        "/webhooks.delete",
        "/webhooks.get",
    ]
    # One parameter, comma-joined (the bytes on the wire: the first test of this file).
    list_queries = [e["query"] for e in control.requests("/webhooks.list")]
    assert list_queries == [{}, {"status": ["active"]}, {"status": ["unverified,inactive"]}]


# -- every error class ------------------------------------------------------------------------


def test_bad_request_is_one_line_with_devrevs_type_and_no_secret(client: DevRevClient) -> None:
    with pytest.raises(BadRequestError) as err:
        client.create_webhook(CreateWebhookRequest(url="https://h.example/x", secret="x" * 40))
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("webhooks.create failed: HTTP 400")
    assert err.value.type is not None and err.value.type in text
    assert "x" * 40 not in text


def test_update_of_a_missing_webhook_names_it(client: DevRevClient) -> None:
    with pytest.raises(NotFoundError) as err:
        client.update_webhook(UpdateWebhookRequest(id=MISSING, url="https://h.example/y"))
    assert str(err.value).startswith(f"webhooks.update of webhook {MISSING} failed: HTTP 404")


def test_wrong_token_is_an_authentication_error_without_the_token(
    sandbox: Any, control: Any
) -> None:
    with DevRevClient(OTHER_TOKEN, sandbox.url, retry=FAST) as bad:
        with pytest.raises(AuthenticationError) as err:
            bad.list_webhooks()
    assert "HTTP 401" in str(err.value)
    assert OTHER_TOKEN not in str(err.value) and TOKEN not in str(err.value)
    assert len(control.requests()) == 1  # 401 is not retried


def test_empty_token_is_refused_before_any_call() -> None:
    with pytest.raises(ConfigurationError, match="DEVREV_TOKEN"):
        DevRevClient("  ", "http://127.0.0.1:1")


def test_server_error_after_retries_carries_the_reference_id(
    client: DevRevClient, control: Any, sleeps: list[float]
) -> None:
    control.inject("/webhooks.list", status=500, count=10)
    with pytest.raises(ServerError) as err:
        client.list_webhooks()
    assert "HTTP 500" in str(err.value) and "reference id" in str(err.value)
    assert len(control.requests("/webhooks.list")) == FAST.max_attempts
    assert sleeps == [0.05, 0.1, 0.2]  # capped exponential backoff between the 4 attempts


def test_unreachable_devrev_is_a_transport_error(control: Any, sleeps: list[float]) -> None:
    api_url = closed_port_url().rsplit("/", 1)[0]
    with DevRevClient(TOKEN, api_url, retry=FAST, sleep=sleeps.append) as c:
        with pytest.raises(TransportError) as err:
            c.list_webhooks()
    assert "ConnectError" in str(err.value)
    assert f"after {FAST.max_attempts} attempt" in str(err.value)
    assert sleeps == [0.05, 0.1, 0.2]


# -- retries ----------------------------------------------------------------------------------


def test_429_honours_retry_after(client: DevRevClient, control: Any, sleeps: list[float]) -> None:
    control.inject("/webhooks.list", status=429, retry_after=1, count=1)
    assert client.list_webhooks() == []
    assert sleeps == [1.0]  # DevRev's Retry-After, not the backoff's 0.05 s
    assert [e["status"] for e in control.requests()] == [429, 200]


def test_429_past_the_deadline_fails_at_once(
    sandbox: Any, control: Any, sleeps: list[float]
) -> None:
    control.inject("/webhooks.list", status=429, retry_after=30, count=1)
    with DevRevClient(
        TOKEN, sandbox.url, retry=FAST, timeouts=Timeouts(deadline=5), sleep=sleeps.append
    ) as c:
        with pytest.raises(RateLimitError) as err:
            c.list_webhooks()
    assert sleeps == []  # a 30 s wait would end past the 5 s deadline: none is started
    assert err.value.retry_after == 30
    assert len(control.requests("/webhooks.list")) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_with_backoff(
    client: DevRevClient, control: Any, status: int, sleeps: list[float]
) -> None:
    control.inject("/webhooks.list", status=status, count=2)
    assert client.list_webhooks() == []
    assert sleeps == [FAST.initial_wait, 2 * FAST.initial_wait]
    assert [e["status"] for e in control.requests()] == [status, status, 200]


def test_400_is_not_retried(client: DevRevClient, control: Any) -> None:
    with pytest.raises(BadRequestError):
        client.get_webhook("not-an-id")
    assert len(control.requests()) == 1


@pytest.mark.parametrize("drop", ["before", "after"])
def test_dropped_connections_are_retried(
    client: DevRevClient, control: Any, drop: str, sleeps: list[float]
) -> None:
    hook = make(client)
    control.clear_requests()
    control.inject("/webhooks.get", drop=drop, count=2)
    got = client.get_webhook(hook.id)
    assert got is not None and got.id == hook.id
    assert [e["status"] for e in control.requests()] == ["dropped", "dropped", 200]
    assert sleeps == [0.05, 0.1]


def test_read_timeout_is_retried(sandbox: Any, control: Any, sleeps: list[float]) -> None:
    # A real read timeout over loopback: the sandbox answers after 1.5 s, the client waits 0.5 s.
    control.inject("/webhooks.list", delay=1.5, count=1)
    with DevRevClient(
        TOKEN, sandbox.url, retry=FAST, timeouts=Timeouts(read=0.5), sleep=sleeps.append
    ) as c:
        assert c.list_webhooks() == []
    assert len(control.requests("/webhooks.list")) == 2
    assert sleeps == [0.05]


def test_deadline_bounds_the_whole_operation(clock: Clock) -> None:
    # DevRev never answers: each request times out after its read timeout (on the fake clock).
    reads: list[float] = []

    def never(request: httpx.Request) -> httpx.Response:
        reads.append(round(request.extensions["timeout"]["read"], 6))
        clock.now += request.extensions["timeout"]["read"]
        raise httpx.ReadTimeout("no answer in time")

    with DevRevClient(
        TOKEN,
        "http://devrev.test",
        transport=httpx.MockTransport(never),
        retry=FAST,
        timeouts=Timeouts(read=1, deadline=2.5),
        sleep=clock.sleep,
    ) as c:
        with pytest.raises(TransportError) as err:
            c.list_webhooks()
    # 1 s, wait 0.05, 1 s, wait 0.1, then only the 0.35 s left; the next wait (0.2 s) would end
    # past the deadline, so the call gives up exactly at it.
    assert reads == [1.0, 1.0, 0.35]
    assert clock.sleeps == [0.05, 0.1]
    assert clock.now == pytest.approx(1000.0 + 2.5)
    assert "gave up after 3 attempt(s)" in str(err.value)


# -- create never duplicates ------------------------------------------------------------------


def test_create_refused_by_429_is_simply_retried(
    client: DevRevClient, control: Any, sleeps: list[float]
) -> None:
    control.inject("/webhooks.create", status=429, retry_after=1, count=1)
    make(client)
    assert api_calls(control.requests()) == ["/webhooks.create", "/webhooks.create"]
    assert sleeps == [1.0]
    assert len(client.list_webhooks()) == 1


def test_create_that_took_effect_but_lost_its_answer_is_found_not_repeated(
    client: DevRevClient, control: Any
) -> None:
    url = closed_port_url()
    control.inject("/webhooks.create", drop="after", count=1)
    hook = make(client, url=url, event_types=["work_created"])
    assert api_calls(control.requests()) == ["/webhooks.create", "/webhooks.list"]
    assert [e["query"] for e in control.requests("/webhooks.list")] == [{}]  # every webhook
    assert [w.id for w in client.list_webhooks()] == [hook.id]


def test_create_that_did_not_take_effect_is_sent_again(client: DevRevClient, control: Any) -> None:
    control.inject("/webhooks.create", drop="before", count=1)
    hook = make(client, secret=SECRET)
    assert api_calls(control.requests()) == [
        "/webhooks.create",
        "/webhooks.list",
        "/webhooks.create",
    ]
    assert [w.id for w in client.list_webhooks()] == [hook.id]


def test_create_after_a_5xx_checks_before_creating_again(
    client: DevRevClient, control: Any
) -> None:
    control.inject("/webhooks.create", status=503, count=1)
    make(client)
    assert api_calls(control.requests()) == [
        "/webhooks.create",
        "/webhooks.list",
        "/webhooks.create",
    ]
    assert len(client.list_webhooks()) == 1


def test_existing_lookalike_with_another_secret_is_not_mistaken(
    client: DevRevClient, control: Any
) -> None:
    url = closed_port_url()
    make(client, url=url, secret="another-secret-9")
    control.clear_requests()
    control.inject("/webhooks.create", drop="before", count=1)
    make(client, url=url, secret=SECRET)
    assert len(client.list_webhooks()) == 2


# -- concurrency ------------------------------------------------------------------------------


def test_one_client_serves_many_threads(client: DevRevClient, control: Any) -> None:
    errors: list[BaseException] = []
    made: list[str] = []

    def work() -> None:
        try:
            hook = make(client)
            assert client.get_webhook(hook.id) is not None
            made.append(hook.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(made)) == 8


def test_client_repr_and_errors_never_show_the_token(sandbox: Any) -> None:
    with DevRevClient(TOKEN, sandbox.url) as c:
        assert TOKEN not in repr(c)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            401, json={"type": "unauthenticated", "message": f"bad token {TOKEN}"}
        )
    )
    with DevRevClient(TOKEN, "http://127.0.0.1:9", transport=transport) as c:
        with pytest.raises(AuthenticationError) as err:
            c.list_webhooks()
    assert TOKEN not in str(err.value)


def test_shared_client_is_one_per_settings_so_connections_are_reused(sandbox: Any) -> None:
    from pulumi_devrev.client import shared_client
    from pulumi_devrev.settings import Settings

    first = shared_client(Settings(token=TOKEN, api_url=sandbox.url))
    assert shared_client(Settings(token=TOKEN, api_url=sandbox.url)) is first
    assert shared_client(Settings(token=OTHER_TOKEN, api_url=sandbox.url)) is not first
    assert first.timeouts.deadline == 120.0
