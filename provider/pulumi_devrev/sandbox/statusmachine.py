"""The webhook status machine as pure decisions (see the table in the API notes).

No I/O here: the API handlers ask what the status becomes and whether a verification
handshake must start, then do it. Exhaustive tests cover every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .options import ActivateMode

Status = Literal["active", "inactive", "unverified"]
Action = Literal["activate", "deactivate"]


@dataclass(frozen=True)
class Transition:
    """The status after an operation, and whether a new handshake must be sent."""

    status: Status
    handshake: bool


def after_create() -> Transition:
    """A new webhook is ``unverified`` until its endpoint echoes the challenge."""
    return Transition("unverified", handshake=True)


def after_update(
    current: Status,
    *,
    endpoint_changed: bool,
    action: Action | None,
    activate_mode: ActivateMode,
) -> Transition:
    """The status after ``webhooks.update``.

    ``endpoint_changed`` is true when the request carries ``url`` or ``secret`` at all:
    DevRev's rule is stated for the update, not for a different value, so resending the
    same URL also sends the webhook back to verification. ``event_types``/``headers``
    never matter.
    """
    if action == "deactivate":
        return Transition("inactive", handshake=False)
    if action == "activate" and current == "inactive":
        if activate_mode == "direct" and not endpoint_changed:
            return Transition("active", handshake=False)
        # Re-activating onto a new URL or secret must prove the endpoint first, whatever
        # the mode: otherwise an unverified URL would receive events.
        return Transition("unverified", handshake=True)
    # `activate` on an active or unverified webhook changes nothing by itself.
    if endpoint_changed and current in ("active", "unverified"):
        # On an unverified webhook the pending handshake restarts against the new target.
        return Transition("unverified", handshake=True)
    return Transition(current, handshake=False)


def after_handshake(current: Status, *, succeeded: bool) -> Status:
    """A successful, still-current handshake activates an ``unverified`` webhook only."""
    if succeeded and current == "unverified":
        return "active"
    return current
