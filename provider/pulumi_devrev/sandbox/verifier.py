"""Outgoing traffic: the verification handshake and object-event deliveries.

Everything the sandbox sends to webhook endpoints goes through :class:`Deliverer`, which
signs the exact body bytes, adds the webhook's custom headers, enforces DevRev's
per-delivery time limit and, unless remote delivery was allowed, refuses any host that is
not loopback *before* any name lookup or connection.

The handshake runs as a task on the server's event loop, so API answers never wait for it.
A generation counter on the webhook makes a handshake that was overtaken (the webhook was
deleted, changed, deactivated or had its status forced) change nothing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from . import lifecycle
from .options import ChallengeLocation, SandboxOptions
from .store import Header, Webhook, WebhookStore

logger = logging.getLogger("pulumi_devrev.sandbox")

SIGNATURE_HEADER = "X-DevRev-Signature"
USER_AGENT = "DevRev-Webhooks/1.0"
# Headers the sandbox sets itself or that would corrupt the request framing; a custom
# header with one of these names is not sent (and the delivery log says so).
_RESERVED_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "transfer-encoding",
        "host",
        "connection",
        SIGNATURE_HEADER.lower(),
    }
)
MAX_LOG_ENTRIES = 10_000


def sign(body: bytes, secret: str) -> str:
    """The ``X-DevRev-Signature`` value for ``body``.

    The one place that decides the scheme (unsettled point 1): HMAC-SHA256 over the raw
    body bytes, keyed with the UTF-8 bytes of the secret string exactly as the API returns
    it, encoded as lowercase hex, as DevRev's example receiver checks it.
    """
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a literal loopback address (127.0.0.0/8, ::1); no name lookup."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def remote_delivery_problem(url: str) -> str | None:
    """Why ``url`` may not be contacted while remote delivery is off, or None if it may."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return "the URL cannot be parsed"
    if host and is_loopback_host(host):
        return None
    return (
        f"remote delivery is disabled: {host or 'the host'} is not a loopback address "
        "(127.0.0.0/8, ::1 or localhost); the sandbox only delivers to this machine"
    )


def display_url(url: str) -> str:
    """``url`` without user:password, for logs (URLs may embed credentials)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{host}:{parts.port}" if parts.port is not None else host
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    except ValueError:
        return "(unparsable URL)"


def _timestamp_micros() -> str:
    now = datetime.datetime.now(datetime.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build_event(webhook_id: str, event_type: str, payload: Any) -> dict[str, Any]:
    """A delivery envelope: ``{"id", "webhook_id", "timestamp", "type", <type>: payload}``."""
    return {
        "id": f"evt-{secrets.token_urlsafe(16)}",
        "webhook_id": webhook_id,
        "timestamp": _timestamp_micros(),
        "type": event_type,
        event_type: payload,
    }


def build_verify_event(
    webhook_id: str, challenge: str, location: ChallengeLocation = "both"
) -> dict[str, Any]:
    """The handshake event, carrying ``challenge`` where ``location`` says.

    Unsettled point 2 of the API contract: the spec puts the challenge at
    ``verify.challenge``, while DevRev's own example receiver (``webhooks/main.go`` in
    DevRev's examples repository) reads a top-level ``challenge`` and answers with it. That
    example works against DevRev, so by default the sandbox sends both; ``"verify"`` (the
    spec only) and ``"top-level"`` (the example only) let a user test a receiver against
    either. Whatever the location, the answer must be 200 with a JSON object whose
    ``challenge`` is the same value (see :func:`judge_verify_answer`).
    """
    event = build_event(webhook_id, "verify", {"challenge": challenge})
    if location == "top-level":
        del event["verify"]
    if location != "verify":
        event["challenge"] = challenge
    return event


def new_challenge() -> str:
    """A random base64 challenge, like DevRev's."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


@dataclass(frozen=True)
class DeliveryTarget:
    """Where and how to deliver: a snapshot, so later webhook edits cannot mix in."""

    webhook_id: str
    display_id: str
    url: str
    secret: str
    headers: tuple[Header, ...]

    @classmethod
    def of(cls, webhook: Webhook) -> DeliveryTarget:
        """Snapshot ``webhook``."""
        return cls(
            webhook.id, webhook.display_id, webhook.url, webhook.secret, tuple(webhook.headers)
        )


@dataclass(frozen=True)
class Attempt:
    """What happened to one POST."""

    status_code: int | None
    body: bytes
    #: Why nothing usable came back (no connection, timeout, refused host); "" otherwise.
    failure: str
    sent_headers: tuple[str, ...]
    skipped_headers: tuple[str, ...]

    def json(self) -> Any:
        """The answer's JSON, or None."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class DeliveryLog:
    """Every delivery attempt (handshakes and events), without secrets or header values."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=MAX_LOG_ENTRIES)
        self._seq = 0

    def add(
        self,
        target: DeliveryTarget,
        event: dict[str, Any],
        attempt: Attempt,
        *,
        number: int,
        ok: bool,
        reason: str,
    ) -> None:
        """Record one attempt."""
        with self._lock:
            self._seq += 1
            self._entries.append(
                {
                    "seq": self._seq,
                    "time": time.time(),
                    "webhook_id": target.webhook_id,
                    "display_id": target.display_id,
                    "event_id": event["id"],
                    "type": event["type"],
                    "url": display_url(target.url),
                    "attempt": number,
                    "status_code": attempt.status_code,
                    "ok": ok,
                    "reason": reason,
                    "custom_headers": list(attempt.sent_headers),
                    "skipped_headers": list(attempt.skipped_headers),
                }
            )

    def entries(self, webhook_id: str | None = None) -> list[dict[str, Any]]:
        """Copies of the entries, oldest first, optionally for one webhook."""
        with self._lock:
            return [
                dict(entry)
                for entry in self._entries
                if webhook_id is None or entry["webhook_id"] == webhook_id
            ]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._seq = 0


class Deliverer:
    """Sends one signed POST to a webhook endpoint, never raising."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # trust_env=False: a proxy from the environment must never carry deliveries
            # (to loopback or anywhere). No redirects: a loopback endpoint must not be able
            # to send the sandbox elsewhere.
            self._client = httpx.AsyncClient(trust_env=False, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(
        self, target: DeliveryTarget, body: bytes, *, options: SandboxOptions
    ) -> Attempt:
        """POST ``body`` signed with the target's secret; the outcome, whatever happens."""
        headers = httpx.Headers({"User-Agent": USER_AGENT})
        sent: list[str] = []
        skipped: list[str] = []
        for header in target.headers:
            if header.name.lower() in _RESERVED_HEADERS:
                skipped.append(header.name)
            else:
                headers[header.name] = header.value
                sent.append(header.name)
        headers["Content-Type"] = "application/json"
        headers[SIGNATURE_HEADER] = sign(body, target.secret)

        def failed(reason: str) -> Attempt:
            return Attempt(None, b"", reason, tuple(sent), tuple(skipped))

        if not options.allow_remote_delivery:
            problem = remote_delivery_problem(target.url)
            if problem is not None:
                return failed(problem)
        timeout = options.delivery_timeout
        try:
            async with asyncio.timeout(timeout):
                response = await self._http().post(target.url, content=body, headers=headers)
        except TimeoutError:
            return failed(f"no answer within {timeout:g} s")
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            return failed("the URL cannot be used for a delivery")
        except httpx.HTTPError as exc:
            return failed(f"could not deliver: {type(exc).__name__}: {_short(exc)}")
        except Exception as exc:  # any failure is a failed delivery, never a crash
            return failed(f"could not deliver: {type(exc).__name__}")
        return Attempt(response.status_code, response.content, "", tuple(sent), tuple(skipped))


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else "no detail"
    return text[:160]


def _encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def judge_verify_answer(attempt: Attempt, challenge: str) -> tuple[bool, str]:
    """Whether an answer completes the handshake: 200 with the same ``challenge``.

    The answer is read as JSON whatever its ``Content-Type`` (DevRev's Go example sends
    none, so Go's sniffed ``text/plain``), surrounding whitespace and other members are
    ignored; it must be an object whose ``challenge`` equals the one sent.
    """
    if attempt.status_code is None:
        return False, attempt.failure
    if attempt.status_code != 200:
        return False, f"endpoint answered HTTP {attempt.status_code}; the handshake needs 200"
    answer = attempt.json()
    if not isinstance(answer, dict) or "challenge" not in answer:
        return False, 'endpoint answered 200 without a JSON "challenge"'
    if answer["challenge"] != challenge:
        return False, "endpoint answered a different challenge"
    return True, "challenge echoed"


class Verifier:
    """Runs handshakes in the background and delivers object events on request."""

    def __init__(
        self,
        store: WebhookStore,
        log: DeliveryLog,
        options: Callable[[], SandboxOptions],
    ) -> None:
        self._store = store
        self._log = log
        self._options = options
        self._deliverer = Deliverer()
        # The newest handshake per webhook, and every handshake still running: an
        # overtaken one finishes its attempt in flight (the endpoint is not cut off
        # mid-request), records it as ignored, and stops.
        self._newest: dict[str, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def start(self, webhook: Webhook) -> None:
        """Begin a new handshake for ``webhook`` on the running loop; older ones go stale."""
        webhook.generation += 1
        task = asyncio.get_running_loop().create_task(
            self._handshake(webhook.id, webhook.generation)
        )
        self._newest[webhook.id] = task
        self._running.add(task)
        task.add_done_callback(lambda done: self._forget(webhook.id, done))

    def _forget(self, webhook_id: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._newest.get(webhook_id) is task:
            del self._newest[webhook_id]

    def handshake_pending(self, webhook_id: str) -> bool:
        """Whether the webhook's current handshake is still running."""
        return webhook_id in self._newest

    def invalidate(self, webhook: Webhook) -> None:
        """Make any handshake in flight for ``webhook`` stale: its outcome changes nothing."""
        webhook.generation += 1
        self._newest.pop(webhook.id, None)

    async def cancel_all(self) -> None:
        """Stop every handshake now (reset, shutdown)."""
        tasks = list(self._running)
        self._newest.clear()
        self._running.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def aclose(self) -> None:
        """Stop handshakes and close connections."""
        await self.cancel_all()
        await self._deliverer.aclose()

    def _current(self, webhook_id: str, generation: int) -> Webhook | None:
        webhook = self._store.get(webhook_id)
        if webhook is None or webhook.generation != generation:
            return None
        return webhook

    async def _handshake(self, webhook_id: str, generation: int) -> None:
        options = self._options()
        challenge = new_challenge()
        event = build_verify_event(webhook_id, challenge, options.challenge_location)
        # One event, resent as is on retry (same id, same bytes), as DevRev retries.
        body = _encode(event)
        for number in range(1, options.verify_attempts + 1):
            webhook = self._current(webhook_id, generation)
            if webhook is None:
                return
            target = DeliveryTarget.of(webhook)
            attempt = await self._deliverer.post(target, body, options=options)
            ok, reason = judge_verify_answer(attempt, challenge)
            webhook = self._current(webhook_id, generation)
            if webhook is None:
                # Overtaken while waiting for the answer: record it, change nothing.
                self._log.add(
                    target,
                    event,
                    attempt,
                    number=number,
                    ok=False,
                    reason=f"{reason} (ignored: the webhook changed meanwhile)",
                )
                return
            self._log.add(target, event, attempt, number=number, ok=ok, reason=reason)
            if ok:
                status = lifecycle.after_handshake(webhook.status, succeeded=True)
                if status != webhook.status:
                    webhook.status = status
                    self._store.save()
                logger.info("%s verified on attempt %d", target.display_id, number)
                return
            logger.info(
                "%s verification attempt %d/%d failed: %s",
                target.display_id,
                number,
                options.verify_attempts,
                reason,
            )
            if number < options.verify_attempts:
                await asyncio.sleep(options.verify_retry_delay)

    async def send_event(self, webhook_id: str, event_type: str, payload: Any) -> dict[str, Any]:
        """Deliver one object event now (one attempt); what happened and why."""
        webhook = self._store.get(webhook_id)
        if webhook is None:
            return _not_sent("there is no webhook with this id")
        if webhook.status != "active":
            return _not_sent(
                f"the webhook is {webhook.status}; object events go only to active webhooks"
            )
        if event_type not in webhook.event_types:
            return _not_sent(f"the webhook is not subscribed to {event_type}")
        target = DeliveryTarget.of(webhook)
        event = build_event(webhook_id, event_type, payload)
        attempt = await self._deliverer.post(target, _encode(event), options=self._options())
        code = attempt.status_code
        delivered = code is not None and 200 <= code < 300
        if code is None:
            reason = attempt.failure
        elif delivered:
            reason = f"endpoint answered HTTP {code}"
        else:
            reason = f"endpoint answered HTTP {code}; DevRev counts this as a failed delivery"
        self._log.add(target, event, attempt, number=1, ok=delivered, reason=reason)
        return {"delivered": delivered, "status_code": code, "reason": reason}


def _not_sent(reason: str) -> dict[str, Any]:
    return {"delivered": False, "status_code": None, "reason": reason}
