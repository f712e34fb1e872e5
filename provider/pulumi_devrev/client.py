"""``DevRevClient``: DevRev's webhooks endpoints over httpx, one method per endpoint.

Cross-cutting concerns live in one place each: authentication in the constructor's headers;
one HTTP exchange in :meth:`DevRevClient._send` (timeouts cut to the operation's deadline,
DevRev's error bodies mapped to typed one-line exceptions, the token and secrets redacted); the
one retry loop in :meth:`DevRevClient._retrying` (tenacity: capped exponential backoff with
jitter, ``Retry-After`` honoured, never past the deadline). Methods only say which endpoint and
what body.

The client is thread-safe: the provider host runs four calls at once, sharing one client and
its connection pool.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential_jitter

from .errors import (
    ConfigurationError,
    CreateOutcomeUnknown,
    DevRevAPIError,
    DevRevError,
    NotFoundError,
    TransportError,
    error_class_for,
)
from .models import CreateWebhookRequest, UpdateWebhookRequest, Webhook, WebhookStatus
from .redaction import one_line, redact, redact_url, redact_urls_in, url_secrets
from .settings import (
    DEFAULT_API_URL,
    DEFAULT_OPERATION_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    MISSING_TOKEN,
    Settings,
    check_api_url,
)

__all__ = ["DevRevClient", "RetryPolicy", "Timeouts", "new_secret", "shared_client"]

T = TypeVar("T")

log = logging.getLogger("pulumi_devrev.client")

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# Statuses after which a create cannot have taken effect: the request was refused up front.
_REFUSED_STATUS = frozenset({429})
# How far DevRev's clock may be behind ours when judging "created since this call began".
_CLOCK_SKEW = timedelta(minutes=2)
# Pauses between looks for a timed-out create that may still land (bounded by the deadline).
_SETTLE_PAUSES = (0.25, 0.5, 1.0, 2.0, 4.0)

try:
    _VERSION = version("pulumi-devrev")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    _VERSION = "0+unknown"


@dataclass(frozen=True)
class Timeouts:
    """Per-request timeouts; ``deadline`` bounds a whole operation, retries included.

    ``read`` and ``deadline`` default to the settings' defaults (``devrev:readTimeout``,
    ``devrev:operationTimeout``), decided in :mod:`pulumi_devrev.settings` alone.
    """

    connect: float = 5.0
    read: float = DEFAULT_READ_TIMEOUT
    write: float = 30.0
    pool: float = 10.0
    deadline: float = DEFAULT_OPERATION_TIMEOUT


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter; ``Retry-After`` wins when DevRev sends it."""

    max_attempts: int = 6
    initial_wait: float = 0.5
    max_wait: float = 20.0
    jitter: float = 0.5
    max_retry_after: float = 300.0
    """A longer ``Retry-After`` than this (or than the deadline allows) fails at once."""


# Private to the client, not in errors.py: it never leaves it (_retrying turns it into the
# TransportError callers see).
class _Transient(DevRevError):
    """A transport failure, kept apart from the final :class:`TransportError` during retries."""

    def __init__(self, detail: str, *, may_have_taken_effect: bool, pending: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.may_have_taken_effect = may_have_taken_effect
        self.pending = pending
        """The request timed out after it was sent: DevRev may still be working on it."""


class DevRevClient:
    """DevRev's webhooks API.

    >>> client = DevRevClient(token, "https://api.devrev.ai")
    >>> hook = client.get_webhook("don:integration:dvrv-us-1:devo/0:webhook/abc")

    ``get_webhook`` returns ``None`` for a webhook that does not exist and ``delete_webhook``
    returns ``False``; every other DevRev error raises a ``DevRevAPIError`` subclass, and a
    DevRev that cannot be reached raises ``TransportError`` (both in ``pulumi_devrev.errors``).
    """

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token or not token.strip():
            raise ConfigurationError(MISSING_TOKEN)
        self._token = token.strip()
        check_api_url(api_url)
        self.api_url = api_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        t = self.timeouts
        self._http = httpx.Client(
            base_url=self.api_url,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Accept": "application/json",
                "User-Agent": f"pulumi-devrev/{_VERSION}",
            },
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
            transport=transport,
            follow_redirects=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> DevRevClient:
        kwargs.setdefault(
            "timeouts",
            Timeouts(read=settings.read_timeout, deadline=settings.operation_timeout),
        )
        return cls(settings.token, settings.api_url, **kwargs)

    def __repr__(self) -> str:
        return f"DevRevClient(api_url={redact_url(self.api_url)!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DevRevClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- endpoints --------------------------------------------------------------------------

    def create_webhook(self, request: CreateWebhookRequest) -> Webhook:
        """``POST /webhooks.create``: one webhook, never two, never somebody else's.

        DevRev has no idempotency key, so every create carries one: its secret. When the
        request has none, a random one is generated here (what DevRev would do) and sent. A
        create is resent only when it cannot have taken effect (no connection, or 429). When it
        may have (a 5xx, a connection dropped or timed out after sending), the webhooks are
        listed and only one that carries this request's secret, url, event types and headers
        counts as made by it. A timed-out create is given time to land (half of what remains of
        the deadline); if it does not, no other is sent (it may still land beside the new one)
        and ``CreateOutcomeUnknown`` says how to adopt it. See docs/reliability.md for what this
        proves and the windows that remain.
        """
        op = "webhooks.create"
        generated = request.secret is None
        if generated:
            request = request.model_copy(update={"secret": new_secret()})
        assert request.secret is not None
        secrets = [request.secret]
        body = request.body()
        started = datetime.now(UTC)
        deadline_at = time.monotonic() + self.timeouts.deadline

        def attempt() -> Webhook:
            data = self._send(
                op,
                "POST",
                "/webhooks.create",
                json=body,
                secrets=secrets,
                deadline_at=deadline_at,
                # Leave half of what remains to find the outcome of a create that times out.
                budget=max(1.0, (deadline_at - time.monotonic()) / 2),
            )
            return _webhook(op, data)

        def after_failure(err: BaseException) -> Webhook | None:
            """Between a failed attempt and the next: the webhook it may have made, if any."""
            if not _may_have_taken_effect(err):
                return None
            pending = isinstance(err, _Transient) and err.pending
            log.info(
                "%s: outcome unknown (%s); looking for the webhook it may have made",
                op,
                _describe(err),
            )
            waited_from = time.monotonic()
            found = self._look_for_created(request, generated, started, deadline_at, settle=pending)
            if found is not None:
                log.info("%s: found the webhook the failed attempt created: %s", op, found.id)
                return found
            if pending:
                # DevRev may still be working on it: another create could land beside it after
                # we have answered, a duplicate nobody would see. Stop here instead.
                raise CreateOutcomeUnknown(
                    op,
                    request.url,
                    f"{_describe(err)}, and no webhook it made appeared in the "
                    f"{time.monotonic() - waited_from:.0f}s waited for it; DevRev may still "
                    "create it, so it was not sent again",
                )
            return None

        # An attempt answered with a 5xx, or dropped, that the lookup after it did not find made
        # nothing (DevRev commits before it answers): its final error is DevRev's, as it is.
        return self._retrying(op, deadline_at, attempt, after_failure=after_failure)

    def _look_for_created(
        self,
        request: CreateWebhookRequest,
        generated: bool,
        started: datetime,
        deadline_at: float,
        *,
        settle: bool,
    ) -> Webhook | None:
        """The webhook an attempt of this create made, if DevRev holds it.

        With ``settle`` (the attempt timed out, so DevRev may still be working on it), look
        again with growing pauses until half of what remains of the deadline has passed.
        """
        settle_until = time.monotonic() + (deadline_at - time.monotonic()) / 2 if settle else 0.0
        pauses = iter(_SETTLE_PAUSES)
        while True:
            try:
                # Every webhook (no status filter), within the create's deadline.
                data = self._call("webhooks.list", "GET", "/webhooks.list", deadline_at=deadline_at)
                hooks = _listed(data)
            except DevRevError as lookup:
                raise CreateOutcomeUnknown(
                    "webhooks.create",
                    request.url,
                    f"listing webhooks to check whether it was created failed ({lookup})",
                ) from None
            found = _made_by(request, generated, started, hooks)
            if found is not None and generated:
                self._delete_twins(request, found, hooks, deadline_at)
            now = time.monotonic()
            if found is not None or now >= settle_until:
                return found
            # The last look is at the end of the window, not a pause before it.
            self._sleep(min(next(pauses, _SETTLE_PAUSES[-1]), settle_until - now))

    def _delete_twins(
        self,
        request: CreateWebhookRequest,
        kept: Webhook,
        hooks: list[Webhook],
        deadline_at: float,
    ) -> None:
        """Delete the webhooks in ``hooks``, other than ``kept``, carrying this create's
        generated secret: made for this create, it proves they are twins made by this very
        call, never somebody else's. Within the create's deadline; one already gone is fine."""
        for twin in hooks:
            if twin.id != kept.id and twin.secret == request.secret:
                log.warning(
                    "webhooks.create: deleting %s, a second webhook made by a retried attempt "
                    "of this create (kept %s)",
                    twin.id,
                    kept.id,
                )
                try:
                    self._delete(twin.id, deadline_at=deadline_at)
                except DevRevError as err:
                    # The kept webhook is this create's result: failing here would leave it
                    # out of the stack too. Name the twin instead, and how to remove it.
                    log.warning(
                        "webhooks.create: could not delete %s (%s). If it still exists, it is a "
                        "copy of %s that the stack does not manage: delete it (webhooks.delete "
                        "with id %s)",
                        twin.id,
                        err,
                        kept.id,
                        twin.id,
                    )

    def get_webhook(self, webhook_id: str) -> Webhook | None:
        """``GET /webhooks.get``; ``None`` when DevRev has no webhook with that id."""
        op = "webhooks.get"
        try:
            data = self._call(
                op, "GET", "/webhooks.get", params={"id": webhook_id}, webhook=webhook_id
            )
        except NotFoundError:
            # 404 is an answer, not a failure: refresh and adoption need to know "gone".
            return None
        return _webhook(op, data, webhook_id)

    def list_webhooks(self, statuses: Iterable[WebhookStatus | str] | None = None) -> list[Webhook]:
        """``GET /webhooks.list``: every webhook of the org (DevRev does not paginate it)."""
        params = {"status": ",".join(str(s) for s in statuses)} if statuses else None
        return _listed(self._call("webhooks.list", "GET", "/webhooks.list", params=params))

    def update_webhook(self, request: UpdateWebhookRequest) -> Webhook:
        """``POST /webhooks.update`` with exactly the fields the request sets."""
        op = "webhooks.update"
        secrets = [request.secret] if request.secret else []
        data = self._call(
            op,
            "POST",
            "/webhooks.update",
            json=request.body(),
            webhook=request.id,
            secrets=secrets,
            unknown_outcome=(
                "DevRev may have applied this change even so: `pulumi refresh` shows what holds"
            ),
        )
        return _webhook(op, data, request.id)

    def delete_webhook(self, webhook_id: str) -> bool:
        """``POST /webhooks.delete``; ``False`` when it was already gone (which is fine)."""
        return self._delete(
            webhook_id,
            unknown_outcome=(
                "DevRev may have deleted it even so: `pulumi refresh` shows whether it exists"
            ),
        )

    def _delete(
        self,
        webhook_id: str,
        *,
        deadline_at: float | None = None,
        unknown_outcome: str | None = None,
    ) -> bool:
        """:meth:`delete_webhook`, within ``deadline_at`` (default: a deadline of its own)."""
        try:
            self._call(
                "webhooks.delete",
                "POST",
                "/webhooks.delete",
                json={"id": webhook_id},
                webhook=webhook_id,
                deadline_at=deadline_at,
                unknown_outcome=unknown_outcome,
            )
        except NotFoundError:
            return False
        return True

    # -- the one place requests are made ----------------------------------------------------

    def _call(
        self,
        op: str,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        webhook: str | None = None,
        secrets: list[str] | None = None,
        deadline_at: float | None = None,
        unknown_outcome: str | None = None,
    ) -> dict[str, Any]:
        """Send with retries: for idempotent operations (all but create).

        ``unknown_outcome`` is said when the call fails after an attempt that may have taken
        effect (a 5xx, or a connection dropped or timed out after sending), so a change that
        DevRev applied is never reported as only "failed".
        """
        deadline_at = deadline_at or time.monotonic() + self.timeouts.deadline
        uncertain = False

        def attempt() -> dict[str, Any]:
            nonlocal uncertain
            try:
                return self._send(
                    op,
                    method,
                    path,
                    json=json,
                    params=params,
                    webhook=webhook,
                    secrets=secrets or [],
                    deadline_at=deadline_at,
                )
            except (_Transient, DevRevAPIError) as err:
                uncertain = uncertain or _may_have_taken_effect(err)
                raise

        try:
            return self._retrying(op, deadline_at, attempt, webhook=webhook)
        except (TransportError, DevRevAPIError) as err:
            if uncertain and unknown_outcome:
                err.args = (f"{err}. {unknown_outcome}",)
            raise

    def _retrying(
        self,
        op: str,
        deadline_at: float,
        attempt: Callable[[], T],
        *,
        webhook: str | None = None,
        after_failure: Callable[[BaseException], T | None] | None = None,
    ) -> T:
        """The one retry loop: ``attempt`` until it succeeds, fails for good, or the attempts or
        the deadline run out.

        ``after_failure`` runs after each failed attempt, outside it, before the loop decides
        whether to try again (the create's lookup, with retries of its own, is never inside an
        attempt): a value it returns is the answer, an error it raises ends the loop.
        """
        policy = self.retry
        backoff = wait_exponential_jitter(
            multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.jitter
        )

        def wait(state: RetryCallState) -> float:
            err = state.outcome.exception() if state.outcome else None
            if isinstance(err, DevRevAPIError) and err.retry_after is not None:
                return err.retry_after
            return float(backoff(state))

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= policy.max_attempts:
                return True
            # Never sleep past the deadline, nor wait out an absurd Retry-After.
            return (
                state.upcoming_sleep > policy.max_retry_after
                or time.monotonic() + state.upcoming_sleep >= deadline_at
            )

        def before_sleep(state: RetryCallState) -> None:
            err = state.outcome.exception() if state.outcome else None
            log.info(
                "%s: attempt %d failed (%s); retrying in %.1fs",
                op,
                state.attempt_number,
                _describe(err),
                state.upcoming_sleep,
            )

        retrying = Retrying(
            retry=retry_if_exception(_retryable),
            wait=wait,
            stop=stop,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            for this_attempt in retrying:
                with this_attempt:  # records a failure for the loop to judge, and goes on
                    return attempt()
                outcome = this_attempt.retry_state.outcome
                if after_failure is not None and outcome is not None and outcome.failed:
                    found = after_failure(outcome.exception())
                    if found is not None:
                        return found
        except _Transient as err:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise TransportError(
                op, f"{err.detail} (gave up after {attempts} attempt(s))", webhook=webhook
            ) from None
        # tenacity ends the loop by raising the last failure (reraise=True), never by running out.
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        op: str,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        webhook: str | None = None,
        secrets: list[str],
        deadline_at: float,
        budget: float | None = None,
    ) -> dict[str, Any]:
        """One HTTP exchange; raises ``_Transient`` or a ``DevRevAPIError``.

        Every timeout is cut to what remains of the deadline, and to ``budget`` when given.
        """
        remaining = deadline_at - time.monotonic()
        if remaining <= 0:
            raise TransportError(
                op, "the operation deadline passed before DevRev answered", webhook=webhook
            )
        t = self.timeouts
        if budget is not None:
            remaining = min(remaining, budget)
        timeout = httpx.Timeout(
            connect=min(t.connect, remaining),
            read=min(t.read, remaining),
            write=min(t.write, remaining),
            pool=min(t.pool, remaining),
        )
        try:
            response = self._http.request(method, path, json=json, params=params, timeout=timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Transient(_transport_text(exc, self), may_have_taken_effect=False) from None
        except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
            raise _Transient(
                _transport_text(exc, self), may_have_taken_effect=True, pending=True
            ) from None
        except httpx.TransportError as exc:
            raise _Transient(_transport_text(exc, self), may_have_taken_effect=True) from None
        log.debug("%s %s -> %d", method, path, response.status_code)
        body = _json_body(response)
        if response.is_success:
            if body is None:
                raise DevRevAPIError(
                    op,
                    response.status_code,
                    {"message": "DevRev answered with a body that is not JSON"},
                    webhook=webhook,
                )
            return body
        redactions = [self._token, *secrets]
        raise error_class_for(response.status_code)(
            op,
            response.status_code,
            body if body is not None else {"message": response.text},
            webhook=webhook,
            retry_after=_retry_after(response, body),
            redactions=redactions,
            request=json,
        )


# -- shared clients -------------------------------------------------------------------------

_clients: dict[tuple[str, str, float, float], DevRevClient] = {}
_clients_lock = threading.Lock()


def shared_client(settings: Settings) -> DevRevClient:
    """One client per (API URL, token, deadline, read timeout) per process, so connections are
    reused."""
    key = (settings.api_url, settings.token, settings.operation_timeout, settings.read_timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = DevRevClient.from_settings(settings)
        return client


# -- helpers -------------------------------------------------------------------------------


def new_secret() -> str:
    """A webhook secret for a create that was given none: 18 random bytes, base64 (24 chars).

    Within DevRev's 8-32 bytes whichever way DevRev reads a secret (the spec's base64
    ``format: byte`` decodes it to 18 bytes; the example receiver's raw string is 24), and
    unique, so it identifies the create that sent it.
    """
    return base64.b64encode(os.urandom(18)).decode("ascii")


def _made_by(
    request: CreateWebhookRequest, generated: bool, started: datetime, hooks: list[Webhook]
) -> Webhook | None:
    """The one webhook among ``hooks`` provably made by ``request``, if there is one.

    A generated secret is unique to this create, so carrying it is proof. A secret the user
    chose is not: another resource may use it too. Then the webhook must also match the url,
    event types and headers, and have been created since this call began, and it must be the
    only one that does; several candidates mean none is returned (never a neighbour's).
    """
    want_events = sorted(set(request.event_types or []))
    want_headers = {h.name: h.value for h in request.headers or []}
    same = [
        w
        for w in hooks
        if w.secret == request.secret
        and w.url == request.url
        and sorted(set(w.event_types)) == want_events
        and w.header_map == want_headers
    ]
    if generated:
        # Several only when attempts of this very call each landed: keep the oldest.
        same.sort(key=lambda w: (w.created_date or "", w.id))
        return same[0] if same else None
    since = started - _CLOCK_SKEW
    recent = [w for w in same if (_parse_date(w.created_date) or since) >= since]
    if len(recent) > 1:
        raise CreateOutcomeUnknown(
            "webhooks.create",
            request.url,
            f"{len(recent)} webhooks made just now carry the same url, event types, headers and "
            f"secret ({', '.join(w.id for w in recent)}), so none is provably this create's",
        )
    return recent[0] if recent else None


def _retryable(err: BaseException) -> bool:
    if isinstance(err, _Transient):
        return True
    return isinstance(err, DevRevAPIError) and err.status_code in RETRYABLE_STATUS


def _may_have_taken_effect(err: BaseException) -> bool:
    if isinstance(err, _Transient):
        return err.may_have_taken_effect
    return (
        isinstance(err, DevRevAPIError)
        and err.status_code in RETRYABLE_STATUS
        and err.status_code not in _REFUSED_STATUS
    )


def _describe(err: BaseException | None) -> str:
    if isinstance(err, _Transient):
        return err.detail
    if isinstance(err, DevRevAPIError):
        return f"HTTP {err.status_code}{' ' + err.type if err.type else ''}"
    return type(err).__name__


def _transport_text(exc: httpx.TransportError, client: DevRevClient) -> str:
    # httpx messages can quote the URL; the token is never in it, but redact defensively.
    text = one_line(str(exc)) or type(exc).__name__
    # An apiUrl may carry credentials (a proxy's user:password@): every URL is redacted, and
    # so are the credentials themselves wherever httpx quotes them apart from a URL.
    text = redact_urls_in(redact(text, [client._token, *url_secrets(client.api_url)]))
    return f"{type(exc).__name__}: {text} ({redact_url(client.api_url)})"


def _json_body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        return None
    return data if isinstance(data, dict) else None


def _retry_after(response: httpx.Response, body: dict[str, Any] | None) -> float | None:
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(header)
            except (TypeError, ValueError):
                when = None
            if when is not None and when.tzinfo is not None:
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
    value = (body or {}).get("retry_after")
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return max(0.0, float(value))
        except OverflowError:  # an integer past any float: longer than any wait allowed
            return math.inf if value > 0 else 0.0
    return None


def _webhook(op: str, data: dict[str, Any], webhook: str | None = None) -> Webhook:
    return _parse_webhook(op, data.get("webhook"), webhook)


def _listed(data: dict[str, Any]) -> list[Webhook]:
    """The webhooks of a ``webhooks.list`` answer."""
    items = data.get("webhooks")
    if not isinstance(items, list):
        raise DevRevAPIError("webhooks.list", 200, {"message": "response has no webhooks"})
    return [_parse_webhook("webhooks.list", item) for item in items]


def _parse_webhook(op: str, item: Any, webhook: str | None = None) -> Webhook:
    try:
        return Webhook.model_validate(item)
    except ValidationError as err:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in err.errors() if e["loc"]}))
        raise DevRevAPIError(
            op,
            200,
            {"message": f"unexpected webhook object from DevRev (fields: {fields})"},
            webhook=webhook,
        ) from None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
