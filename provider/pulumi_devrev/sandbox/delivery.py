"""Outgoing HTTP: one signed POST to a webhook endpoint, and object events sent on request.

Everything the sandbox sends to webhook endpoints goes through :class:`Deliverer`, which
signs the exact body bytes, adds the webhook's custom headers, enforces DevRev's
per-delivery time limit and, unless remote delivery was allowed, refuses any host that is
not loopback (:mod:`.urlguard`) *before* any name lookup or connection.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import httpx

# The header's name is the receiver's (one definition); the tests pin its value on both sides,
# so sharing it cannot hide a wrong one. How to sign stays the sandbox's own (:func:`sign`).
from ..receiver import SIGNATURE_HEADER as SIGNATURE_HEADER
from .deliverylog import DeliveryLog
from .options import SandboxOptions
from .store import Header, StoredWebhook
from .urlguard import remote_delivery_problem

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


def sign(body: bytes, secret: str) -> str:
    """The ``X-DevRev-Signature`` value for ``body``.

    The one place that decides the scheme (unsettled point 1): HMAC-SHA256 over the raw
    body bytes, keyed with the UTF-8 bytes of the secret string exactly as the API returns
    it, encoded as lowercase hex, as DevRev's example receiver checks it.
    """
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


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


def encode_event(event: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for ``event``."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class DeliveryTarget:
    """Where and how to deliver: a snapshot, so later webhook edits cannot mix in."""

    webhook_id: str
    display_id: str
    url: str
    secret: str
    headers: tuple[Header, ...]

    @classmethod
    def of(cls, webhook: StoredWebhook) -> DeliveryTarget:
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


async def send_event(
    deliverer: Deliverer,
    log: DeliveryLog,
    webhook: StoredWebhook | None,
    event_type: str,
    payload: Any,
    *,
    options: SandboxOptions,
) -> dict[str, Any]:
    """Deliver one object event to ``webhook`` now (one attempt); what happened and why."""
    if webhook is None:
        return _not_sent("there is no webhook with this id")
    if webhook.status != "active":
        return _not_sent(
            f"the webhook is {webhook.status}; object events go only to active webhooks"
        )
    if event_type not in webhook.event_types:
        return _not_sent(f"the webhook is not subscribed to {event_type}")
    target = DeliveryTarget.of(webhook)
    event = build_event(webhook.id, event_type, payload)
    attempt = await deliverer.post(target, encode_event(event), options=options)
    code = attempt.status_code
    delivered = code is not None and 200 <= code < 300
    if code is None:
        reason = attempt.failure
    elif delivered:
        reason = f"endpoint answered HTTP {code}"
    else:
        reason = f"endpoint answered HTTP {code}; DevRev counts this as a failed delivery"
    log.add(target, event, attempt, number=1, ok=delivered, reason=reason)
    return {"delivered": delivered, "status_code": code, "reason": reason}


def _not_sent(reason: str) -> dict[str, Any]:
    return {"delivered": False, "status_code": None, "reason": reason}
