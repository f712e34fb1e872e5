"""Helpers shared by the receiver tests: deliveries built and signed the way DevRev does, and a
real uvicorn server on a loopback port.

Signatures here are computed with ``hmac`` directly, independently of the module under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn

from pulumi_devrev.receiver import ReceiverApp

# Fake secrets, 8-32 bytes like DevRev's. Tests never print them (no secret inside an assert
# expression, where pytest would show it on failure).
SECRET = "whsec-test-0123456789abcdef"
OTHER_SECRET = "whsec-other-9876543210fedcb"
# A base64 secret for the alternative scheme (the spec's `format: byte`).
B64_SECRET = base64.b64encode(b"\x01\x02raw-key-bytes\xfe\xff").decode("ascii")

NOW = datetime(2025, 7, 2, 13, 7, 40, 937074, tzinfo=UTC)
WEBHOOK_ID = "don:integration:dvrv-us-1:devo/11FVC3ScK:webhook/1jGzMh1N"


def hex_signature(body: bytes, secret: str) -> str:
    """DevRev's default: lowercase hex HMAC-SHA256 keyed with the secret's UTF-8 bytes."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def base64_signature(body: bytes, secret: str) -> str:
    """The alternative seen in the wild: base64-decoded key, base64 digest."""
    digest = hmac.new(base64.b64decode(secret), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def envelope(
    event_type: str,
    payload: dict[str, Any] | None = None,
    *,
    timestamp: datetime | str | None = None,
    event_id: str = "evt-1",
    **extra: Any,
) -> dict[str, Any]:
    """A delivery as DevRev sends it: the payload sits under the key named by its type."""
    when = timestamp if timestamp is not None else datetime.now(UTC)
    data: dict[str, Any] = {
        "id": event_id,
        "webhook_id": WEBHOOK_ID,
        "timestamp": when if isinstance(when, str) else when.isoformat().replace("+00:00", "Z"),
        "type": event_type,
    }
    if payload is not None:
        data[event_type] = payload
    data.update(extra)
    return data


def encode(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


def signed(data: Any, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery signed with ``secret``."""
    body = encode(data)
    return body, {"X-DevRev-Signature": hex_signature(body, secret)}


@contextmanager
def serving(app: ReceiverApp) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free loopback port; yields the base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="receiver-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
