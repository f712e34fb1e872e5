"""A small synchronous client for the sandbox's ``/_sandbox/`` test controls.

Its requests are built from :mod:`.controlroutes`, the table the server side serves.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

import httpx

from . import controlroutes as routes
from .controlroutes import ControlRoute


class SandboxControlError(Exception):
    """A control request failed; the message is the sandbox's explanation."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class SandboxControl:
    """Drive a running sandbox from tests and tools: faults, logs, statuses, options.

    None of these calls go through DevRev's API, so none appear in the request log or
    count against the rate limit.
    """

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        # trust_env=False: control traffic to a local sandbox must not go through a proxy.
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + routes.PREFIX, timeout=timeout, trust_env=False
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, route: ControlRoute, **kwargs: Any) -> Any:
        method, path = route.method, route.path_for()
        response = self._http.request(method, path, **kwargs)
        if response.is_error:
            try:
                message = str(response.json()["error"])
            except (ValueError, KeyError, TypeError):
                message = response.text or response.reason_phrase
            raise SandboxControlError(
                f"{method} {routes.PREFIX}{path}: {response.status_code} {message}",
                response.status_code,
            )
        return response.json()

    def health(self) -> bool:
        """True when the sandbox answers."""
        return bool(self._call(routes.HEALTH)["ok"])

    def inject(
        self,
        path: str,
        *,
        status: int | None = None,
        count: int = 1,
        delay: float | None = None,
        drop: str | None = None,
        retry_after: int | None = None,
        method: str | None = None,
    ) -> dict[str, Any]:
        """Queue a fault for the next ``count`` requests to ``path`` (optionally one method).

        ``status`` answers with DevRev's error of that status without processing (429 adds
        ``retry_after``); ``delay`` waits that many seconds first; ``drop="before"`` closes
        the connection without processing, ``drop="after"`` processes, then closes without
        answering. Returns the queued fault.
        """
        fault: dict[str, Any] = {"path": path, "count": count}
        for name, value in (
            ("status", status),
            ("delay", delay),
            ("drop", drop),
            ("retry_after", retry_after),
            ("method", method),
        ):
            if value is not None:
                fault[name] = value
        result: dict[str, Any] = self._call(routes.ADD_FAULT, json=fault)["fault"]
        return result

    def faults(self) -> list[dict[str, Any]]:
        """Faults still queued."""
        result: list[dict[str, Any]] = self._call(routes.LIST_FAULTS)["faults"]
        return result

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self._call(routes.CLEAR_FAULTS)

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """The DevRev API requests received, oldest first, optionally for one path.

        Each is ``{seq, time, method, path, query, body, status, auth, fault}``; ``body`` is
        the parsed JSON with secrets and header values redacted, ``status`` the HTTP status
        or ``"dropped"``.
        """
        params = {"path": path} if path is not None else None
        result: list[dict[str, Any]] = self._call(routes.LIST_REQUESTS, params=params)["requests"]
        return result

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._call(routes.CLEAR_REQUESTS)

    def force_status(self, webhook_id: str, status: str) -> None:
        """Set a webhook's status directly (stops any handshake in flight)."""
        self._call(routes.FORCE_STATUS, json={"id": webhook_id, "status": status})

    def webhooks(self) -> list[dict[str, Any]]:
        """The sandbox's internal views of every webhook it holds (no secrets)."""
        result: list[dict[str, Any]] = self._call(routes.LIST_WEBHOOKS)["webhooks"]
        return result

    def webhook(self, webhook_id: str) -> dict[str, Any] | None:
        """The sandbox's internal view of a webhook (no secret), or None if absent."""
        route = routes.GET_WEBHOOK
        response = self._http.request(route.method, route.path_for(webhook_id=webhook_id))
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()["webhook"]
        return result

    def send_event(self, webhook_id: str, type: str, payload: Any) -> dict[str, Any]:
        """Deliver one object event now: ``{"delivered", "status_code", "reason"}``."""
        result: dict[str, Any] = self._call(
            routes.SEND_EVENT, json={"webhook_id": webhook_id, "type": type, "payload": payload}
        )
        return result

    def deliveries(self, webhook_id: str | None = None) -> list[dict[str, Any]]:
        """Delivery attempts (handshakes and events), oldest first."""
        params = {"webhook_id": webhook_id} if webhook_id is not None else None
        result: list[dict[str, Any]] = self._call(routes.LIST_DELIVERIES, params=params)[
            "deliveries"
        ]
        return result

    def clear_deliveries(self) -> None:
        """Empty the delivery log."""
        self._call(routes.CLEAR_DELIVERIES)

    def configure(self, **options: Any) -> dict[str, Any]:
        """Change options at runtime; returns all current options."""
        result: dict[str, Any] = self._call(routes.SET_CONFIG, json=options)["options"]
        return result

    def options(self) -> dict[str, Any]:
        """The current options."""
        result: dict[str, Any] = self._call(routes.GET_CONFIG)["options"]
        return result

    def reset(self) -> None:
        """Forget webhooks, faults, logs and rate-limit counters."""
        self._call(routes.RESET)

    def wait_for_status(self, webhook_id: str, status: str, timeout: float) -> str:
        """Poll until the webhook has ``status`` or ``timeout`` seconds pass.

        Reads the sandbox's internal state, so polling adds nothing to the request log.
        Returns the last status seen: ``status`` on success, otherwise what it was when
        time ran out (``"missing"`` if the webhook does not exist).
        """
        deadline = time.monotonic() + timeout
        while True:
            view = self.webhook(webhook_id)
            current = str(view["status"]) if view is not None else "missing"
            if current == status or time.monotonic() >= deadline:
                return current
            time.sleep(0.01)
