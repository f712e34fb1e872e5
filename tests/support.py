"""Helpers shared by the test suites: loopback servers and readable request-log queries."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn

TOKEN = "sandbox-test-token-7f3a9c"
OTHER_TOKEN = "sandbox-wrong-token-0b1d"


class Clock:
    """Stands in for the ``time`` module the client reads its deadlines from (the ``clock``
    fixture of tests/client puts it there); pass its ``sleep`` to the client: only the client's
    sleeps (and what a test adds to ``now``) move it, so nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds  # time.sleep refuses a negative wait
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@dataclass
class Served:
    """An ASGI app served on a free loopback port in a background thread."""

    url: str
    stop: Callable[[], None]


def serve_asgi(app: Any) -> Served:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return Served(f"http://127.0.0.1:{port}", stop)


def closed_port_url() -> str:
    """A loopback URL nothing listens on: an endpoint that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def wait_until(
    condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.01
) -> bool:
    """Poll ``condition()`` until it is true or ``timeout`` passes; whether it became true."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def api_calls(log: list[dict[str, Any]]) -> list[str]:
    """The request log as "path" names, e.g. ["/webhooks.create", "/webhooks.update"]."""
    return [entry["path"] for entry in log]


async def read_body(receive: Any) -> bytes:
    """The whole body of an ASGI request, however many messages it came in."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def echo_receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An endpoint that answers DevRev's verify challenge (without checking signatures)."""
    import json

    if scope["type"] != "http":
        return
    body = await read_body(receive)
    try:
        event = json.loads(body)
        answer = (
            {"challenge": event["verify"]["challenge"]} if event.get("type") == "verify" else {}
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        answer = {}
    payload = json.dumps(answer).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload})
