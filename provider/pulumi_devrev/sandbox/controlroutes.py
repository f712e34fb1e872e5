"""The one description of the ``/_sandbox/`` test controls, for both of their ends.

:mod:`.admin` serves each route with the handler of the same ``name`` and lists the table at
``GET /_sandbox/``; :class:`~.control.SandboxControl` builds its requests from it. Plain
data: the client side imports it without the server's dependencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Where the controls are mounted; DevRev's API has every other path.
PREFIX = "/_sandbox"

_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class ControlRoute:
    """One control: its handler's name, method, path under :data:`PREFIX`, and purpose.

    ``path`` is in Starlette's syntax: ``{webhook_id:path}`` matches a webhook id with its
    slashes.
    """

    name: str
    method: str
    path: str
    summary: str

    def path_for(self, **parameters: str) -> str:
        """``path`` with its ``{parameters}`` filled in, relative to :data:`PREFIX`."""
        return _PARAMETER.sub(lambda match: parameters[match.group(1)], self.path)


INDEX = ControlRoute("index", "GET", "/", "this list of the controls")
HEALTH = ControlRoute("health", "GET", "/health", '{"ok": true} while the sandbox serves')
ADD_FAULT = ControlRoute(
    "add_fault",
    "POST",
    "/faults",
    "queue a fault for the next requests to a path: {path, method?, count?, "
    "status?, retry_after?, delay?, drop?: before|after}",
)
LIST_FAULTS = ControlRoute("list_faults", "GET", "/faults", "the faults still queued")
CLEAR_FAULTS = ControlRoute("clear_faults", "DELETE", "/faults", "drop every queued fault")
LIST_REQUESTS = ControlRoute(
    "list_requests",
    "GET",
    "/requests",
    "the API requests received, oldest first (?path= to filter); no token, "
    "secrets and header values redacted",
)
CLEAR_REQUESTS = ControlRoute("clear_requests", "DELETE", "/requests", "empty the request log")
FORCE_STATUS = ControlRoute(
    "force_status",
    "POST",
    "/webhooks/status",
    "set a webhook's status: {id, status}; stops its handshake",
)
LIST_WEBHOOKS = ControlRoute(
    "list_webhooks", "GET", "/webhooks", "every webhook (no secrets, no header values)"
)
GET_WEBHOOK = ControlRoute(
    "get_webhook", "GET", "/webhooks/{webhook_id:path}", "one webhook, or 404"
)
SEND_EVENT = ControlRoute(
    "send_event",
    "POST",
    "/events",
    "deliver one object event now: {webhook_id, type, payload}",
)
LIST_DELIVERIES = ControlRoute(
    "list_deliveries",
    "GET",
    "/deliveries",
    "delivery attempts, handshakes included (?webhook_id= to filter)",
)
CLEAR_DELIVERIES = ControlRoute(
    "clear_deliveries", "DELETE", "/deliveries", "empty the delivery log"
)
GET_CONFIG = ControlRoute("get_config", "GET", "/config", "the options")
SET_CONFIG = ControlRoute("set_config", "POST", "/config", "change options: {option: value, ...}")
RESET = ControlRoute(
    "reset",
    "POST",
    "/reset",
    "forget webhooks, faults, logs and rate-limit counters (options stay)",
)

#: Every control, in the order ``GET /_sandbox/`` lists them (and Starlette matches them).
CONTROL_ROUTES: tuple[ControlRoute, ...] = (
    INDEX,
    HEALTH,
    ADD_FAULT,
    LIST_FAULTS,
    CLEAR_FAULTS,
    LIST_REQUESTS,
    CLEAR_REQUESTS,
    FORCE_STATUS,
    LIST_WEBHOOKS,
    GET_WEBHOOK,
    SEND_EVENT,
    LIST_DELIVERIES,
    CLEAR_DELIVERIES,
    GET_CONFIG,
    SET_CONFIG,
    RESET,
)
