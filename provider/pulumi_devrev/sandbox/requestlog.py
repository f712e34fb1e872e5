"""The log of DevRev API calls the sandbox received, for tests to assert on.

It records what a test needs to check a client (method, path, query, parsed body, status,
how the token was sent, which fault applied) and never the ``Authorization`` header; any
``secret`` value in a body is replaced by ``"<redacted>"`` (the empty string stays, since
it means "generate one" and is not a secret), and so is the ``value`` of every custom
header (``headers``, ``headers.add``, ``headers.set``): header values are often
credentials. Header names stay.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Literal

AuthKind = Literal["bearer", "bare", "missing", "invalid"]

REDACTED = "<redacted>"
# Enough for any test session; a long-running CLI sandbox keeps only the newest entries.
MAX_ENTRIES = 10_000


def redact_body(value: Any) -> Any:
    """A copy of ``value`` with every ``secret`` member other than ``""`` redacted, and the
    values of the custom headers under every ``headers`` member."""
    if isinstance(value, dict):
        return {key: _redact_member(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_body(item) for item in value]
    return value


def _redact_member(key: str, item: Any) -> Any:
    if key == "secret" and item != "":
        return REDACTED
    if key == "headers":
        return _redact_headers(item)
    return redact_body(item)


def _redact_headers(headers: Any) -> Any:
    """``[{"name", "value"}]`` (create, ``set``, ``add``) with each value other than ``""``
    redacted; ``{"add", "remove", "set"}`` (update) member by member."""
    if isinstance(headers, list):
        return [
            {k: (REDACTED if k == "value" and v != "" else redact_body(v)) for k, v in item.items()}
            if isinstance(item, dict)
            else redact_body(item)
            for item in headers
        ]
    if isinstance(headers, dict):
        return {
            key: _redact_headers(item) if key in ("add", "set") else redact_body(item)
            for key, item in headers.items()
        }
    return redact_body(headers)


class RequestLog:
    """Entries in arrival order, each finished with its response status."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=MAX_ENTRIES)
        self._seq = 0

    def begin(
        self,
        *,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        auth: AuthKind,
        fault: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Append an entry for a request as it arrives; :meth:`finish` sets its status."""
        with self._lock:
            self._seq += 1
            entry: dict[str, Any] = {
                "seq": self._seq,
                "time": time.time(),
                "method": method,
                "path": path,
                "query": query,
                "body": redact_body(body),
                "status": None,
                "auth": auth,
                "fault": fault,
            }
            self._entries.append(entry)
            return entry

    def finish(self, entry: dict[str, Any], status: int | str) -> None:
        """Set the entry's outcome: the HTTP status, ``"dropped"`` or ``"disconnected"``."""
        with self._lock:
            entry["status"] = status

    def entries(self, path: str | None = None) -> list[dict[str, Any]]:
        """Copies of the entries, oldest first, optionally only those for ``path``."""
        with self._lock:
            return [dict(entry) for entry in self._entries if path is None or entry["path"] == path]

    def clear(self) -> None:
        """Forget every entry and restart ``seq`` at 1."""
        with self._lock:
            self._entries.clear()
            self._seq = 0
