"""The receiver against the sandbox's real signed handshake and deliveries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_devrev.client import DevRevClient
from pulumi_devrev.models import CreateWebhookRequest, UpdateWebhookRequest
from pulumi_devrev.receiver import WebhookEvent, create_app
from tests.support import TOKEN, serve_asgi

OLD = "receiver-secret-old1"
NEW = "receiver-secret-new2"


@pytest.fixture
def client(sandbox: Any, control: Any) -> Iterator[DevRevClient]:
    with DevRevClient(TOKEN, sandbox.url) as c:
        yield c


def test_handshake_and_a_signed_delivery_reach_user_code(
    client: DevRevClient, control: Any
) -> None:
    received: list[WebhookEvent] = []
    served = serve_asgi(create_app(OLD, received.append, path="/hooks"))
    try:
        hook = client.create_webhook(
            CreateWebhookRequest(
                url=served.url + "/hooks", secret=OLD, event_types=["work_created"]
            )
        )
        assert control.wait_for_status(hook.id, "active", timeout=10) == "active"
        assert received == []  # verify events are answered, not handed to user code

        result = control.send_event(hook.id, "work_created", {"work": {"id": "ISS-1"}})
        assert result["delivered"] is True and result["status_code"] == 200
        [event] = received
        assert (event.type, event.webhook_id) == ("work_created", hook.id)
        assert event.payload == {"work": {"id": "ISS-1"}}
    finally:
        served.stop()


@pytest.mark.parametrize("location", ["both", "verify", "top-level"])
def test_the_handshake_succeeds_wherever_the_challenge_is(
    client: DevRevClient, control: Any, location: str
) -> None:
    control.configure(challenge_location=location)
    served = serve_asgi(create_app(OLD))
    try:
        hook = client.create_webhook(CreateWebhookRequest(url=served.url + "/", secret=OLD))
        assert control.wait_for_status(hook.id, "active", timeout=10) == "active"
    finally:
        served.stop()
        control.configure(challenge_location="both")


def test_a_receiver_with_the_wrong_secret_never_verifies(
    client: DevRevClient, control: Any
) -> None:
    served = serve_asgi(create_app(NEW))
    try:
        hook = client.create_webhook(CreateWebhookRequest(url=served.url + "/", secret=OLD))
        assert control.wait_for_status(hook.id, "active", timeout=2) == "unverified"
        attempts = control.deliveries(hook.id)
        assert attempts and all(d["status_code"] == 401 for d in attempts)
    finally:
        served.stop()


def test_rotation_with_both_secrets_accepted_misses_nothing(
    client: DevRevClient, control: Any
) -> None:
    received: list[WebhookEvent] = []
    served = serve_asgi(create_app([OLD, NEW], received.append))
    try:
        hook = client.create_webhook(
            CreateWebhookRequest(url=served.url + "/", secret=OLD, event_types=["work_updated"])
        )
        control.wait_for_status(hook.id, "active", timeout=10)
        assert control.send_event(hook.id, "work_updated", {"work": {"id": "a"}})["delivered"]

        client.update_webhook(UpdateWebhookRequest(id=hook.id, secret=NEW))
        assert control.wait_for_status(hook.id, "active", timeout=10) == "active"
        assert control.send_event(hook.id, "work_updated", {"work": {"id": "b"}})["delivered"]
        assert [e.payload["work"]["id"] for e in received] == ["a", "b"]
    finally:
        served.stop()


def test_one_app_can_serve_the_old_and_the_new_path_while_a_url_moves(
    client: DevRevClient, control: Any
) -> None:
    served = serve_asgi(create_app(OLD, path=["/old", "/new"]))
    try:
        hook = client.create_webhook(CreateWebhookRequest(url=served.url + "/old", secret=OLD))
        control.wait_for_status(hook.id, "active", timeout=10)
        client.update_webhook(UpdateWebhookRequest(id=hook.id, url=served.url + "/new"))
        assert control.wait_for_status(hook.id, "active", timeout=10) == "active"
        moved = client.update_webhook(UpdateWebhookRequest(id=hook.id, url=served.url + "/gone"))
        assert control.wait_for_status(moved.id, "active", timeout=1.5) == "unverified"
    finally:
        served.stop()
