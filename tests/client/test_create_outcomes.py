"""A create whose answer comes late (docs/reliability.md): slower than the read timeout it is
found, not sent again; slower than the whole deadline it is not sent again either, and the
error says how to adopt the one webhook that lands. And the read timeout is a setting."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pulumi_devrev import settings
from pulumi_devrev.client import DevRevClient, Timeouts, shared_client
from pulumi_devrev.errors import ConfigurationError, CreateOutcomeUnknown
from pulumi_devrev.models import CreateWebhookRequest
from tests.support import TOKEN, closed_port_url, wait_until


def test_a_create_slower_than_the_read_timeout_is_found_not_sent_again(
    sandbox: Any, control: Any
) -> None:
    control.inject("/webhooks.create", delay=1.0, count=1)
    with DevRevClient(TOKEN, sandbox.url, timeouts=Timeouts(read=0.3, deadline=3)) as client:
        hook = client.create_webhook(CreateWebhookRequest(url=closed_port_url()))
    assert len(control.requests("/webhooks.create")) == 1
    assert [w["id"] for w in control.webhooks()] == [hook.id]


@pytest.mark.parametrize("secret", [None, "chosen-secret-1"])
def test_a_create_slower_than_the_deadline_is_not_sent_again_and_says_how_to_adopt(
    sandbox: Any, control: Any, secret: str | None
) -> None:
    url = closed_port_url()
    control.inject("/webhooks.create", delay=3.5, count=5)
    started = time.monotonic()
    with DevRevClient(TOKEN, sandbox.url, timeouts=Timeouts(read=0.3, deadline=3)) as client:
        with pytest.raises(CreateOutcomeUnknown) as unknown:
            client.create_webhook(CreateWebhookRequest(url=url, secret=secret))
    assert time.monotonic() - started < 3.5
    message = str(unknown.value)
    assert message.startswith("webhooks.create failed: ")
    assert "adopt_id=<its id>" in message and url in message
    assert len(control.requests("/webhooks.create")) == 1
    # The one slow attempt lands later: exactly one webhook to adopt.
    assert wait_until(lambda: len(control.webhooks()) == 1, timeout=5)
    time.sleep(0.5)
    assert len(control.webhooks()) == 1


def test_read_timeout_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"DEVREV_TOKEN": "t0ken-1", "DEVREV_READ_TIMEOUT": "0.5"}
    assert settings.resolve(env).read_timeout == 0.5
    assert settings.resolve({"DEVREV_TOKEN": "t0ken-1"}).read_timeout == 30.0
    for bad in ("0", "-1", "nan", "soon", "601"):
        with pytest.raises(ConfigurationError, match="devrev:readTimeout"):
            settings.resolve({**env, "DEVREV_READ_TIMEOUT": bad})
    monkeypatch.setattr(settings, "_stack_config", {"read_timeout": "2"})
    resolved = settings.resolve(env)  # stack config first
    assert resolved.read_timeout == 2.0
    client = shared_client(resolved)
    assert client.timeouts.read == 2.0
    assert client.timeouts.deadline == resolved.operation_timeout
    assert shared_client(settings.resolve({**env, "DEVREV_READ_TIMEOUT": "3"})) is client
    monkeypatch.setattr(settings, "_stack_config", {})
    assert shared_client(settings.resolve(env)) is not client
