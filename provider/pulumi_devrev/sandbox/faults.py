"""Injected faults: error answers, delays and dropped connections for the next N requests.

Faults queue first-in first-out per path. A request takes the first queued fault for its
path whose method matches (or that has no method); the fault applies to ``count``
requests, then the next one in the queue takes over.

Dropping a connection must look like a network failure to the client (an
``httpx.RemoteProtocolError``/``ReadError``), never like an HTTP answer. That needs the
TCP transport, which ASGI does not expose, hence :class:`TransportCapture` below.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

DropMode = Literal["before", "after"]
DROP_MODES: tuple[DropMode, ...] = ("before", "after")

_FAULT_FIELDS = {"path", "method", "count", "status", "retry_after", "delay", "drop"}


@dataclass
class Fault:
    """One injected fault and how many more requests it applies to."""

    path: str
    method: str | None
    remaining: int
    status: int | None = None
    retry_after: int | None = None
    delay: float | None = None
    drop: DropMode | None = None

    def describe(self) -> dict[str, Any]:
        """The fault as JSON, without the bookkeeping (what the request log shows)."""
        described: dict[str, Any] = {}
        for name in ("status", "retry_after", "delay", "drop"):
            value = getattr(self, name)
            if value is not None:
                described[name] = value
        return described

    def to_dict(self) -> dict[str, Any]:
        """The fault as JSON, including its path, method and remaining count."""
        return {
            "path": self.path,
            "method": self.method,
            "count": self.remaining,
            **self.describe(),
        }


def parse_fault(body: object) -> Fault:
    """Build a fault from the JSON of ``POST /_sandbox/faults``; ValueError says what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("the fault must be a JSON object")
    unknown = sorted(set(body) - _FAULT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fault field {', '.join(unknown)}")
    path = body.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError("path must be a string starting with '/', e.g. /webhooks.create")
    method = body.get("method")
    if method is not None and (not isinstance(method, str) or not method.isalpha()):
        raise ValueError("method must be an HTTP method such as POST")
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError("count must be an integer of 1 or more")
    status = body.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
    ):
        raise ValueError("status must be an HTTP error status between 400 and 599")
    retry_after = body.get("retry_after")
    if retry_after is not None and (
        isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0
    ):
        raise ValueError("retry_after must be a whole number of seconds")
    delay = body.get("delay")
    if delay is not None and (
        isinstance(delay, bool)
        or not isinstance(delay, int | float)
        or not math.isfinite(delay)
        or not 0 <= delay <= 600
    ):
        raise ValueError("delay must be a number of seconds between 0 and 600")
    drop = body.get("drop")
    if drop is not None and drop not in DROP_MODES:
        raise ValueError("drop must be 'before' or 'after'")
    if status is not None and drop is not None:
        raise ValueError("a fault either answers with a status or drops the connection, not both")
    if retry_after is not None and status is None:
        raise ValueError("retry_after needs a status to answer with")
    if status is None and drop is None and delay is None:
        raise ValueError("give at least one of status, delay or drop")
    return Fault(
        path=path,
        method=method.upper() if isinstance(method, str) else None,
        remaining=count,
        status=status,
        retry_after=retry_after,
        delay=float(delay) if delay is not None else None,
        drop=drop,
    )


class FaultQueue:
    """Pending faults, FIFO per path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Fault]] = {}

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` behind the others for its path."""
        with self._lock:
            self._queues.setdefault(fault.path, deque()).append(fault)

    def take(self, path: str, method: str) -> Fault | None:
        """The fault that applies to this request, counted as used; None when none does."""
        with self._lock:
            queue = self._queues.get(path)
            if not queue:
                return None
            for fault in queue:
                if fault.method is None or fault.method == method:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        queue.remove(fault)
                    return Fault(**{**fault.__dict__, "remaining": fault.remaining})
            return None

    def pending(self) -> list[dict[str, Any]]:
        """Every queued fault, per path in queue order."""
        with self._lock:
            return [fault.to_dict() for queue in self._queues.values() for fault in queue]

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._queues.clear()


# ------------------------------------------------------------------ dropping a connection

_TRANSPORT_KEY = "pulumi_devrev.sandbox.transport"


class TransportCapture:
    """Outermost ASGI layer: remembers the request's TCP transport in the scope.

    In uvicorn the ``send`` callable handed to the application is a bound method of the
    request/response cycle object, which holds the connection's ``transport``. Only the
    outermost layer sees that exact callable (middlewares wrap it), so it is captured here
    and put in the scope, where :class:`DroppedConnection` finds it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            cycle = getattr(send, "__self__", None)
            transport = getattr(cycle, "transport", None)
            if isinstance(transport, asyncio.BaseTransport):
                scope[_TRANSPORT_KEY] = (transport, cycle)
        await self.app(scope, receive, send)


class DroppedConnection(Response):
    """A "response" that closes the TCP connection without answering."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        captured = scope.get(_TRANSPORT_KEY)
        if captured is not None:
            transport, cycle = captured
            transport.abort()
            # The server marks the cycle disconnected when the transport reports the loss
            # on a later loop iteration; returning before that would make it log "returned
            # without starting response" and try to write a 500 into the closed socket.
            for _ in range(100):
                if getattr(cycle, "disconnected", True):
                    break
                await asyncio.sleep(0)
            return
        # Without a transport (another ASGI server), promise a body and break the promise:
        # the server must close the connection, and the client sees a truncated response,
        # a protocol error rather than a usable answer.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"{", "more_body": False})
