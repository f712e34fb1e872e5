"""Waiting for DevRev's verification handshake: the opt-in ``wait_for_active`` input.

Kept apart from the CRUD code on purpose. After a create, or a url/secret change, DevRev POSTs a
``verify`` event to the endpoint and the webhook stays ``unverified`` (receiving no events) until
the endpoint echoes the challenge. This module polls ``webhooks.get`` until ``active``, with a
growing interval so a long wait costs few API calls; when the wait runs out,
:class:`~pulumi_devrev.errors.VerificationTimeout` explains what the endpoint must do.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .client import DevRevClient
from .errors import DevRevError, VerificationTimeout
from .models import Webhook, WebhookStatus
from .redaction import redact_url

__all__ = ["POLL_INTERVALS", "wait_until_active"]

# Seconds between polls: quick at first (a healthy endpoint answers within seconds), then
# capped so a three-minute wait is about twenty calls.
POLL_INTERVALS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0)
_PROGRESS_EVERY = 10.0


def wait_until_active(
    client: DevRevClient,
    hook: Webhook,
    timeout: float,
    report: Callable[[str], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Webhook:
    """Poll until ``hook`` is ``active``; return its latest state or raise VerificationTimeout.

    ``report`` receives progress lines. A webhook that turns ``inactive`` (deactivated while we
    wait) or disappears ends the wait at once with an error, since it can never become active.
    """
    if hook.status == WebhookStatus.ACTIVE:
        return hook
    start = clock()
    next_report = start
    polls = 0
    report(f"waiting up to {timeout:.0f}s for DevRev to verify {redact_url(hook.url)} ({hook.id})")
    while True:
        elapsed = clock() - start
        if elapsed >= timeout:
            raise VerificationTimeout(hook, elapsed)
        if clock() >= next_report and polls:
            report(f"  {hook.id} is {hook.status.value} after {elapsed:.0f}s of {timeout:.0f}s")
            next_report = clock() + _PROGRESS_EVERY
        interval = POLL_INTERVALS[min(polls, len(POLL_INTERVALS) - 1)]
        sleep(max(0.0, min(interval, timeout - elapsed)))
        polls += 1
        latest = client.get_webhook(hook.id)
        if latest is None:
            raise DevRevError(f"DevRev webhook {hook.id} was deleted while waiting for it")
        hook = latest
        if hook.status == WebhookStatus.ACTIVE:
            report(f"  {hook.id} is active after {clock() - start:.0f}s")
            return hook
        if not hook.active:
            raise DevRevError(
                f"DevRev webhook {hook.id} was deactivated while waiting for verification"
            )
