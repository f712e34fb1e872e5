"""Object-event deliveries through the send_event control, as receiver tests use them."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from pulumi_devrev.sandbox import SandboxControl, SandboxControlError

from .helpers import DATE_MICROS, Receiver, create, require_absent, require_signed

MakeReceiver = Callable[..., Receiver]
WORK = {"work": {"id": "don:core:dvrv-us-1:devo/x:issue/1", "title": "A bug"}}


def _active(
    api: httpx.Client, control: SandboxControl, receiver: Receiver, **fields: object
) -> str:
    webhook_id = str(create(api, receiver.url, **fields)["id"])
    assert control.wait_for_status(webhook_id, "active", 5) == "active"
    return webhook_id


def test_an_active_subscribed_webhook_gets_a_signed_event_with_its_headers(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    webhook_id = _active(
        api,
        control,
        receiver,
        event_types=["work_created"],
        secret="event-secret",
        headers=[{"name": "X-Team", "value": "platform"}],
    )
    outcome = control.send_event(webhook_id, "work_created", WORK)
    assert outcome == {
        "delivered": True,
        "status_code": 200,
        "reason": "endpoint answered HTTP 200",
    }
    request = receiver.wait_for(2)[-1]
    event = request.json()
    assert set(event) == {"id", "webhook_id", "timestamp", "type", "work_created"}
    assert event["type"] == "work_created"
    assert event["webhook_id"] == webhook_id
    assert event["work_created"] == WORK
    assert re.match(DATE_MICROS, event["timestamp"])
    require_signed(request, "event-secret")
    assert request.headers["x-team"] == "platform"
    require_absent(b"event-secret", request.body, "the secret")


def test_a_webhook_not_subscribed_to_the_type_gets_nothing(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    webhook_id = _active(api, control, receiver, event_types=["work_updated"])
    outcome = control.send_event(webhook_id, "work_created", WORK)
    assert outcome["delivered"] is False
    assert outcome["status_code"] is None
    assert "not subscribed to work_created" in outcome["reason"]
    assert len(receiver.wait_for(2, timeout=0.2)) == 1  # the handshake only


@pytest.mark.parametrize("status", ["unverified", "inactive"])
def test_only_active_webhooks_get_object_events(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver, status: str
) -> None:
    receiver = make_receiver("echo")
    webhook_id = _active(api, control, receiver, event_types=["work_created"])
    control.force_status(webhook_id, status)
    outcome = control.send_event(webhook_id, "work_created", WORK)
    assert outcome["delivered"] is False
    assert f"is {status}" in outcome["reason"]


def test_an_unknown_webhook_is_reported_not_raised(control: SandboxControl) -> None:
    outcome = control.send_event(
        "don:integration:dvrv-us-1:devo/x:webhook/none", "work_created", {}
    )
    assert outcome["delivered"] is False
    assert "no webhook" in outcome["reason"]


def test_an_error_answer_is_a_failed_delivery(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    webhook_id = _active(api, control, receiver, event_types=["tag_deleted"])
    receiver.status = 500
    outcome = control.send_event(webhook_id, "tag_deleted", {"id": "don:core:tag/1"})
    assert outcome["delivered"] is False
    assert outcome["status_code"] == 500
    assert control.deliveries(webhook_id)[-1]["ok"] is False


@pytest.mark.parametrize("event_type", ["verify", "work_creatd"])
def test_send_event_takes_only_object_event_types(control: SandboxControl, event_type: str) -> None:
    with pytest.raises(SandboxControlError) as caught:
        control.send_event("don:integration:dvrv-us-1:devo/x:webhook/y", event_type, {})
    assert caught.value.status_code == 400


def test_the_delivery_log_filters_by_webhook_and_holds_no_secrets(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    first = _active(api, control, make_receiver("echo"), secret="first-secret-value")
    second = _active(api, control, make_receiver("echo"), secret="second-secret-value")
    assert {d["webhook_id"] for d in control.deliveries(first)} == {first}
    assert {d["webhook_id"] for d in control.deliveries()} == {first, second}
    require_absent("secret-value", str(control.deliveries()), "a secret")
