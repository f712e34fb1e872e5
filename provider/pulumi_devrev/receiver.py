"""The delivery side of DevRev webhooks: signatures, typed envelopes, the verify challenge.

This module stands alone: it imports only the standard library and pydantic, so the service
that receives deliveries can use it without Pulumi or the rest of ``pulumi_devrev``.

Checking one delivery by hand, in any web framework::

    from pulumi_devrev.receiver import InvalidDelivery, challenge_response, verify_delivery

    SECRETS = [new_secret, old_secret]  # both accepted while the secret is being rotated

    def handle(body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
        try:
            event = verify_delivery(body, headers.get("x-devrev-signature"), SECRETS)
        except InvalidDelivery as exc:
            return (400 if exc.kind == "malformed_body" else 401), {"error": exc.reason}
        if event.type == "verify":
            return 200, challenge_response(event) or {}
        print(event.type, event.payload)
        return 200, {}

Or run the ready-made ASGI app under any ASGI server (``uvicorn module:app``)::

    import os

    from pulumi_devrev.receiver import create_app

    async def on_event(event):
        print(event.type, event.payload)

    app = create_app(os.environ["DEVREV_WEBHOOK_SECRET"], on_event)

DevRev may deliver an event twice or out of order (it retries after a failure, after 30 s and
after 3 min), so handlers should be idempotent, keyed on ``event.id``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import enum
import hashlib
import hmac
import inspect
import json
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "DEFAULT_SCHEME",
    "DELIVERY_DEADLINE",
    "SIGNATURE_HEADER",
    "DeliveryProblem",
    "InvalidDelivery",
    "ReceiverApp",
    "SignatureScheme",
    "WebhookEvent",
    "challenge_response",
    "create_app",
    "parse_event",
    "sign_body",
    "verify_delivery",
    "verify_signature",
]

logger = logging.getLogger("pulumi_devrev.receiver")

#: The request header that carries the signature of a delivery.
SIGNATURE_HEADER = "X-DevRev-Signature"

#: DevRev's delivery deadline: a handler slower than this makes DevRev count a failure and retry.
DELIVERY_DEADLINE = timedelta(seconds=3)

_SHA256_HEX = re.compile(r"[0-9A-Fa-f]{64}")
# Frameworks hand the raw body over as any of these.
_BYTES_LIKE = (bytes, bytearray, memoryview)


# --- signatures ---------------------------------------------------------------------------------


class SignatureScheme(enum.Enum):
    """How a delivery's signature is computed from the body and the webhook secret.

    Both schemes are HMAC-SHA256 over the raw request body; they differ in the key bytes and
    in how the digest is written into the ``X-DevRev-Signature`` header.

    Unsettled point 1 of the API contract: DevRev's official example receiver keys the HMAC
    with the UTF-8 bytes of the secret exactly as the API returned it and compares lowercase
    hex (``HEX_HMAC_SHA256_RAW_KEY``, the default). But the spec marks ``secret`` as base64
    ``format: byte``, and a second scheme is seen in the wild: key = base64-decoded secret,
    digest base64-encoded (``BASE64_HMAC_SHA256_DECODED_KEY``). Everything that signs or checks
    goes through this class, so settling the point against a real org is a one-line change of
    ``DEFAULT_SCHEME``.
    """

    HEX_HMAC_SHA256_RAW_KEY = "hex-hmac-sha256-raw-key"
    BASE64_HMAC_SHA256_DECODED_KEY = "base64-hmac-sha256-decoded-key"

    def key(self, secret: str) -> bytes:
        """The HMAC key for ``secret``; raises ``ValueError`` when the secret cannot be one."""
        if self is SignatureScheme.HEX_HMAC_SHA256_RAW_KEY:
            key = secret.encode("utf-8")
        else:
            key = base64.b64decode(secret, validate=True)
        # An empty key would let anyone compute valid signatures: never accept it.
        if not key:
            raise ValueError("the webhook secret is empty")
        return key

    def encode(self, digest: bytes) -> str:
        """The header form of a raw digest."""
        if self is SignatureScheme.HEX_HMAC_SHA256_RAW_KEY:
            return digest.hex()
        return base64.b64encode(digest).decode("ascii")

    def decode(self, signature: str) -> bytes | None:
        """The raw digest a header value stands for, or ``None`` when it is not well-formed."""
        # Proxies and hand-written senders add whitespace around header values.
        text = signature.strip()
        if self is SignatureScheme.HEX_HMAC_SHA256_RAW_KEY:
            # Case-insensitive by decoding, so uppercase hex from other tools is accepted.
            return bytes.fromhex(text) if _SHA256_HEX.fullmatch(text) else None
        try:
            digest = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return None
        return digest if len(digest) == hashlib.sha256().digest_size else None

    def digest(self, body: bytes, secret: str) -> bytes:
        """The raw HMAC-SHA256 digest of ``body`` under ``secret``."""
        return hmac.new(self.key(secret), body, hashlib.sha256).digest()


#: The scheme used when none is given: the one DevRev's own example receiver implements.
DEFAULT_SCHEME = SignatureScheme.HEX_HMAC_SHA256_RAW_KEY


def sign_body(body: bytes, secret: str, scheme: SignatureScheme = DEFAULT_SCHEME) -> str:
    """The ``X-DevRev-Signature`` value DevRev would send for ``body`` signed with ``secret``.

    Used by tests and tools that play DevRev's part. Raises ``ValueError`` (without the secret
    in the message) when the secret is empty or, for the base64 scheme, not base64.
    """
    if not isinstance(body, _BYTES_LIKE):
        # bytes(5) would quietly sign five zero bytes.
        raise TypeError(f"body must be bytes, not {type(body).__name__}")
    try:
        return scheme.encode(scheme.digest(bytes(body), secret))
    except (ValueError, UnicodeError) as exc:
        raise ValueError(f"cannot sign with this secret under {scheme.value}") from exc


def verify_signature(
    body: bytes, signature: str, secret: str, scheme: SignatureScheme = DEFAULT_SCHEME
) -> bool:
    """Whether ``signature`` is the signature of the raw ``body`` under ``secret``.

    The comparison runs in constant time. Uppercase hex and whitespace around the header value
    are accepted. Never raises: any unusable input (``None``, a non-string, non-ASCII, the
    wrong length, an empty secret) gives ``False``.
    """
    if not isinstance(body, _BYTES_LIKE) or not isinstance(scheme, SignatureScheme):
        return False
    if not isinstance(signature, str) or not isinstance(secret, str):
        return False
    try:
        presented = scheme.decode(signature)
        if presented is None:
            return False
        return hmac.compare_digest(presented, scheme.digest(bytes(body), secret))
    except (ValueError, UnicodeError, TypeError):
        return False


# --- the envelope -------------------------------------------------------------------------------


class WebhookEvent(BaseModel):
    """One delivery: ``{"id", "webhook_id", "timestamp", "type", "<type>": payload}``.

    ``payload`` is the object under the key named by ``type`` (``work_updated`` carries
    ``{"work": ..., "old_work": ...}``, ``*_deleted`` carries ``{"id": ...}``, ``verify``
    carries ``{"challenge": ...}``); it is empty when that key is absent or null. ``type`` is a
    plain string so event types DevRev adds later still parse. Fields DevRev adds to the
    envelope are kept in ``model_extra`` rather than rejected.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    webhook_id: str
    timestamp: datetime
    type: str
    payload: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _lift_payload(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        event_type = data.get("type")
        if not isinstance(event_type, str):
            return data  # the field validation reports the bad type
        data = dict(data)
        payload = data.pop(event_type, None)
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise ValueError("the member named by 'type' must be a JSON object")
        data["payload"] = payload
        return data

    @field_validator("timestamp")
    @classmethod
    def _assume_utc(cls, value: datetime) -> datetime:
        # DevRev writes "...Z"; a timestamp without an offset is read as UTC rather than as
        # local time, so the staleness check does not depend on the receiver's time zone.
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    @property
    def challenge(self) -> Any:
        """The verify challenge, or ``None``: ``verify.challenge``, else a top-level one.

        Unsettled point 2 of the API contract: the spec puts the challenge under
        ``verify.challenge``, but DevRev's own example receiver reads a top-level
        ``challenge``. Reading both makes the handshake work whichever DevRev sends.
        """
        return _challenge_of(self.type, self.payload, self.model_extra)


def _challenge_of(event_type: str, payload: dict[str, Any], extra: dict[str, Any] | None) -> Any:
    # A plain function rather than the property's body, so mutation testing reaches it.
    if event_type != "verify":
        return None
    value = payload.get("challenge")
    if value is None and extra:
        value = extra.get("challenge")
    return value


DeliveryProblem = Literal["missing_signature", "bad_signature", "stale_timestamp", "malformed_body"]


class InvalidDelivery(ValueError):
    """A delivery that must not be acted on.

    ``reason`` is a readable sentence (``"bad signature"``, ``"stale timestamp (412s old)"``,
    ``"malformed body: ..."``); ``kind`` is the machine-readable category. Neither ever holds
    the secret, the signature or the body.
    """

    def __init__(self, kind: DeliveryProblem, reason: str) -> None:
        super().__init__(reason)
        self.kind: DeliveryProblem = kind
        self.reason = reason


def _malformed(detail: str) -> InvalidDelivery:
    return InvalidDelivery("malformed_body", f"malformed body: {detail}")


def _describe(error: ValidationError) -> str:
    # Built from field locations and pydantic's messages only: str(error) would quote the input
    # values, and bodies stay out of messages and logs.
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"])
        # Our own checks raise ValueError, which pydantic prefixes with "Value error, ".
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def parse_event(body: bytes) -> WebhookEvent:
    """Parse a delivery body into a ``WebhookEvent``; does not check the signature.

    Raises ``InvalidDelivery`` (kind ``malformed_body``) with a readable reason when the body is
    not UTF-8 JSON, not an object, or lacks a required field; ``TypeError`` when ``body`` is not
    bytes at all (a programming error, not a bad delivery).
    """
    if not isinstance(body, _BYTES_LIKE):
        raise TypeError(f"body must be the raw request body as bytes, not {type(body).__name__}")
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _malformed(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise _malformed("JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise _malformed("expected a JSON object")
    try:
        return WebhookEvent.model_validate(data)
    except ValidationError as exc:
        raise _malformed(_describe(exc)) from None


def challenge_response(event_or_body: WebhookEvent | bytes) -> dict[str, Any] | None:
    """The answer to a ``verify`` event, ``{"challenge": value}``, or ``None`` for other events.

    The challenge is read from ``verify.challenge``, falling back to a top-level ``challenge``
    (see ``WebhookEvent.challenge``). Given bytes, the body is parsed first (``InvalidDelivery``
    when malformed) but its signature is not checked: use ``verify_delivery`` for that.
    """
    event = event_or_body if isinstance(event_or_body, WebhookEvent) else parse_event(event_or_body)
    value = event.challenge
    return None if value is None else {"challenge": value}


def _secret_list(secrets: str | Sequence[str]) -> list[str]:
    # A str is itself a Sequence[str]: without this check "secret" would become six secrets.
    listed = [secrets] if isinstance(secrets, str) else list(secrets)
    if not listed:
        raise ValueError("no webhook secret configured")
    return listed


def verify_delivery(
    body: bytes,
    signature: str | None,
    secrets: str | Sequence[str],
    *,
    tolerance: timedelta = timedelta(minutes=5),
    now: datetime | None = None,
    scheme: SignatureScheme = DEFAULT_SCHEME,
) -> WebhookEvent:
    """Authenticate and parse one delivery, rejecting replays of old ones.

    ``secrets`` may list several secrets, any of which is accepted: during a rotation the
    receiver knows the new secret before DevRev switches to it, and the old one until the
    deliveries signed with it (retries included) have drained.

    The body's ``timestamp`` must lie within ``tolerance`` of ``now`` (default: the current
    time) in either direction: DevRev sends no timestamp header, so the signed body is the only
    replay protection. Raises ``InvalidDelivery`` whose ``reason`` is one of
    ``"missing signature"``, ``"bad signature"``, ``"malformed body: ..."``,
    ``"stale timestamp (...s old)"`` or ``"stale timestamp (...s in the future)"``; raises a
    plain ``ValueError`` when ``secrets`` is empty, a configuration error rather than a bad
    delivery.
    """
    candidates = _secret_list(secrets)
    if tolerance < timedelta(0):
        raise ValueError("tolerance must not be negative")
    if not isinstance(signature, str) or not signature.strip():
        raise InvalidDelivery("missing_signature", "missing signature")
    # The signature is checked before the body is even parsed: nothing unauthenticated is
    # interpreted. Every candidate is tried so timing does not tell which one matched.
    matches = [verify_signature(body, signature, secret, scheme) for secret in candidates]
    if not any(matches):
        raise InvalidDelivery("bad_signature", "bad signature")
    event = parse_event(body)
    current = now or datetime.now(UTC)
    if current.tzinfo is None:
        current = current.replace(tzinfo=UTC)
    age = current - event.timestamp
    if age > tolerance:
        raise InvalidDelivery(
            "stale_timestamp", f"stale timestamp ({age.total_seconds():.0f}s old)"
        )
    if -age > tolerance:
        raise InvalidDelivery(
            "stale_timestamp", f"stale timestamp ({-age.total_seconds():.0f}s in the future)"
        )
    return event


# --- the ASGI app -------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
EventHandler = Callable[[WebhookEvent], Awaitable[None] | None]
SecretsSource = str | Sequence[str] | Callable[[], Sequence[str]]


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


class _UntilConfigured(logging.Filter):
    """Lets the receiver's records through while the application has configured no logging;
    once it has (a handler on the root logger), the root logger's level decides again."""

    def filter(self, record: logging.LogRecord) -> bool:
        root = logging.getLogger()
        return not root.handlers or record.levelno >= root.getEffectiveLevel()


class _StderrUntilConfigured(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to stderr only while nobody else would print the record: no root handler, and
    no handler the application added to the receiver's logger since."""

    def emit(self, record: logging.LogRecord) -> None:
        if logging.getLogger().handlers or any(h is not self for h in logger.handlers):
            return
        super().emit(record)


def _log_info_by_default() -> None:
    """Make the receiver's INFO lines (verifications, accepted deliveries) visible under a plain
    ASGI server, which configures its own loggers but not the root logger (whose default level,
    WARNING, would hide them). Nothing changes when the application configured logging, or the
    receiver's logger, itself."""
    if logger.handlers or logger.level != logging.NOTSET or logging.getLogger().handlers:
        return
    handler = _StderrUntilConfigured()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.addFilter(_UntilConfigured())
    logger.setLevel(logging.INFO)


class ReceiverApp:
    """A pure ASGI app that receives DevRev deliveries; build it with ``create_app``.

    ``events`` holds the most recent accepted events (the verify handshakes included), oldest
    first, for demos and tests.
    """

    def __init__(
        self,
        secrets: SecretsSource,
        on_event: EventHandler | None,
        *,
        tolerance: timedelta,
        path: str | Sequence[str],
        max_body_bytes: int,
        scheme: SignatureScheme,
        history: int,
    ) -> None:
        if tolerance < timedelta(0):
            raise ValueError("tolerance must not be negative")
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be positive")
        if not callable(secrets):
            # Checked now so a missing secret fails at startup, not on the first delivery.
            secrets = _secret_list(secrets)
        self._secrets: list[str] | Callable[[], Sequence[str]] = secrets
        self._on_event = on_event
        self._tolerance = tolerance
        paths = [path] if isinstance(path, str) else list(path)
        if not paths:
            raise ValueError("path must name at least one path")
        self._paths = frozenset(_normalize_path(p) for p in paths)
        self._max_body_bytes = max_body_bytes
        self._scheme = scheme
        self.events: deque[WebhookEvent] = deque(maxlen=history)
        _log_info_by_default()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point: ``lifespan`` and ``http`` scopes; websockets are refused."""
        if scope["type"] == "lifespan":
            await _run_lifespan(receive, send)
        elif scope["type"] == "http":
            await self._handle_http(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})

    async def _handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _normalize_path(scope.get("path", "")) not in self._paths:
            await _send_json(send, 404, {"error": "not found"})
            return
        if scope.get("method") != "POST":
            await _send_json(send, 405, {"error": "method not allowed"}, [(b"allow", b"POST")])
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        try:
            body = await self._read_body(headers, receive)
        except _BodyTooLarge:
            await _send_json(send, 413, {"error": "body too large"})
            return
        except _ClientGone:
            return
        raw_signature = headers.get(SIGNATURE_HEADER.lower().encode("ascii"))
        signature = None if raw_signature is None else raw_signature.decode("latin-1")

        try:
            secrets = _secret_list(self._secrets() if callable(self._secrets) else self._secrets)
        except Exception:
            logger.exception("cannot load the webhook secrets; answering 500")
            await _send_json(send, 500, {"error": "receiver misconfigured"})
            return
        try:
            event = verify_delivery(
                body, signature, secrets, tolerance=self._tolerance, scheme=self._scheme
            )
        except InvalidDelivery as exc:
            logger.warning("rejected a delivery: %s", exc.reason)
            status = 400 if exc.kind == "malformed_body" else 401
            await _send_json(send, status, {"error": exc.reason})
            return

        if event.type == "verify":
            # The handshake is answered here and never reaches on_event: it is not an object
            # event, and answering it must not depend on the user's handler.
            answer = challenge_response(event)
            if answer is None:
                logger.warning("rejected verify event %s: it carries no challenge", event.id)
                await _send_json(send, 400, {"error": "malformed body: verify without challenge"})
                return
            self.events.append(event)
            logger.info("answered the verify challenge of webhook %s", event.webhook_id)
            await _send_json(send, 200, answer)
            return

        if self._on_event is not None:
            started = time.monotonic()
            try:
                await _dispatch(self._on_event, event)
            except Exception:
                # A 500 makes DevRev retry the delivery; the body stays out of the log.
                logger.exception(
                    "on_event failed for %s event %s; answering 500", event.type, event.id
                )
                await _send_json(send, 500, {"error": "event handler failed"})
                return
            elapsed = time.monotonic() - started
            if elapsed > DELIVERY_DEADLINE.total_seconds():
                logger.warning(
                    "on_event took %.1fs for %s event %s; DevRev gives up after %.0fs and "
                    "retries, so hand slow work to a queue",
                    elapsed,
                    event.type,
                    event.id,
                    DELIVERY_DEADLINE.total_seconds(),
                )
        self.events.append(event)
        logger.info("accepted %s event %s", event.type, event.id)
        await _send_json(send, 200, {})

    async def _read_body(self, headers: dict[bytes, bytes], receive: Receive) -> bytes:
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_body_bytes:
            raise _BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            # Counted as it arrives: chunked requests declare no length up front.
            if size > self._max_body_bytes:
                raise _BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def create_app(
    secret: SecretsSource,
    on_event: EventHandler | None = None,
    *,
    tolerance: timedelta = timedelta(minutes=5),
    path: str | Sequence[str] = "/",
    max_body_bytes: int = 1024 * 1024,
    scheme: SignatureScheme = DEFAULT_SCHEME,
    history: int = 100,
) -> ReceiverApp:
    """A pure ASGI app (no framework) that receives DevRev deliveries at ``path``.

    ``path`` may list several paths (e.g. the old and the new one while a webhook's URL moves).

    ``secret`` is one secret, several (any is accepted, for rotation), or a callable returning
    the current list, called per delivery so secrets can change without a restart.

    Answers: 404 for other paths, 405 for methods other than POST, 413 for bodies beyond
    ``max_body_bytes``, 401 ``{"error": reason}`` for a missing or bad signature or a stale
    timestamp, 400 for a malformed body, 200 ``{"challenge": ...}`` for ``verify`` events
    (``on_event`` is not called). Other events go to ``on_event`` (a sync handler runs in a
    thread, an async one is awaited) and get 200 ``{}``; if the handler raises, 500 so DevRev
    retries. DevRev waits 3 seconds per delivery, so keep the handler quick.

    It logs each answered verification and each accepted delivery at INFO (type, event and
    webhook ids: never a secret or a body) and each rejection at WARNING, on the
    ``pulumi_devrev.receiver`` logger. Until the application configures logging, those lines
    go to stderr, so they show under a plain ASGI server; then the root logger's level decides.
    """
    return ReceiverApp(
        secret,
        on_event,
        tolerance=tolerance,
        path=path,
        max_body_bytes=max_body_bytes,
        scheme=scheme,
        history=history,
    )


def _normalize_path(path: str) -> str:
    return "/" + path.strip("/")


async def _dispatch(handler: EventHandler, event: WebhookEvent) -> None:
    if inspect.iscoroutinefunction(handler):
        await handler(event)
        return
    # A sync handler runs in a worker thread so a blocking one cannot stall other deliveries;
    # a callable that returns an awaitable anyway is awaited here, on the loop.
    result = await asyncio.to_thread(handler, event)
    if inspect.isawaitable(result):
        await result


async def _run_lifespan(receive: Receive, send: Send) -> None:
    # Nothing to set up or tear down, but servers that run lifespan expect the replies.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _send_json(
    send: Send, status: int, payload: Any, extra_headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(payload).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        *extra_headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
