"""Test controls under ``/_sandbox/``: not DevRev's API, so no auth, no rate limit, no log.

JSON in, JSON out; a bad control request answers ``{"error": "..."}`` with 400 (or 404
for an unknown webhook). :class:`~pulumi_devrev.sandbox.control.SandboxControl` is the
client for these routes; :mod:`.controlroutes` describes them for both.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import faults, openapi
from .api import json_response
from .controlroutes import CONTROL_ROUTES, PREFIX, ControlRoute

if TYPE_CHECKING:
    from .app import Sandbox


class ControlError(Exception):
    """A control request the sandbox cannot carry out."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise ControlError("the body must be a JSON object") from None
    if not isinstance(value, dict):
        raise ControlError("the body must be a JSON object")
    return value


def _error(exc: ControlError) -> Response:
    return json_response(exc.status, {"error": str(exc)})


class AdminRoutes:
    """The control endpoints bound to one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[Route]:
        """Routes relative to the ``/_sandbox`` mount: each control of
        :data:`~.controlroutes.CONTROL_ROUTES`, served by the method of its ``name``."""
        return [
            Route(route.path, self._handler(route), methods=[route.method])
            for route in CONTROL_ROUTES
        ]

    def _handler(self, route: ControlRoute) -> Callable[[Request], Awaitable[Response]]:
        handler: Callable[[Request], Awaitable[Response]] = getattr(self, route.name)
        return handler

    async def index(self, request: Request) -> Response:
        """``GET /_sandbox/`` -> ``{"controls": [{method, path, description}, ...]}``."""
        controls = [
            {"method": route.method, "path": PREFIX + route.path, "description": route.summary}
            for route in CONTROL_ROUTES
        ]
        return json_response(200, {"controls": controls})

    async def health(self, request: Request) -> Response:
        """``GET /_sandbox/health`` -> ``{"ok": true}``."""
        return json_response(200, {"ok": True})

    async def add_fault(self, request: Request) -> Response:
        """``POST /_sandbox/faults``: queue a fault (see :func:`faults.parse_fault`)."""
        try:
            fault = faults.parse_fault(await _json_object(request))
        except ValueError as exc:
            return _error(ControlError(str(exc)))
        except ControlError as exc:
            return _error(exc)
        self.sandbox.faults.add(fault)
        return json_response(201, {"fault": fault.to_dict()})

    async def list_faults(self, request: Request) -> Response:
        """``GET /_sandbox/faults`` -> ``{"faults": [...]}`` still queued."""
        return json_response(200, {"faults": self.sandbox.faults.pending()})

    async def clear_faults(self, request: Request) -> Response:
        """``DELETE /_sandbox/faults``."""
        self.sandbox.faults.clear()
        return json_response(200, {})

    async def list_requests(self, request: Request) -> Response:
        """``GET /_sandbox/requests[?path=]`` -> ``{"requests": [...]}`` oldest first."""
        path = request.query_params.get("path")
        return json_response(200, {"requests": self.sandbox.requests.entries(path)})

    async def clear_requests(self, request: Request) -> Response:
        """``DELETE /_sandbox/requests``."""
        self.sandbox.requests.clear()
        return json_response(200, {})

    async def force_status(self, request: Request) -> Response:
        """``POST /_sandbox/webhooks/status {id, status}``: set a status, stop any handshake."""
        try:
            body = await _json_object(request)
            webhook_id, status = body.get("id"), body.get("status")
            if not isinstance(webhook_id, str):
                raise ControlError("id must be a webhook id")
            if status not in openapi.WEBHOOK_STATUSES:
                raise ControlError(f"status must be one of {', '.join(openapi.WEBHOOK_STATUSES)}")
            webhook = self.sandbox.force_status(webhook_id, status)
            if webhook is None:
                raise ControlError("there is no webhook with this id", 404)
        except ControlError as exc:
            return _error(exc)
        return json_response(200, {"webhook": webhook})

    async def list_webhooks(self, request: Request) -> Response:
        """``GET /_sandbox/webhooks`` -> internal views (no secrets, no header values)."""
        return json_response(200, {"webhooks": self.sandbox.internal_views()})

    async def get_webhook(self, request: Request) -> Response:
        """``GET /_sandbox/webhooks/{id}`` -> ``{"webhook": internal view}`` or 404."""
        view = self.sandbox.internal_view(request.path_params["webhook_id"])
        if view is None:
            return _error(ControlError("there is no webhook with this id", 404))
        return json_response(200, {"webhook": view})

    async def send_event(self, request: Request) -> Response:
        """``POST /_sandbox/events {webhook_id, type, payload}`` -> delivery outcome."""
        try:
            body = await _json_object(request)
            webhook_id, event_type = body.get("webhook_id"), body.get("type")
            if not isinstance(webhook_id, str):
                raise ControlError("webhook_id must be a webhook id")
            if event_type not in openapi.EVENT_TYPES or event_type == "verify":
                raise ControlError("type must be an object event type of the spec (not verify)")
            if "payload" not in body:
                raise ControlError("payload is required (the object the event carries)")
        except ControlError as exc:
            return _error(exc)
        outcome = await self.sandbox.verifier.send_event(webhook_id, event_type, body["payload"])
        return json_response(200, outcome)

    async def list_deliveries(self, request: Request) -> Response:
        """``GET /_sandbox/deliveries[?webhook_id=]`` -> ``{"deliveries": [...]}``."""
        webhook_id = request.query_params.get("webhook_id")
        return json_response(200, {"deliveries": self.sandbox.deliveries.entries(webhook_id)})

    async def clear_deliveries(self, request: Request) -> Response:
        """``DELETE /_sandbox/deliveries``."""
        self.sandbox.deliveries.clear()
        return json_response(200, {})

    async def get_config(self, request: Request) -> Response:
        """``GET /_sandbox/config`` -> ``{"options": {...}}``."""
        return json_response(200, {"options": self.sandbox.options.to_dict()})

    async def set_config(self, request: Request) -> Response:
        """``POST /_sandbox/config {option: value, ...}`` -> ``{"options": {...}}``."""
        try:
            changes = await _json_object(request)
            options = self.sandbox.configure(**changes)
        except ControlError as exc:
            return _error(exc)
        except ValueError as exc:
            return _error(ControlError(str(exc)))
        return json_response(200, {"options": options.to_dict()})

    async def reset(self, request: Request) -> Response:
        """``POST /_sandbox/reset``: webhooks, faults, logs and rate-limit counters."""
        await self.sandbox.reset()
        return json_response(200, {})
