"""The verification wait, on a fake clock: when it polls, what it reports, how it ends.

No sandbox and no real time: ``wait_until_active`` takes ``sleep`` and ``clock``, and a fake
client answers ``get_webhook`` with a scripted list of statuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import pytest

from pulumi_devrev.client import DevRevClient
from pulumi_devrev.errors import DevRevError, VerificationTimeout
from pulumi_devrev.models import Webhook
from pulumi_devrev.verification import POLL_INTERVALS, wait_until_active
from tests.support import Clock

HOOK_ID = "don:integration:dvrv-us-1:devo/0:webhook/abc"
URL = "https://user:pa55word@hooks.example.com/devrev?token=tok-123"


def hook(status: str) -> Webhook:
    return Webhook(id=HOOK_ID, url=URL, status=status, secret="s" * 16)  # type: ignore[arg-type]


class ScriptedClient:
    """``get_webhook`` answers the next status of ``script`` (``None``: the webhook is gone)."""

    def __init__(self, script: Iterable[str | None], clock: Clock) -> None:
        self.script = iter(script)
        self.clock = clock
        self.polled_at: list[float] = []

    def get_webhook(self, webhook_id: str) -> Webhook | None:
        assert webhook_id == HOOK_ID
        self.polled_at.append(self.clock.now)
        status = next(self.script)
        return None if status is None else hook(status)


def wait(script: Iterable[str | None], timeout: float = 180.0) -> tuple[Any, ...]:
    clock = Clock()
    client = ScriptedClient(script, clock)
    lines: list[str] = []
    try:
        result: Webhook | BaseException = wait_until_active(
            cast(DevRevClient, client),
            hook("unverified"),
            timeout,
            lines.append,
            sleep=clock.sleep,
            clock=clock.monotonic,
        )
    except DevRevError as err:
        result = err
    return result, client, clock, lines


def test_an_active_webhook_needs_no_poll() -> None:
    clock = Clock()
    client = ScriptedClient([], clock)
    lines: list[str] = []
    done = wait_until_active(
        cast(DevRevClient, client),
        hook("active"),
        60,
        lines.append,
        sleep=clock.sleep,
        clock=clock.monotonic,
    )
    assert done.status == "active"
    assert client.polled_at == [] and clock.sleeps == [] and lines == []


def test_polls_grow_then_cap_and_stop_at_active() -> None:
    script = ["unverified"] * 9 + ["active"]
    result, client, clock, lines = wait(script)
    assert isinstance(result, Webhook) and result.status == "active"
    # Quick at first, then capped at the last interval: ten polls.
    assert clock.sleeps == [*POLL_INTERVALS, POLL_INTERVALS[-1], POLL_INTERVALS[-1], 10.0]
    assert len(client.polled_at) == 10
    assert lines[0].startswith("waiting up to 180s for DevRev to verify")
    assert lines[-1] == f"  {HOOK_ID} is active after {sum(clock.sleeps):.0f}s"


def test_progress_is_reported_about_every_ten_seconds_not_every_poll() -> None:
    result, client, clock, lines = wait(["unverified"] * 12 + ["active"])
    assert isinstance(result, Webhook)
    progress = [ln for ln in lines if "is unverified after" in ln]
    # 13 polls over about 100 s: one progress line per 10 s or more, never one per poll.
    assert 3 <= len(progress) <= sum(clock.sleeps) / 10 + 1
    assert len(progress) < len(client.polled_at)


def test_the_wait_ends_at_its_timeout_with_what_the_endpoint_must_do() -> None:
    result, _, clock, lines = wait(["unverified"] * 100, timeout=30)
    assert isinstance(result, VerificationTimeout)
    assert sum(clock.sleeps) == pytest.approx(30)  # never sleeps past the timeout
    assert result.waited == pytest.approx(30)
    message = str(result)
    assert f"DevRev webhook {HOOK_ID} is still unverified after 30s" in message
    assert '{"challenge": "<verify.challenge from that event>"}' in message
    # The URL is named without its credentials.
    assert "https://***@hooks.example.com/devrev?***" in message
    assert "pa55word" not in message and "tok-123" not in message
    assert not any("pa55word" in ln or "tok-123" in ln for ln in lines)


def test_a_webhook_deactivated_while_waiting_ends_the_wait_at_once() -> None:
    result, client, _, _ = wait(["unverified", "inactive", "active"])
    assert isinstance(result, DevRevError) and not isinstance(result, VerificationTimeout)
    assert "was deactivated while waiting for verification" in str(result)
    assert len(client.polled_at) == 2


def test_a_webhook_deleted_while_waiting_ends_the_wait_at_once() -> None:
    result, client, _, _ = wait(["unverified", None])
    assert isinstance(result, DevRevError)
    assert f"DevRev webhook {HOOK_ID} was deleted while waiting for it" == str(result)
    assert len(client.polled_at) == 2
