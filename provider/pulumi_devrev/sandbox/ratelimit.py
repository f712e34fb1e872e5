"""DevRev's rate limit: a fixed window per token with ``X-Ratelimit-*`` headers."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request against its token's window."""

    allowed: bool
    limit: int
    remaining: int
    #: Unix time (whole seconds) at which the current window ends.
    reset: int
    #: Whole seconds until the window ends, at least 1 (for ``Retry-After``).
    retry_after: int

    def headers(self) -> dict[str, str]:
        """The headers DevRev puts on every response."""
        return {
            "X-Ratelimit-Limit": str(self.limit),
            "X-Ratelimit-Remaining": str(self.remaining),
            "X-Ratelimit-Reset": str(self.reset),
        }


class FixedWindowLimiter:
    """Counts requests per key in windows that start with the first request after a reset."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, token: str, *, limit: int, window: float) -> RateDecision:
        """Count one request for ``token`` and decide whether it may proceed."""
        # Keyed by a digest so the limiter never holds a token.
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now >= start + window:
                start, count = now, 0
            count += 1
            self._windows[key] = (start, count)
        end = start + window
        return RateDecision(
            allowed=count <= limit,
            limit=limit,
            remaining=max(0, limit - count),
            reset=math.ceil(end),
            retry_after=max(1, math.ceil(end - now)),
        )

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()
