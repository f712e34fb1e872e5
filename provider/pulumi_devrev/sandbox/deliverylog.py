"""The log of every delivery attempt (handshakes and events), for tests to assert on.

It never holds a secret or a header value: custom headers appear by name, and URLs without
their ``user:password``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from .delivery import Attempt, DeliveryTarget

MAX_LOG_ENTRIES = 10_000


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
