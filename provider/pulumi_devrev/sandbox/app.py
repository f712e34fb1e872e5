"""The sandbox's state and its ASGI application.

:class:`Sandbox` ties the pieces together (options, webhooks, faults, logs, rate limit,
handshakes and deliveries); :func:`create_sandbox_app` serves it: ``/_sandbox/*`` test controls
and, for every other path, DevRev's API.
"""

from __future__ import annotations

import contextlib
import hmac
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from .admin import AdminRoutes
from .api import ApiApp
from .controlroutes import PREFIX
from .deliverylog import DeliveryLog
from .faults import FaultQueue, TransportCapture
from .handshake import Verifier
from .options import SandboxOptions
from .ratelimit import FixedWindowLimiter, RateDecision
from .requestlog import AuthKind, RequestLog
from .statusmachine import Status
from .store import WebhookStore


class Sandbox:
    """One local DevRev organisation: its token, webhooks, and everything tests control.

    The token is kept private and never appears in ``repr`` or any message.
    """

    def __init__(
        self,
        token: str,
        options: SandboxOptions | None = None,
        *,
        state_file: str | os.PathLike[str] | None = None,
    ) -> None:
        if not token:
            raise ValueError("the sandbox needs a token (pass --token or set DEVREV_TOKEN)")
        self._token = token.encode("utf-8")
        self.options = options or SandboxOptions()
        self.store = WebhookStore(state_file)
        self.faults = FaultQueue()
        self.limiter = FixedWindowLimiter()
        self.requests = RequestLog()
        self.deliveries = DeliveryLog()
        self.verifier = Verifier(self.store, self.deliveries, lambda: self.options)

    def __repr__(self) -> str:
        return f"<Sandbox webhooks={len(self.store.select())}>"

    def classify_auth(self, header: str | None) -> AuthKind:
        """How the request presented the token: ``Bearer``, bare (as DevRev's SDK sends
        it), missing, or wrong. Comparisons are constant-time."""
        if header is None or not header.strip():
            return "missing"
        # Servers decode header bytes as latin-1; encoding back recovers the exact bytes.
        value = header.strip().encode("latin-1")
        scheme, _, rest = value.partition(b" ")
        if scheme.lower() == b"bearer" and hmac.compare_digest(rest.strip(), self._token):
            return "bearer"
        if hmac.compare_digest(value, self._token):
            return "bare"
        return "invalid"

    def count_request(self) -> RateDecision | None:
        """Count an authenticated request; None when rate limiting is off."""
        limit = self.options.rate_limit
        if limit is None:
            return None
        return self.limiter.hit(
            self._token.decode("utf-8"), limit=limit, window=self.options.rate_window
        )

    def configure(self, **changes: Any) -> SandboxOptions:
        """Change options at runtime; ValueError (unchanged options) if any is invalid."""
        self.options = self.options.with_changes(**changes)
        return self.options

    def force_status(self, webhook_id: str, status: Status) -> dict[str, Any] | None:
        """Set a webhook's status as a test wants it; stops its handshake. None if absent."""
        webhook = self.store.get(webhook_id)
        if webhook is None:
            return None
        self.verifier.invalidate(webhook)
        webhook.status = status
        self.store.save()
        return self.internal_view(webhook_id)

    def internal_view(self, webhook_id: str) -> dict[str, Any] | None:
        """A webhook as controls see it (no secret), with ``handshake_pending``."""
        webhook = self.store.get(webhook_id)
        if webhook is None:
            return None
        return {
            **webhook.internal_view(),
            "handshake_pending": self.verifier.handshake_pending(webhook_id),
        }

    def internal_views(self) -> list[dict[str, Any]]:
        """Every webhook as controls see it."""
        views = (self.internal_view(webhook.id) for webhook in self.store.select())
        return [view for view in views if view is not None]

    async def reset(self) -> None:
        """Forget webhooks, faults, logs and rate-limit counters (options stay)."""
        await self.verifier.cancel_all()
        self.store.clear()
        self.faults.clear()
        self.requests.clear()
        self.deliveries.clear()
        self.limiter.reset()

    async def aclose(self) -> None:
        """Stop handshakes and close outgoing connections."""
        await self.verifier.aclose()


def create_sandbox_app(sandbox: Sandbox) -> ASGIApp:
    """The ASGI application serving ``sandbox``."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await sandbox.aclose()

    starlette = Starlette(
        routes=[
            Mount(PREFIX, routes=AdminRoutes(sandbox).routes()),
            # An ASGI endpoint (not a function) matches every method, so 405s are DevRev's.
            Route("/{path:path}", endpoint=ApiApp(sandbox)),
        ],
        lifespan=lifespan,
    )
    return TransportCapture(starlette)
