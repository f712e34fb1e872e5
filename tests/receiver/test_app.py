"""The ASGI app over real loopback HTTP: uvicorn in a thread on a free port, httpx as DevRev."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pulumi_devrev.receiver import ReceiverApp, WebhookEvent, create_app

from .support import OTHER_SECRET, SECRET, encode, envelope, hex_signature, serving, signed

WORK = {"work": {"id": "don:core:dvrv-us-1:devo/1:issue/7", "title": "Printer on fire"}}


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def post(client: httpx.Client, url: str, data: object, secret: str = SECRET) -> httpx.Response:
    body, headers = signed(data, secret)
    return client.post(url, content=body, headers=headers)


def test_a_verify_event_is_answered_with_its_challenge_without_calling_on_event(
    client: httpx.Client,
) -> None:
    seen: list[WebhookEvent] = []
    app = create_app(SECRET, seen.append)

    with serving(app) as url:
        response = post(client, url, envelope("verify", {"challenge": "DlrVaK7z"}))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"challenge": "DlrVaK7z"}
    assert seen == []
    assert [event.type for event in app.events] == ["verify"]


def test_a_top_level_challenge_is_answered_too(client: httpx.Client) -> None:
    with serving(create_app(SECRET)) as url:
        response = post(client, url, envelope("verify", challenge="top-level"))

    assert (response.status_code, response.json()) == (200, {"challenge": "top-level"})


def test_a_verify_event_without_a_challenge_is_a_bad_request(client: httpx.Client) -> None:
    with serving(create_app(SECRET)) as url:
        response = post(client, url, envelope("verify", {}))

    assert response.status_code == 400


def test_an_object_event_reaches_a_sync_handler_as_a_typed_event(client: httpx.Client) -> None:
    seen: list[tuple[WebhookEvent, str]] = []

    def on_event(event: WebhookEvent) -> None:
        seen.append((event, threading.current_thread().name))

    app = create_app(SECRET, on_event)
    with serving(app) as url:
        response = post(client, url, envelope("work_created", WORK))

    assert (response.status_code, response.json()) == (200, {})
    [(event, thread_name)] = seen
    assert isinstance(event, WebhookEvent)
    assert (event.type, event.payload) == ("work_created", WORK)
    # Sync handlers run off the event loop, so a blocking one cannot stall other deliveries.
    assert thread_name != "receiver-test-server"
    assert list(app.events) == [event]


def test_an_async_handler_is_awaited(client: httpx.Client) -> None:
    seen: list[WebhookEvent] = []

    async def on_event(event: WebhookEvent) -> None:
        await asyncio.sleep(0.01)
        seen.append(event)

    with serving(create_app(SECRET, on_event)) as url:
        response = post(client, url, envelope("work_deleted", {"id": "don:core:w/7"}))

    assert response.status_code == 200
    assert [event.payload for event in seen] == [{"id": "don:core:w/7"}]


def test_a_handler_that_raises_gets_a_500_so_devrev_retries(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    def on_event(event: WebhookEvent) -> None:
        raise RuntimeError("downstream is down")

    app = create_app(SECRET, on_event)
    with caplog.at_level(logging.INFO, logger="pulumi_devrev.receiver"), serving(app) as url:
        body, headers = signed(envelope("work_created", WORK))
        response = client.post(url, content=body, headers=headers)

    assert response.status_code == 500
    assert response.json() == {"error": "event handler failed"}
    assert "downstream is down" in caplog.text  # the traceback is logged
    assert "Printer on fire" not in caplog.text  # the body is not
    assert list(app.events) == []  # not accepted: DevRev will send it again


def test_a_bad_signature_is_401_and_the_handler_is_not_called(client: httpx.Client) -> None:
    seen: list[WebhookEvent] = []
    with serving(create_app(SECRET, seen.append)) as url:
        response = post(client, url, envelope("work_created", WORK), secret=OTHER_SECRET)

    assert (response.status_code, response.json()) == (401, {"error": "bad signature"})
    assert seen == []


def test_a_missing_signature_is_401(client: httpx.Client) -> None:
    with serving(create_app(SECRET)) as url:
        response = client.post(url, content=encode(envelope("work_created", WORK)))

    assert (response.status_code, response.json()) == (401, {"error": "missing signature"})


def test_a_stale_delivery_is_401(client: httpx.Client) -> None:
    old = datetime.now(UTC) - timedelta(minutes=10)
    with serving(create_app(SECRET)) as url:
        response = post(client, url, envelope("work_created", WORK, timestamp=old))

    assert response.status_code == 401
    assert response.json()["error"].startswith("stale timestamp (")


def test_a_signed_malformed_body_is_400(client: httpx.Client) -> None:
    body = b'{"type": "work_created"}'
    with serving(create_app(SECRET)) as url:
        response = client.post(
            url, content=body, headers={"X-DevRev-Signature": hex_signature(body, SECRET)}
        )

    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed body: ")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD"])
def test_methods_other_than_post_are_405(client: httpx.Client, method: str) -> None:
    with serving(create_app(SECRET)) as url:
        response = client.request(method, url)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_other_paths_are_404_and_the_configured_path_works(client: httpx.Client) -> None:
    with serving(create_app(SECRET, path="/devrev/webhook")) as url:
        elsewhere = post(client, url + "/", envelope("verify", {"challenge": "c"}))
        here = post(client, url + "/devrev/webhook", envelope("verify", {"challenge": "c"}))

    assert elsewhere.status_code == 404
    assert here.json() == {"challenge": "c"}


def test_a_body_beyond_the_limit_is_413(client: httpx.Client) -> None:
    data = envelope("work_created", {"work": {"title": "x" * 2048}})
    with serving(create_app(SECRET, max_body_bytes=1024)) as url:
        response = post(client, url, data)

    assert response.status_code == 413


def test_rotation_accepts_both_secrets_and_a_callable_is_read_per_delivery(
    client: httpx.Client,
) -> None:
    current = [SECRET]
    app = create_app(lambda: current)
    with serving(app) as url:
        before = post(client, url, envelope("work_created", WORK), secret=OTHER_SECRET)
        current.append(OTHER_SECRET)
        during_new = post(client, url, envelope("work_created", WORK), secret=OTHER_SECRET)
        during_old = post(client, url, envelope("work_created", WORK), secret=SECRET)

    assert [before.status_code, during_new.status_code, during_old.status_code] == [401, 200, 200]


def test_a_secret_provider_that_fails_is_a_500(client: httpx.Client) -> None:
    def no_secrets() -> list[str]:
        return []

    with serving(create_app(no_secrets)) as url:
        response = post(client, url, envelope("work_created", WORK))

    assert (response.status_code, response.json()) == (500, {"error": "receiver misconfigured"})


def test_an_app_without_a_secret_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="no webhook secret configured"):
        create_app([])


def test_logs_never_contain_the_secret_the_signature_or_the_body(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    def on_event(event: WebhookEvent) -> None:
        if event.type == "work_deleted":
            raise RuntimeError("handler failed")

    good_body, good_headers = signed(envelope("work_created", WORK))
    failing_body, failing_headers = signed(envelope("work_deleted", WORK))
    forged = hex_signature(good_body, OTHER_SECRET)
    with caplog.at_level(logging.DEBUG), serving(create_app(SECRET, on_event)) as url:
        client.post(url, content=good_body, headers=good_headers)
        client.post(url, content=failing_body, headers=failing_headers)
        client.post(url, content=good_body, headers={"X-DevRev-Signature": forged})
        client.post(url, content=b"garbage", headers={"X-DevRev-Signature": forged})

    for needle in (SECRET, OTHER_SECRET, forged, good_headers["X-DevRev-Signature"],
                   "Printer on fire", "garbage"):  # fmt: skip
        leaked = needle in caplog.text
        assert not leaked


def test_the_events_record_is_bounded() -> None:
    app: ReceiverApp = create_app(SECRET, history=2)

    assert app.events.maxlen == 2


def test_lifespan_startup_and_shutdown_are_acknowledged() -> None:
    sent: list[str] = []
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, str]:
        return next(incoming)

    async def send(message: object) -> None:
        assert isinstance(message, dict)
        sent.append(message["type"])

    asyncio.run(create_app(SECRET)({"type": "lifespan"}, receive, send))

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
