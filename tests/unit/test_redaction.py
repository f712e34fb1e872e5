"""Redaction by construction: every string pulumi-devrev builds (error messages, reprs, log
lines) is made of redacted values. Each case here pins one way a redaction could go wrong
(a mutant of redaction.py or errors.py that printed a credential survives none of them)."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from pulumi_devrev.errors import (
    BadRequestError,
    ConfigurationError,
    DevRevAPIError,
    DevRevError,
    TransportError,
    error_class_for,
)
from pulumi_devrev.models import (
    CreateWebhookRequest,
    EventTypesUpdate,
    HeadersUpdate,
    UpdateWebhookRequest,
    Webhook,
    WebhookHeader,
    validate_spec,
)
from pulumi_devrev.plan import Observed
from pulumi_devrev.redaction import (
    MIN_SECRET,
    carries_credentials,
    redact,
    redact_url,
    redact_urls_in,
    request_secrets,
    url_secrets,
)
from pulumi_devrev.settings import Settings

USER = "MARKuser7q"
PASSWORD = "MARKpass9z"
QUERY_TOKEN = "MARKquery4k"
FRAGMENT = "MARKfrag2w"
SECRET = "MARKsecret-5h8"
HEADER_VALUE = "MARKheader-3j6"
URL = f"https://{USER}:{PASSWORD}@hooks.example.com:8443/devrev?token={QUERY_TOKEN}#{FRAGMENT}"
MARKERS = (USER, PASSWORD, QUERY_TOKEN, FRAGMENT, SECRET, HEADER_VALUE)


def leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


# -- redact_url ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "https://***@hooks.example.com:8443/devrev?***#***"),
        # User only, password only: either one alone is a credential.
        (f"https://{USER}@h.example/x", "https://***@h.example/x"),
        (f"https://:{PASSWORD}@h.example/x", "https://***@h.example/x"),
        (f"https://{USER}:@h.example/x", "https://***@h.example/x"),
        # Query only, fragment only.
        (f"https://h.example/x?token={QUERY_TOKEN}", "https://h.example/x?***"),
        (f"https://h.example/x#{FRAGMENT}", "https://h.example/x#***"),
        (f"https://h.example#{FRAGMENT}", "https://h.example#***"),
        # Nothing to hide: kept as given (the port too).
        ("http://127.0.0.1:9000/hook", "http://127.0.0.1:9000/hook"),
        ("https://h.example/a/b", "https://h.example/a/b"),
        ("https://h.example/x?", "https://h.example/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        (f"http://{USER}@[::1]/x?t={QUERY_TOKEN}", "http://***@[::1]/x?***"),
        # An @ in the path is no user info.
        ("https://h.example/a@b", "https://h.example/a@b"),
        # Hostless: a scheme without a host, a host without a scheme, a path.
        (f"https://{USER}:{PASSWORD}@/x", "***@/x"),
        (f"//{USER}:{PASSWORD}@h.example/x", "***@h.example/x"),
        (f"{USER}:{PASSWORD}@h.example/x", "***@h.example/x"),
        (f"{USER}@h.example", "***@h.example"),
        (f"{USER}@{PASSWORD}@h.example/x", "***@h.example/x"),
        (f"/devrev?token={QUERY_TOKEN}#{FRAGMENT}", "/devrev?***#***"),
        (f"/devrev#{FRAGMENT}", "/devrev#***"),
        ("/devrev?", "/devrev?"),
        ("/devrev", "/devrev"),
        ("not a url", "not a url"),
        ("", ""),
        # What urlsplit refuses is not shown at all.
        (f"http://[::1/{PASSWORD}", "<unparseable url>"),
        (f"https://{USER}:{PASSWORD}@h.example:port/x", "<unparseable url>"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert not leaks(redact_url(url))


def test_redact_url_is_idempotent() -> None:
    once = redact_url(URL)
    assert redact_url(once) == once


@pytest.mark.parametrize(
    ("url", "credentials"),
    [
        (f"https://{USER}@h.example/", True),
        (f"https://:{PASSWORD}@h.example/", True),
        (f"https://h.example/?t={QUERY_TOKEN}", True),
        ("https://h.example/x", False),
        ("http://[::1", False),
    ],
)
def test_carries_credentials(url: str, credentials: bool) -> None:
    assert carries_credentials(url) is credentials


# -- redact ----------------------------------------------------------------------------------


def test_redact_masks_every_occurrence() -> None:
    assert redact(f"{SECRET} and {SECRET}", [SECRET]) == "*** and ***"
    assert redact(f"a{SECRET}b", [SECRET], mask="<x>") == "a<x>b"


@pytest.mark.parametrize("order", list(itertools.permutations(["abcd", "abcdefgh", "efghijkl"])))
def test_redact_nested_and_overlapping_in_any_order(order: tuple[str, ...]) -> None:
    # "abcd" inside "abcdefgh", "efgh" shared by two: one mask, no piece left.
    assert redact("<abcdefghijkl> <abcd>", order) == "<***> <***>"


def test_redact_overlapping_occurrences_of_one_secret() -> None:
    assert redact("xaaaaaay", ["aaaa"]) == "x***y"


def test_redact_leaves_short_values_alone() -> None:
    short = "x" * (MIN_SECRET - 1)
    assert MIN_SECRET == 4
    assert redact("on xxx", ["on", short, "", None]) == "on xxx"  # type: ignore[list-item]
    assert redact("abcd", ["abcd"]) == "***"
    assert redact("nothing here", [SECRET]) == "nothing here"


# -- URLs in free text and what a request makes secret --------------------------------------


def test_redact_urls_in_text() -> None:
    text = f'tried {URL} then "http://{USER}@b.example/y", and http://plain.example/z.'
    shown = redact_urls_in(text)
    assert shown == (
        "tried https://***@hooks.example.com:8443/devrev?***#*** then "
        '"http://***@b.example/y", and http://plain.example/z.'
    )
    assert redact_urls_in("no url here: a://") == "no url here: a://"


def test_url_secrets_cover_every_credential_part_also_decoded() -> None:
    found = url_secrets(f"https://{USER}%40x:{PASSWORD}@h.example/p?a={QUERY_TOKEN}&b=2#{FRAGMENT}")
    for part in (f"{USER}%40x", f"{USER}@x", PASSWORD, QUERY_TOKEN, FRAGMENT):
        assert part in found
    assert "h.example" not in found and "/p" not in found
    assert url_secrets("https://h.example/p") == []


def test_request_secrets_of_create_and_update_bodies() -> None:
    create = {
        "url": URL,
        "secret": SECRET,
        "event_types": ["work_created"],
        "headers": [{"name": "X-Token", "value": HEADER_VALUE}],
    }
    update = {"id": "don:x", "headers": {"set": [{"name": "X-Token", "value": HEADER_VALUE}]}}
    for body in (create, update):
        found = request_secrets(body)
        assert HEADER_VALUE in found
        assert "X-Token" not in found and "work_created" not in found and "don:x" not in found
    assert {USER, PASSWORD, QUERY_TOKEN, FRAGMENT, SECRET} <= set(request_secrets(create))
    assert request_secrets(None) == []


# -- errors ----------------------------------------------------------------------------------


def echoing_error(body: dict[str, str] | None = None, **fields: str) -> DevRevAPIError:
    request = {"url": URL, "secret": SECRET, "headers": [{"name": "X-A", "value": HEADER_VALUE}]}
    return error_class_for(400)(
        "webhooks.create",
        400,
        {**(body or {}), **fields},
        request=request,
        redactions=["MARKtoken-1x"],
    )


@pytest.mark.parametrize(
    "field", ["type", "field_name", "message", "detail", "reference_id", "value"]
)
@pytest.mark.parametrize(
    "echoed",
    [URL, f"url {URL} refused", SECRET, HEADER_VALUE, PASSWORD, f"{USER}:{PASSWORD}", QUERY_TOKEN],
)
def test_api_error_redacts_every_echoed_field(field: str, echoed: str) -> None:
    err = echoing_error({"message": "refused", field: echoed})
    for text in (str(err), repr(err), *map(str, err.args), repr(err.body)):
        assert not leaks(text), text
    for attr in (err.type, err.field_name, err.message_text, err.detail, err.reference_id):
        assert not leaks(attr or "")


def test_api_error_shows_an_echoed_url_redacted_and_still_names_the_field() -> None:
    err = echoing_error(
        type="invalid_field", field_name="url", message=f"{URL} is not reachable", value=URL
    )
    assert str(err) == (
        "webhooks.create failed: HTTP 400 invalid_field (field url): "
        "https://***@hooks.example.com:8443/devrev?***#*** is not reachable"
    )
    assert isinstance(err, BadRequestError)


def test_api_error_redacts_before_it_cuts() -> None:
    # A secret across the cut of a long message: no prefix of it may remain.
    err = echoing_error(message="x" * 290 + SECRET + "y" * 50)
    assert "MARK" not in str(err) and "MARK" not in (err.message_text or "")


def test_api_error_redacts_the_given_redactions_and_any_url_without_a_request() -> None:
    err = DevRevAPIError(
        "webhooks.get",
        401,
        {"message": f"token MARKtoken-1x refused at http://{USER}:{PASSWORD}@api.example/x"},
        redactions=["MARKtoken-1x"],
    )
    assert str(err) == (
        "webhooks.get failed: HTTP 401: token *** refused at http://***@api.example/x"
    )
    assert not leaks(repr(err.body)) and not leaks(err.message_text or "")


def test_transport_error_and_any_error_hide_url_credentials() -> None:
    err = TransportError("webhooks.list", f"ConnectError: refused ({URL})")
    assert not leaks(str(err)) and not leaks(err.detail)
    assert "https://***@hooks.example.com:8443/devrev" in str(err)
    for made in (DevRevError(f"at {URL}"), ConfigurationError(f"bad {URL}")):
        assert not leaks(str(made)) and not leaks(repr(made))


# -- reprs -----------------------------------------------------------------------------------


def test_model_and_observed_reprs_show_no_credential() -> None:
    header = WebhookHeader(name="X-A", value=HEADER_VALUE)
    hook = Webhook.model_validate(
        {
            "id": "don:x",
            "url": URL,
            "status": "active",
            "secret": SECRET,
            "headers": [{"name": "X-A", "value": HEADER_VALUE}],
        }
    )
    spec, failures = validate_spec({"url": URL, "secret": SECRET, "headers": {"X-A": HEADER_VALUE}})
    assert spec is not None and failures == []
    objects: list[object] = [
        header,
        hook,
        spec,
        CreateWebhookRequest(url=URL, secret=SECRET, headers=[header]),
        UpdateWebhookRequest(
            id="don:x",
            url=URL,
            secret=SECRET,
            event_types=EventTypesUpdate(set=["work_created"]),
            headers=HeadersUpdate(set=[header]),
        ),
        HeadersUpdate(add=[header]),
        Observed.from_webhook(hook),
        Observed.from_outputs({"url": URL, "secret": SECRET, "headers": {"X-A": HEADER_VALUE}}),
        Settings(token=SECRET, api_url=URL),
    ]
    for obj in objects:
        for text in (repr(obj), str(obj)):
            assert not leaks(text), text
    # Still useful: the redacted url and the header names are shown.
    request = CreateWebhookRequest(url=URL, headers=[header])
    assert "https://***@hooks.example.com:8443/devrev?***#***" in repr(request)
    assert "X-A" in repr(request)
    assert "hooks.example.com" in repr(Observed.from_webhook(hook))
    assert "X-A" in repr(spec)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # The transport error's "(api url)": the parenthesis is the text's, not the URL's.
        ("no (http://127.0.0.1:51347) (gave up)", "no (http://127.0.0.1:51347) (gave up)"),
        ("x (http://u:p@h/a(b)?t=1) y", "x (http://***@h/a(b)?***) y"),
        ("see http://h/p?token=abc)", "see http://h/p?***)"),
    ],
)
def test_urls_in_text_keep_the_parentheses_around_them(text: str, shown: str) -> None:
    assert redact_urls_in(text) == shown


def test_redaction_and_the_errors_load_only_the_standard_library() -> None:
    # The provider answers `check` at preview with them, where httpx and pydantic must not load.
    code = (
        "import sys; before = set(sys.modules); "
        "import pulumi_devrev.redaction, pulumi_devrev.errors; "
        "loaded = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(loaded - set(sys.stdlib_module_names) - {'pulumi_devrev'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
