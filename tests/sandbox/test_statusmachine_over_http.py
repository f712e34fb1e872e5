"""The status machine end to end, with real handshakes against tiny receivers.

Each step says what the status must be next, as the API notes' table has it.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from pulumi_devrev.sandbox import SandboxControl

from .helpers import (
    Receiver,
    closed_port_url,
    create,
    expect,
    get,
    ids,
    require_signed,
    update,
    wait_until,
)

MakeReceiver = Callable[..., Receiver]


def _active(api: httpx.Client, control: SandboxControl, url: str, **fields: object) -> str:
    webhook = create(api, url, **fields)
    assert control.wait_for_status(webhook["id"], "active", 5) == "active"
    return str(webhook["id"])


def _settled(control: SandboxControl, webhook_id: str) -> None:
    """Wait until no handshake for the webhook is running."""
    assert wait_until(lambda: not (control.webhook(webhook_id) or {}).get("handshake_pending"))


def test_create_is_unverified_then_active_once_the_challenge_is_echoed(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    webhook = create(api, receiver.url)
    assert webhook["status"] == "unverified"
    assert control.wait_for_status(webhook["id"], "active", 5) == "active"
    assert get(api, webhook["id"])["status"] == "active"


@pytest.mark.parametrize("change", ["url", "secret", "empty secret", "same url"])
def test_an_endpoint_change_on_an_active_webhook_verifies_again(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver, change: str
) -> None:
    first, second = make_receiver("echo"), make_receiver("echo")
    webhook_id = _active(api, control, first.url, secret="original-secret")
    fields = {
        "url": {"url": second.url},
        "secret": {"secret": "rotated-secret"},
        "empty secret": {"secret": ""},
        # DevRev's rule is about sending url at all, not about a different value.
        "same url": {"url": first.url},
    }[change]
    changed = update(api, webhook_id, **fields)
    assert changed["status"] == "unverified"
    assert control.wait_for_status(webhook_id, "active", 5) == "active"
    target = second if change == "url" else first
    handshake = target.wait_for(2 if target is first else 1)[-1]
    assert handshake.json()["type"] == "verify"
    # The new handshake is signed with the secret the webhook has now.
    require_signed(handshake, changed["secret"])


def test_a_url_change_on_an_unverified_webhook_restarts_the_handshake(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    webhook = create(api, closed_port_url())
    receiver = make_receiver("echo")
    assert update(api, webhook["id"], url=receiver.url)["status"] == "unverified"
    assert control.wait_for_status(webhook["id"], "active", 5) == "active"


def test_an_endpoint_change_on_an_inactive_webhook_sends_nothing(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    webhook_id = _active(api, control, make_receiver("echo").url)
    update(api, webhook_id, action="deactivate")
    control.clear_deliveries()
    other = make_receiver("echo")
    assert update(api, webhook_id, url=other.url, secret="new-secret")["status"] == "inactive"
    assert other.wait_for(1, timeout=0.3) == []
    assert control.deliveries() == []
    assert get(api, webhook_id)["status"] == "inactive"


@pytest.mark.parametrize("status", ["active", "inactive", "unverified"])
def test_event_types_or_headers_only_updates_never_change_status(
    api: httpx.Client, control: SandboxControl, status: str
) -> None:
    webhook_id = create(api, closed_port_url())["id"]
    _settled(control, webhook_id)
    control.force_status(webhook_id, status)
    control.clear_deliveries()
    assert update(api, webhook_id, event_types={"add": ["work_created"]})["status"] == status
    changed = update(api, webhook_id, headers={"set": [{"name": "X-A", "value": "1"}]})
    assert changed["status"] == status
    assert control.deliveries() == []


@pytest.mark.parametrize("status", ["active", "inactive", "unverified"])
def test_deactivate_ends_inactive_from_any_status(
    api: httpx.Client, control: SandboxControl, status: str
) -> None:
    webhook_id = create(api, closed_port_url())["id"]
    control.force_status(webhook_id, status)
    assert update(api, webhook_id, action="deactivate")["status"] == "inactive"


def test_activate_in_verify_mode_sends_a_new_handshake(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    webhook_id = _active(api, control, receiver.url)
    update(api, webhook_id, action="deactivate")
    assert update(api, webhook_id, action="activate")["status"] == "unverified"
    assert control.wait_for_status(webhook_id, "active", 5) == "active"
    assert [r.json()["type"] for r in receiver.wait_for(2)] == ["verify", "verify"]


def test_activate_in_direct_mode_is_active_at_once(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    control.configure(activate_mode="direct")
    receiver = make_receiver("echo")
    webhook_id = _active(api, control, receiver.url)
    update(api, webhook_id, action="deactivate")
    assert update(api, webhook_id, action="activate")["status"] == "active"
    assert len(receiver.wait_for(2, timeout=0.3)) == 1  # only the creation handshake


@pytest.mark.parametrize("mode", ["verify", "direct"])
def test_activate_onto_a_new_url_verifies_in_both_modes(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver, mode: str
) -> None:
    control.configure(activate_mode=mode)
    webhook_id = _active(api, control, make_receiver("echo").url)
    update(api, webhook_id, action="deactivate")
    changed = update(api, webhook_id, action="activate", url=make_receiver("echo").url)
    assert changed["status"] == "unverified"
    assert control.wait_for_status(webhook_id, "active", 5) == "active"


@pytest.mark.parametrize("mode", ["verify", "direct"])
def test_activate_on_an_active_webhook_is_a_no_op(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver, mode: str
) -> None:
    control.configure(activate_mode=mode)
    receiver = make_receiver("echo")
    webhook_id = _active(api, control, receiver.url)
    assert update(api, webhook_id, action="activate")["status"] == "active"
    assert len(receiver.wait_for(2, timeout=0.3)) == 1


def test_activate_on_an_unverified_webhook_is_a_no_op(
    api: httpx.Client, control: SandboxControl
) -> None:
    webhook_id = create(api, closed_port_url())["id"]
    _settled(control, webhook_id)
    attempts = len(control.deliveries(webhook_id))
    assert update(api, webhook_id, action="activate")["status"] == "unverified"
    assert control.webhook(webhook_id)["handshake_pending"] is False  # type: ignore[index]
    assert len(control.deliveries(webhook_id)) == attempts


def test_a_handshake_for_a_deleted_webhook_changes_nothing(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    slow = make_receiver("echo", delay=0.3)
    webhook_id = create(api, slow.url)["id"]
    slow.wait_for(1)
    expect(api.post("/webhooks.delete", json={"id": webhook_id}), 200)
    assert wait_until(lambda: len(control.deliveries(webhook_id)) == 1)
    assert "ignored" in control.deliveries(webhook_id)[0]["reason"]
    assert ids(expect(api.get("/webhooks.list"), 200)["webhooks"]) == []


def test_a_handshake_overtaken_by_a_url_change_changes_nothing(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    slow = make_receiver("echo", delay=0.3)
    webhook_id = create(api, slow.url)["id"]
    slow.wait_for(1)
    update(api, webhook_id, url=closed_port_url())
    # The old endpoint answers correctly, but for a target the webhook no longer has.
    assert wait_until(
        lambda: any(d["url"] == slow.url for d in control.deliveries(webhook_id)), timeout=3
    )
    _settled(control, webhook_id)
    assert get(api, webhook_id)["status"] == "unverified"


def test_a_forced_status_wins_over_a_handshake_in_flight(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    slow = make_receiver("echo", delay=0.3)
    webhook_id = create(api, slow.url)["id"]
    slow.wait_for(1)
    control.force_status(webhook_id, "inactive")
    assert control.wait_for_status(webhook_id, "active", 0.6) == "inactive"
