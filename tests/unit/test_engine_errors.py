"""How a provider error reads once the SDK's host has formatted it for the engine.

The host (``pulumi/dynamic/__main__.py``, ``_abort_with_traceback``) sends the engine
``traceback.format_exc()`` of whatever a provider method raised, and the engine puts the first
line of it on the resource's progress line. These tests format exactly that way.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pulumi_devrev import provider
from pulumi_devrev.client import DevRevClient, RetryPolicy
from pulumi_devrev.errors import AuthenticationError, DevRevError, ServerError
from pulumi_devrev.provider import (
    TRACEBACK_ENV,
    DevRevWebhookProvider,
    TracebackHidden,
    for_the_engine,
)

TOKEN = "tok-unit-must-not-leak-8d2f"
HOOK = "don:integration:dvrv-us-1:devo/0:webhook/abc"


def as_the_host_sends_it(call: Callable[[], Any]) -> str:
    """What ``_abort_with_traceback`` sends the engine when ``call`` raises."""
    try:
        call()
    except Exception:
        return traceback.format_exc()
    raise AssertionError("the call did not fail")


def answering(status: int, body: dict[str, Any]) -> DevRevClient:
    """A real client (retries, error mapping) whose DevRev always answers ``status``."""
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    return DevRevClient(
        TOKEN,
        "https://api.devrev.test",
        transport=transport,
        retry=RetryPolicy(max_attempts=2, initial_wait=0, jitter=0),
    )


@pytest.fixture
def unauthorized(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"type": "unauthenticated", "message": "the token is not valid"}
    monkeypatch.setattr(provider, "_client", lambda: answering(401, body))
    monkeypatch.delenv(TRACEBACK_ENV, raising=False)


MESSAGE = (
    f"webhooks.delete of webhook {HOOK} failed: HTTP 401 unauthenticated: the token is not valid"
)


@pytest.mark.usefixtures("unauthorized")
def test_the_first_line_is_the_one_line_message_and_the_internals_stay_out() -> None:
    text = as_the_host_sends_it(lambda: DevRevWebhookProvider().delete(HOOK, {}))

    first = text.split("\n", 1)[0]
    assert first == f"pulumi_devrev.errors.AuthenticationError: {MESSAGE}"
    # A few frames of the host and the provider, then how to get the rest.
    assert text.count('  File "') <= 3
    assert "client.py" not in text and "tenacity" not in text
    assert text.rstrip().endswith(
        f"TracebackHidden: set {TRACEBACK_ENV}=1 in the environment of `pulumi` to see the "
        "full traceback of the error above"
    )
    assert TOKEN not in text


@pytest.mark.usefixtures("unauthorized")
def test_the_detail_variable_gives_the_whole_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TRACEBACK_ENV, "1")
    text = as_the_host_sends_it(lambda: DevRevWebhookProvider().delete(HOOK, {}))

    assert text.startswith("Traceback (most recent call last):")
    assert "client.py" in text and "tenacity" in text
    assert text.rstrip().endswith(f"pulumi_devrev.errors.AuthenticationError: {MESSAGE}")
    assert "TracebackHidden" not in text and TOKEN not in text


def test_a_bug_keeps_its_whole_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> DevRevClient:
        clients: dict[str, DevRevClient] = {}
        return clients["no such key"]

    monkeypatch.setattr(provider, "_client", broken)
    monkeypatch.delenv(TRACEBACK_ENV, raising=False)
    text = as_the_host_sends_it(lambda: DevRevWebhookProvider().delete(HOOK, {}))

    assert text.startswith("Traceback (most recent call last):")
    assert "in broken" in text and text.rstrip().endswith("KeyError: 'no such key'")
    assert "TracebackHidden" not in text


@pytest.mark.parametrize("value", ["1", "true", "yes", "anything"])
def test_for_the_engine_returns_the_error_itself_when_detail_is_asked(value: str) -> None:
    err = DevRevError("webhooks.get failed")
    assert for_the_engine(err, {TRACEBACK_ENV: value}) is err


@pytest.mark.parametrize(
    "env", [{}, {TRACEBACK_ENV: ""}, {TRACEBACK_ENV: "0"}, {TRACEBACK_ENV: "False"}]
)
def test_for_the_engine_puts_a_bare_copy_of_the_error_first(env: dict[str, str]) -> None:
    try:
        try:
            raise ValueError("internal detail")
        except ValueError as inner:
            raise ServerError(
                "webhooks.create", 500, {"message": "boom", "reference_id": "ref-1"}
            ) from inner
    except ServerError as caught:
        err = caught

    shown = for_the_engine(err, env)

    assert isinstance(shown, TracebackHidden)
    summary = shown.__cause__
    assert type(summary) is ServerError and str(summary) == str(err)
    assert summary.__traceback__ is None
    assert summary.__cause__ is None and summary.__context__ is None
    assert shown.__suppress_context__
    assert err.__traceback__ is not None and err.__cause__ is not None  # err is left as it was


def test_a_copy_renders_as_one_line_for_every_kind_of_error() -> None:
    from pulumi_devrev.errors import TransportError

    for err in (
        AuthenticationError("webhooks.create", 401, {"message": "no"}),
        TransportError("webhooks.get", "ConnectError: refused", webhook=HOOK),
        DevRevError("adopt_id x: DevRev has no webhook with this id"),
    ):
        cause = for_the_engine(err, {}).__cause__
        assert cause is not None
        lines = traceback.format_exception(cause)
        assert lines == [f"{type(err).__module__}.{type(err).__qualname__}: {err}\n"]
