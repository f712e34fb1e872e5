"""The verification handshake as an endpoint sees it, and the loopback-only rule."""

from __future__ import annotations

import base64
import ipaddress
import re
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pulumi_devrev.sandbox import SandboxControl, SandboxControlError, start_sandbox

from .helpers import (
    DATE_MICROS,
    Receiver,
    closed_port_url,
    create,
    expect,
    get,
    require_absent,
    require_signed,
    wait_until,
)

MakeReceiver = Callable[..., Receiver]


def _settled(control: SandboxControl, webhook_id: str) -> None:
    assert wait_until(lambda: not (control.webhook(webhook_id) or {}).get("handshake_pending"))


def test_the_verify_event_is_signed_and_carries_a_challenge(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    webhook = create(
        api,
        receiver.url,
        secret="handshake-secret",
        headers=[{"name": "X-Team", "value": "platform"}, {"name": "x_token", "value": "abc"}],
    )
    [request] = receiver.wait_for(1)
    event = request.json()
    # By default the challenge is at verify.challenge (the spec) and top-level (DevRev's
    # example receiver), the same value in both places.
    assert set(event) == {"id", "webhook_id", "timestamp", "type", "verify", "challenge"}
    assert event["webhook_id"] == webhook["id"]
    assert event["type"] == "verify"
    assert re.match(DATE_MICROS, event["timestamp"])
    assert set(event["verify"]) == {"challenge"}
    assert base64.b64decode(event["verify"]["challenge"], validate=True)
    assert event["challenge"] == event["verify"]["challenge"]
    assert request.path == "/hook"
    assert request.headers["content-type"] == "application/json"
    # Independent check: HMAC-SHA256 of the raw bytes, keyed with the secret's UTF-8 bytes.
    require_signed(request, "handshake-secret")
    assert request.headers["x-team"] == "platform"
    assert request.headers["x_token"] == "abc"
    assert control.wait_for_status(webhook["id"], "active", 5) == "active"
    [delivery] = control.deliveries(webhook["id"])
    assert delivery["ok"] is True
    assert delivery["type"] == "verify"
    assert delivery["custom_headers"] == ["X-Team", "x_token"]


@pytest.mark.parametrize(
    ("location", "members"),
    [
        ("verify", {"id", "webhook_id", "timestamp", "type", "verify"}),
        ("top-level", {"id", "webhook_id", "timestamp", "type", "challenge"}),
    ],
)
def test_the_challenge_location_can_be_chosen(
    api: httpx.Client,
    control: SandboxControl,
    make_receiver: MakeReceiver,
    location: str,
    members: set[str],
) -> None:
    control.configure(challenge_location=location)
    receiver = make_receiver("devrev-example")
    webhook_id = create(api, receiver.url)["id"]
    [request] = receiver.wait_for(1)
    assert set(request.json()) == members
    _settled(control, webhook_id)


def test_a_receiver_written_like_devrevs_example_becomes_active_by_default(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    # It reads the top-level challenge and answers {"challenge": ...} as text/plain.
    webhook_id = create(api, make_receiver("devrev-example").url)["id"]
    assert control.wait_for_status(webhook_id, "active", 5) == "active"
    assert control.deliveries(webhook_id)[0]["reason"] == "challenge echoed"


def test_a_receiver_written_like_devrevs_example_fails_when_only_verify_challenge_is_sent(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    control.configure(challenge_location="verify")
    webhook_id = create(api, make_receiver("devrev-example").url)["id"]
    _settled(control, webhook_id)
    assert get(api, webhook_id)["status"] == "unverified"
    assert all("different challenge" in d["reason"] for d in control.deliveries(webhook_id))


def test_an_unknown_challenge_location_is_refused(control: SandboxControl) -> None:
    with pytest.raises(SandboxControlError, match="challenge_location must be one of"):
        control.configure(challenge_location="body")
    with pytest.raises(ValueError, match="challenge_location must be one of"):
        start_sandbox("token", challenge_location="nested")


def test_with_default_settings_a_correct_endpoint_becomes_active(
    devrev_token: str, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    with (
        start_sandbox(devrev_token) as sandbox,
        httpx.Client(
            base_url=sandbox.url,
            headers={"Authorization": f"Bearer {devrev_token}"},
            trust_env=False,
        ) as api,
    ):
        webhook_id = create(api, receiver.url)["id"]
        # Only the public API, as any DevRev client would poll.
        assert wait_until(lambda: get(api, webhook_id)["status"] == "active", timeout=5)


def test_a_wrong_challenge_leaves_it_unverified_after_every_attempt(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("wrong")
    webhook_id = create(api, receiver.url)["id"]
    _settled(control, webhook_id)
    assert get(api, webhook_id)["status"] == "unverified"
    requests = receiver.wait_for(3)
    assert len(requests) == 3
    # A retry resends the same event: same id, same bytes, same signature.
    assert len({r.body for r in requests}) == 1
    deliveries = control.deliveries(webhook_id)
    assert [d["attempt"] for d in deliveries] == [1, 2, 3]
    assert all("different challenge" in d["reason"] for d in deliveries)


def test_an_error_status_is_not_an_answer(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    webhook_id = create(api, make_receiver("echo", status=500).url)["id"]
    _settled(control, webhook_id)
    assert get(api, webhook_id)["status"] == "unverified"
    assert "HTTP 500" in control.deliveries(webhook_id)[0]["reason"]


def test_a_down_endpoint_leaves_it_unverified(api: httpx.Client, control: SandboxControl) -> None:
    webhook_id = create(api, closed_port_url())["id"]
    _settled(control, webhook_id)
    assert get(api, webhook_id)["status"] == "unverified"
    deliveries = control.deliveries(webhook_id)
    assert len(deliveries) == 3
    assert all(d["status_code"] is None and "could not deliver" in d["reason"] for d in deliveries)


def test_an_answer_after_the_delivery_timeout_does_not_count(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    control.configure(delivery_timeout=0.2, verify_attempts=1)
    webhook_id = create(api, make_receiver("echo", delay=0.5).url)["id"]
    _settled(control, webhook_id)
    assert get(api, webhook_id)["status"] == "unverified"
    assert "no answer within 0.2 s" in control.deliveries(webhook_id)[0]["reason"]


def test_a_slow_endpoint_never_delays_the_api(
    api: httpx.Client, make_receiver: MakeReceiver
) -> None:
    slow = make_receiver("echo", delay=1.0)
    started = time.monotonic()
    create(api, slow.url)
    assert time.monotonic() - started < 0.5


def test_localhost_counts_as_loopback(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    webhook_id = create(api, f"http://localhost:{receiver.port}/hook")["id"]
    assert control.wait_for_status(webhook_id, "active", 5) == "active"


def test_reserved_custom_headers_are_not_sent(
    api: httpx.Client, control: SandboxControl, make_receiver: MakeReceiver
) -> None:
    receiver = make_receiver("echo")
    headers = [{"name": "Host", "value": "evil.example"}, {"name": "Content-Length", "value": "1"}]
    webhook_id = create(api, receiver.url, headers=headers)["id"]
    assert control.wait_for_status(webhook_id, "active", 5) == "active"
    [request] = receiver.wait_for(1)
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert control.deliveries(webhook_id)[0]["skipped_headers"] == ["Host", "Content-Length"]


REMOTE_URLS = [
    "http://example.com/hook",
    "https://hooks.example.org:8443/devrev",
    "http://192.0.2.10/hook",
    "http://[2001:db8::1]:8080/hook",
    "http://127.0.0.1.nip.io/hook",
    "http://user:pw@10.0.0.1/hook",
]


@pytest.fixture
def network_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Record every name lookup and connection this process makes (all threads)."""
    calls: dict[str, list[Any]] = {"lookups": [], "connects": []}
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        calls["lookups"].append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        calls["connects"].append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return calls


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host == "localhost":
        return True
    return ipaddress.ip_address(host).is_loopback


def test_remote_urls_are_never_contacted(
    api: httpx.Client, control: SandboxControl, network_calls: dict[str, list[Any]]
) -> None:
    ids = [create(api, url)["id"] for url in REMOTE_URLS]
    for webhook_id in ids:
        _settled(control, webhook_id)
        assert get(api, webhook_id)["status"] == "unverified"
        deliveries = control.deliveries(webhook_id)
        assert len(deliveries) == 3
        assert all("remote delivery is disabled" in d["reason"] for d in deliveries)
    control.force_status(ids[0], "active")
    update = api.post(
        "/webhooks.update", json={"id": ids[0], "event_types": {"add": ["work_created"]}}
    )
    expect(update, 200)
    outcome = control.send_event(ids[0], "work_created", {"work": {"id": "w"}})
    assert outcome["delivered"] is False
    assert "remote delivery is disabled" in outcome["reason"]
    assert all(_is_loopback(host) for host in network_calls["lookups"])
    assert all(_is_loopback(address[0]) for address in network_calls["connects"])
    assert network_calls["connects"], "the recorder saw no connection at all"


def test_credentials_in_urls_stay_out_of_the_delivery_log(
    api: httpx.Client, control: SandboxControl
) -> None:
    webhook_id = create(api, "http://user:hunter2-password@127.0.0.1:9/hook")["id"]
    _settled(control, webhook_id)
    require_absent("hunter2", str(control.deliveries(webhook_id)), "the URL's password")
