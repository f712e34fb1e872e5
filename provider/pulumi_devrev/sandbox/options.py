"""Tunable behaviour of the sandbox: one immutable, validated value.

The same options arrive as constructor keywords, CLI flags and JSON through
``/_sandbox/config``; they are validated here once so every entry point rejects the same
things with the same words.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

ActivateMode = Literal["verify", "direct"]
ACTIVATE_MODES: tuple[ActivateMode, ...] = ("verify", "direct")
ChallengeLocation = Literal["both", "verify", "top-level"]
CHALLENGE_LOCATIONS: tuple[ChallengeLocation, ...] = ("both", "verify", "top-level")


@dataclass(frozen=True)
class SandboxOptions:
    """How the sandbox behaves where DevRev leaves room, or where tests need a knob.

    Instances are immutable; :meth:`with_changes` returns a validated copy, so a request
    being handled never sees half-applied settings.
    """

    #: What ``action: activate`` does to an ``inactive`` webhook. DevRev has not said
    #: (unsettled point 3): ``"verify"`` moves it to ``unverified`` and sends a new
    #: handshake, ``"direct"`` moves it straight to ``active``.
    activate_mode: ActivateMode = "verify"
    #: Where the verify event carries its challenge (unsettled point 2): ``"both"``,
    #: ``"verify"`` (only ``verify.challenge``, as the spec says) or ``"top-level"`` (only
    #: a top-level ``challenge``, as DevRev's example receiver reads it).
    challenge_location: ChallengeLocation = "both"
    #: Handshake deliveries per verification (DevRev retries failed deliveries).
    verify_attempts: int = 3
    #: Seconds between two handshake attempts.
    verify_retry_delay: float = 2.0
    #: Seconds an endpoint has to answer one delivery; DevRev's rule is 3 s.
    delivery_timeout: float = 3.0
    #: Requests per window per token; ``None`` turns rate limiting off.
    rate_limit: int | None = None
    #: Length of the fixed rate-limit window in seconds (DevRev: five minutes).
    rate_window: float = 300.0
    #: Deliver to non-loopback hosts. Off by default so a test machine never sends
    #: traffic anywhere but to itself.
    allow_remote_delivery: bool = False
    #: Largest request body accepted; larger bodies get DevRev's 413.
    max_body_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if self.activate_mode not in ACTIVATE_MODES:
            raise ValueError(
                f"activate_mode must be one of {', '.join(ACTIVATE_MODES)}; "
                f"got {self.activate_mode!r}"
            )
        if self.challenge_location not in CHALLENGE_LOCATIONS:
            raise ValueError(
                f"challenge_location must be one of {', '.join(CHALLENGE_LOCATIONS)}; "
                f"got {self.challenge_location!r}"
            )
        _require_int("verify_attempts", self.verify_attempts, minimum=1, maximum=100)
        _set(
            self,
            "verify_retry_delay",
            _require_seconds("verify_retry_delay", self.verify_retry_delay),
        )
        _set(
            self,
            "delivery_timeout",
            _require_seconds("delivery_timeout", self.delivery_timeout, positive=True),
        )
        if self.rate_limit is not None:
            _require_int("rate_limit", self.rate_limit, minimum=0, maximum=10**9)
            if self.rate_limit == 0:
                # 0 reads naturally as "no limit" on a command line.
                _set(self, "rate_limit", None)
        _set(self, "rate_window", _require_seconds("rate_window", self.rate_window, positive=True))
        if not isinstance(self.allow_remote_delivery, bool):
            raise ValueError("allow_remote_delivery must be true or false")
        _require_int("max_body_bytes", self.max_body_bytes, minimum=1, maximum=1 << 30)

    def with_changes(self, **changes: Any) -> SandboxOptions:
        """Return a validated copy with ``changes`` applied; unknown names raise ValueError."""
        known = {field.name for field in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(
                f"unknown option {', '.join(unknown)}; known options: {', '.join(sorted(known))}"
            )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The options as a JSON-ready dict."""
        return dataclasses.asdict(self)


def _set(options: SandboxOptions, name: str, value: object) -> None:
    # Normalising inside __post_init__ of a frozen dataclass needs object.__setattr__.
    object.__setattr__(options, name, value)


def _require_int(name: str, value: object, *, minimum: int, maximum: int) -> None:
    # bool is an int subclass, but `true` for a count is a mistake worth reporting.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer; got {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}; got {value}")


def _require_seconds(name: str, value: object, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number of seconds; got {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0 or (positive and seconds == 0):
        bound = "greater than 0" if positive else "0 or more"
        raise ValueError(f"{name} must be {bound} seconds; got {value}")
    return seconds
