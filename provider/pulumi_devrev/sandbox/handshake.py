"""The verification handshake: the challenge event, judging the answer, retries.

The handshake runs as a task on the server's event loop, so API answers never wait for it.
A generation counter on the webhook makes a handshake that was overtaken (the webhook was
deleted, changed, deactivated or had its status forced) change nothing. The POSTs
themselves go through :class:`~.delivery.Deliverer`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from . import delivery, statusmachine
from .delivery import Attempt, Deliverer, DeliveryTarget, build_event, encode_event
from .deliverylog import DeliveryLog
from .options import ChallengeLocation, SandboxOptions
from .store import StoredWebhook, WebhookStore

logger = logging.getLogger("pulumi_devrev.sandbox")


def build_verify_event(
    webhook_id: str, challenge: str, location: ChallengeLocation = "both"
) -> dict[str, Any]:
    """The handshake event, carrying ``challenge`` where ``location`` says.

    Unsettled point 2 of the API contract: the spec puts the challenge at
    ``verify.challenge``, while DevRev's own example receiver (``webhooks/main.go`` in
    DevRev's examples repository) reads a top-level ``challenge`` and answers with it. That
    example works against DevRev, so by default the sandbox sends both; ``"verify"`` (the
    spec only) and ``"top-level"`` (the example only) let a user test a receiver against
    either. Whatever the location, the answer must be 200 with a JSON object whose
    ``challenge`` is the same value (see :func:`judge_verify_answer`).
    """
    event = build_event(webhook_id, "verify", {"challenge": challenge})
    if location == "top-level":
        del event["verify"]
    if location != "verify":
        event["challenge"] = challenge
    return event


def new_challenge() -> str:
    """A random base64 challenge, like DevRev's."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def judge_verify_answer(attempt: Attempt, challenge: str) -> tuple[bool, str]:
    """Whether an answer completes the handshake: 200 with the same ``challenge``.

    The answer is read as JSON whatever its ``Content-Type`` (DevRev's Go example sends
    none, so Go's sniffed ``text/plain``), surrounding whitespace and other members are
    ignored; it must be an object whose ``challenge`` equals the one sent.
    """
    if attempt.status_code is None:
        return False, attempt.failure
    if attempt.status_code != 200:
        return False, f"endpoint answered HTTP {attempt.status_code}; the handshake needs 200"
    answer = attempt.json()
    if not isinstance(answer, dict) or "challenge" not in answer:
        return False, 'endpoint answered 200 without a JSON "challenge"'
    if answer["challenge"] != challenge:
        return False, "endpoint answered a different challenge"
    return True, "challenge echoed"


class Verifier:
    """Runs handshakes in the background and delivers object events on request."""

    def __init__(
        self,
        store: WebhookStore,
        log: DeliveryLog,
        options: Callable[[], SandboxOptions],
    ) -> None:
        self._store = store
        self._log = log
        self._options = options
        self._deliverer = Deliverer()
        # The newest handshake per webhook, and every handshake still running: an
        # overtaken one finishes its attempt in flight (the endpoint is not cut off
        # mid-request), records it as ignored, and stops.
        self._newest: dict[str, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def start(self, webhook: StoredWebhook) -> None:
        """Begin a new handshake for ``webhook`` on the running loop; older ones go stale."""
        webhook.generation += 1
        task = asyncio.get_running_loop().create_task(
            self._handshake(webhook.id, webhook.generation)
        )
        self._newest[webhook.id] = task
        self._running.add(task)
        task.add_done_callback(lambda done: self._forget(webhook.id, done))

    def _forget(self, webhook_id: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._newest.get(webhook_id) is task:
            del self._newest[webhook_id]

    def handshake_pending(self, webhook_id: str) -> bool:
        """Whether the webhook's current handshake is still running."""
        return webhook_id in self._newest

    def invalidate(self, webhook: StoredWebhook) -> None:
        """Make any handshake in flight for ``webhook`` stale: its outcome changes nothing."""
        webhook.generation += 1
        self._newest.pop(webhook.id, None)

    async def cancel_all(self) -> None:
        """Stop every handshake now (reset, shutdown)."""
        tasks = list(self._running)
        self._newest.clear()
        self._running.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def aclose(self) -> None:
        """Stop handshakes and close connections."""
        await self.cancel_all()
        await self._deliverer.aclose()

    def _current(self, webhook_id: str, generation: int) -> StoredWebhook | None:
        webhook = self._store.get(webhook_id)
        if webhook is None or webhook.generation != generation:
            return None
        return webhook

    async def _handshake(self, webhook_id: str, generation: int) -> None:
        options = self._options()
        challenge = new_challenge()
        event = build_verify_event(webhook_id, challenge, options.challenge_location)
        # One event, resent as is on retry (same id, same bytes), as DevRev retries.
        body = encode_event(event)
        for number in range(1, options.verify_attempts + 1):
            webhook = self._current(webhook_id, generation)
            if webhook is None:
                return
            target = DeliveryTarget.of(webhook)
            attempt = await self._deliverer.post(target, body, options=options)
            ok, reason = judge_verify_answer(attempt, challenge)
            webhook = self._current(webhook_id, generation)
            if webhook is None:
                # Overtaken while waiting for the answer: record it, change nothing.
                self._log.add(
                    target,
                    event,
                    attempt,
                    number=number,
                    ok=False,
                    reason=f"{reason} (ignored: the webhook changed meanwhile)",
                )
                return
            self._log.add(target, event, attempt, number=number, ok=ok, reason=reason)
            if ok:
                status = statusmachine.after_handshake(webhook.status, succeeded=True)
                if status != webhook.status:
                    webhook.status = status
                    self._store.save()
                logger.info("%s verified on attempt %d", target.display_id, number)
                return
            logger.info(
                "%s verification attempt %d/%d failed: %s",
                target.display_id,
                number,
                options.verify_attempts,
                reason,
            )
            if number < options.verify_attempts:
                await asyncio.sleep(options.verify_retry_delay)

    async def send_event(self, webhook_id: str, event_type: str, payload: Any) -> dict[str, Any]:
        """Deliver one object event now (one attempt); what happened and why."""
        return await delivery.send_event(
            self._deliverer,
            self._log,
            self._store.get(webhook_id),
            event_type,
            payload,
            options=self._options(),
        )
