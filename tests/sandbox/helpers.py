"""Shared pieces of the sandbox tests: spec-checked calls, tiny receivers, secret checks.

Nothing here prints a token or a secret: failures name fields and statuses only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from pulumi_devrev.sandbox.openapi import load_spec
from tests.support import closed_port_url, wait_until  # noqa: F401 - shared helpers

from .responses import validate_response

# Fast handshakes for tests; everything else at the sandbox defaults.
FAST_OPTIONS: dict[str, Any] = {
    "activate_mode": "verify",
    "challenge_location": "both",
    "verify_attempts": 3,
    "verify_retry_delay": 0.05,
    "delivery_timeout": 1.0,
    "rate_limit": None,
    "rate_window": 300.0,
    "allow_remote_delivery": False,
    "max_body_bytes": 1 << 20,
}

DATE_MILLIS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
DATE_MICROS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"
WEBHOOK_ID = r"^don:integration:dvrv-us-1:devo/[A-Za-z0-9]+:webhook/[A-Za-z0-9]+$"


def _declared(path: str, method: str) -> bool:
    return method.lower() in load_spec()["paths"].get(path, {})


def expect(response: httpx.Response, status: int) -> Any:
    """Check the status, then the body against the spec for that operation and status.

    Error bodies of undeclared operations (404 on an unknown path, 405) must still be
    DevRev's flat shape. Returns the parsed body.
    """
    request = response.request
    if response.status_code != status:
        shown = _safe_summary(response)
        raise AssertionError(
            f"{request.method} {request.url.path}: expected {status}, "
            f"got {response.status_code} ({shown})"
        )
    body = response.json()
    assert response.headers["content-type"].startswith("application/json")
    if _declared(request.url.path, request.method):
        validate_response(request.url.path, request.method, status, body)
    else:
        assert status >= 400
        assert isinstance(body, dict) and isinstance(body.get("type"), str)
        assert isinstance(body.get("message"), str)
    return body


def _safe_summary(response: httpx.Response) -> str:
    # Success bodies carry the webhook secret: only error bodies may be shown.
    if response.status_code < 400:
        return "body withheld: it may hold a secret"
    try:
        body = response.json()
        return f"type={body.get('type')!r} message={body.get('message')!r}"
    except ValueError:
        return "non-JSON body"


def expect_error(
    response: httpx.Response, status: int, error_type: str, **fields: Any
) -> dict[str, Any]:
    """:func:`expect`, plus the error ``type`` and any type-specific fields."""
    body: dict[str, Any] = expect(response, status)
    assert body["type"] == error_type, f"type={body['type']!r}, message={body.get('message')!r}"
    for name, value in fields.items():
        assert body.get(name) == value, f"{name}={body.get(name)!r}, wanted {value!r}"
    return body


def require_same_secret(actual: str, wanted: str) -> None:
    """Fail without showing either value."""
    if not hmac.compare_digest(actual.encode(), wanted.encode()):
        raise AssertionError("the secrets differ (values withheld)")


def require_different_secret(actual: str, old: str) -> None:
    """Fail without showing either value."""
    if hmac.compare_digest(actual.encode(), old.encode()):
        raise AssertionError("the secret did not change (value withheld)")


def hmac_hex(secret: str, body: bytes) -> str:
    """DevRev's signature, computed independently of the sandbox."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def require_signed(received: Received, secret: str) -> None:
    """The delivery carries lowercase-hex HMAC-SHA256 of its raw body keyed with ``secret``.

    Computed here, independently of the sandbox; a mismatch is reported without values.
    """
    signature = received.headers.get("x-devrev-signature", "")
    if not hmac.compare_digest(signature, hmac_hex(secret, received.body)):
        raise AssertionError("X-DevRev-Signature is not HMAC-SHA256 of the body (values withheld)")


def require_absent(needle: str | bytes, haystack: str | bytes, what: str) -> None:
    """Fail if ``needle`` occurs in ``haystack``, naming only ``what`` leaked."""
    if needle in haystack:  # type: ignore[operator]
        raise AssertionError(f"{what} appears where it must not (value withheld)")


def public(value: Any) -> Any:
    """``value`` with every ``secret`` replaced, safe to compare with ``==`` in asserts."""
    if isinstance(value, dict):
        return {k: ("<secret>" if k == "secret" else public(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [public(item) for item in value]
    return value


def ids(webhooks: list[dict[str, Any]]) -> list[str]:
    """The ids of ``webhooks``: what list assertions compare (never the secrets)."""
    return [str(webhook["id"]) for webhook in webhooks]


def create(api: httpx.Client, url: str, **fields: Any) -> dict[str, Any]:
    """Create a webhook (201, spec-checked) and return it."""
    webhook: dict[str, Any] = expect(
        api.post("/webhooks.create", json={"url": url, **fields}), 201
    )["webhook"]
    return webhook


def update(api: httpx.Client, webhook_id: str, **fields: Any) -> dict[str, Any]:
    """Update a webhook (200, spec-checked) and return it."""
    webhook: dict[str, Any] = expect(
        api.post("/webhooks.update", json={"id": webhook_id, **fields}), 200
    )["webhook"]
    return webhook


def get(api: httpx.Client, webhook_id: str) -> dict[str, Any]:
    """Read a webhook through the public API (200, spec-checked)."""
    webhook: dict[str, Any] = expect(api.get("/webhooks.get", params={"id": webhook_id}), 200)[
        "webhook"
    ]
    return webhook


@dataclass(frozen=True)
class Received:
    """One request a receiver got."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        """The body parsed."""
        return json.loads(self.body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The sandbox gives up on slow answers by closing the connection; a receiver
        # writing into it afterwards is expected, not worth a traceback.
        pass


class Receiver:
    """A tiny webhook endpoint on loopback that records every request.

    ``mode``: ``"echo"`` answers the verify challenge correctly (and 200 ``{}`` to object
    events); ``"wrong"`` answers another challenge; ``"status"`` answers ``status`` with
    ``{}``; ``"devrev-example"`` answers as DevRev's example receiver (``webhooks/main.go``
    in DevRev's examples repository) does: the top-level ``challenge`` (``""`` when absent)
    as ``{"challenge": ...}``, newline-terminated, without a JSON content type. ``delay``
    sleeps before answering.
    """

    def __init__(self, mode: str = "echo", *, status: int = 200, delay: float = 0.0) -> None:
        self.mode = mode
        self.status = status
        self.delay = delay
        self.received: list[Received] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                record = Received(
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    self.rfile.read(length),
                )
                with receiver._changed:
                    receiver.received.append(record)
                    receiver._changed.notify_all()
                if receiver.delay:
                    time.sleep(receiver.delay)
                status, payload = receiver.answer(record)
                out = json.dumps(payload).encode()
                content_type = "application/json"
                if receiver.mode == "devrev-example":
                    # As DevRev's Go example answers: json.NewEncoder(w).Encode(...) adds a
                    # newline, and no Content-Type is set, so Go sniffs text/plain.
                    out, content_type = out + b"\n", "text/plain; charset=utf-8"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def answer(self, record: Received) -> tuple[int, Any]:
        """The answer for one request, per ``mode``."""
        event = record.json()
        if self.mode == "wrong":
            return 200, {"challenge": "not-the-challenge"}
        if self.mode == "devrev-example":
            if event.get("type") == "verify":
                return self.status, {"challenge": str(event.get("challenge") or "")}
            return self.status, {"status": "success"}
        if self.mode == "echo":
            if event.get("type") == "verify":
                return self.status, {"challenge": event["verify"]["challenge"]}
            return self.status, {}
        return self.status, {}

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait until at least ``count`` requests arrived; all received so far."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return list(self.received)

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
