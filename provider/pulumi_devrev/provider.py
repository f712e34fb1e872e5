"""The dynamic provider behind ``DevRevWebhook``: property dicts in, DevRev calls out.

Every method reads in the same phases: load what is wanted (and what was), build the client,
call the API, return state. Decisions are in :mod:`pulumi_devrev.plan`; waiting for the
handshake is in :mod:`pulumi_devrev.verification`.

The instance holds nothing. Pulumi pickles it into every resource's state (``__provider``), so
it must stay a tiny by-reference pickle: no token, no client, and this module path and class
name must not move (refresh and destroy unpickle what state holds).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
    dynamic,
)
from pulumi.runtime import rpc

from . import plan, settings
from .errors import DevRevError, VerificationTimeout
from .inputs import UpdateAction, check_inputs, unknown_names, unrecognized_event_types

if TYPE_CHECKING:
    from .client import DevRevClient
    from .models import Webhook, WebhookSpec

# `pulumi preview` starts a provider host that imports this module cold and only calls check
# and diff: those need neither pydantic nor httpx (nor tenacity), so the client, the models
# and the verification wait are imported by the methods that make API calls, on first use.

__all__ = ["TRACEBACK_ENV", "DevRevWebhookProvider", "TracebackHidden", "for_the_engine"]

PROVIDER_KEY = dynamic.PROVIDER_KEY  # "__provider": where the SDK keeps the provider
# Stands in for an input not known until apply, so the known ones can still be validated.
_PLACEHOLDER_URL = "https://placeholder.invalid/"
TRACEBACK_ENV = "PULUMI_DEVREV_TRACEBACK"
_OFF = frozenset({"", "0", "false", "no", "off"})

P = ParamSpec("P")
R = TypeVar("R")


def notify(line: str) -> None:
    """Tell the user something: the provider host's output reaches `pulumi preview`/`up`."""
    print(line, file=sys.stdout, flush=True)


def _show_client_log() -> None:
    """Let users see retries (``webhooks.create: attempt 1 failed (HTTP 429 ...)``): the host's
    output is shown by the CLI. The client's messages carry no token or secret."""
    client_log = logging.getLogger("pulumi_devrev.client")
    if not any(getattr(h, "_pulumi_devrev", False) for h in client_log.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("devrev: %(message)s"))
        handler._pulumi_devrev = True  # type: ignore[attr-defined]
        client_log.addHandler(handler)
        client_log.setLevel(logging.INFO)


class TracebackHidden(Exception):
    """Stands in for a :class:`DevRevError` on its way to the engine; see :func:`for_the_engine`."""


def for_the_engine(err: DevRevError, env: Mapping[str, str] | None = None) -> BaseException:
    """The exception to raise to the engine for ``err``: the one-line message comes first.

    The SDK's provider host sends ``traceback.format_exc()`` to the engine, and the engine shows
    the first line of it on the resource's progress line. Raised as it is, ``err`` would put
    ``Traceback (most recent call last):`` there and bury its message under the client's and
    tenacity's frames. So this returns a :class:`TracebackHidden` whose cause is a copy of
    ``err`` with no traceback: that copy renders first, as the single line
    ``pulumi_devrev.errors.AuthenticationError: webhooks.create failed: HTTP 401 ...``, then
    the few frames of the host and of :func:`_one_line_first`, then how to get the rest.

    Set ``PULUMI_DEVREV_TRACEBACK=1`` in the environment of ``pulumi up`` (or ``refresh``,
    ``destroy``) for the full internal traceback: the provider host inherits the CLI's
    environment, and this reads it (``env``, default ``os.environ``) at each failure, returning
    ``err`` itself. ``0``, ``false``, ``no``, ``off`` or empty mean unset.
    """
    env = os.environ if env is None else env
    if env.get(TRACEBACK_ENV, "").strip().lower() not in _OFF:
        return err
    # A copy made without __init__ (whose arguments differ per class): same class, same args
    # (so the same message), no traceback, no chained exceptions.
    summary = type(err).__new__(type(err), *err.args)
    hidden = TracebackHidden(
        f"set {TRACEBACK_ENV}=1 in the environment of `pulumi` to see the full traceback of "
        "the error above"
    )
    hidden.__cause__ = summary
    return hidden


def _one_line_first(method: Callable[P, R]) -> Callable[P, R]:
    """Raise pulumi-devrev's own errors through :func:`for_the_engine`. Anything else is a
    bug and keeps its whole traceback."""

    @functools.wraps(method)
    def one_line_first(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except DevRevError as err:
            failure = for_the_engine(err)
            if failure is err:
                raise
        # Users see this line as the last frame, so it is raised here, plainly, rather than in
        # the except block (where the linter asks for `from`, and the cause is already set).
        raise failure

    return one_line_first


def _client() -> DevRevClient:
    # Settings are resolved per call, so a token set in the environment after the host started
    # (or a rotated one) is used, and a missing one fails with one sentence.
    from .client import shared_client

    return shared_client(settings.resolve())


def _unknown_fields(props: dict[str, Any]) -> set[str]:
    return {k for k, v in props.items() if rpc.contains_unknowns(v)}


def _spec(props: dict[str, Any]) -> WebhookSpec:
    from .models import validate_spec

    spec, failures = validate_spec(props)
    if spec is None:
        # check() has already refused these, so this only guards state written by hand.
        raise DevRevError("; ".join(f"{prop}: {reason}" for prop, reason in failures))
    return spec


class DevRevWebhookProvider(ResourceProvider):
    """Creates, updates, refreshes and deletes DevRev webhooks for ``DevRevWebhook``."""

    # Nothing secret is captured in the pickle, so it need not be encrypted in state.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        settings.configure_from_stack(req.config.get)
        _show_client_log()

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every input at once (no API call); normalize the known ones."""
        props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        unknown = _unknown_fields(props)
        candidate = {k: v for k, v in props.items() if k not in unknown}
        if "url" in unknown:
            candidate["url"] = _PLACEHOLDER_URL
        inputs, failures = check_inputs(candidate)
        failures = [(prop, reason) for prop, reason in failures if prop not in unknown]
        # A misspelled name is wrong whatever its value: refuse it even while that is unknown.
        failures += unknown_names(dict.fromkeys(unknown))
        if inputs is None or failures:
            return CheckResult(news, [CheckFailure(prop, reason) for prop, reason in failures])
        inputs.update({k: props[k] for k in unknown})
        fresh = unrecognized_event_types(inputs["event_types"])
        if fresh and "event_types" not in unknown:
            notify(
                f"note: event types {', '.join(fresh)} are not in this release's list; they are "
                "passed to DevRev as given (DevRev rejects them if it does not know them)."
            )
        return CheckResult(inputs, [])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare normalized inputs with the old outputs (no API call); never replace."""
        old = plan.Observed.from_outputs(olds)
        changes = plan.changed_fields(old, news, _unknown_fields(news))
        # An `active` known only at apply may stay true: only a known False is inactive.
        meant_active = news.get("active", True) is not False
        notice = plan.reverification_notice(
            id_, old, changes, news.get("url"), meant_active=meant_active
        )
        if notice:
            notify(notice)
        return DiffResult(changes=bool(changes), replaces=[], delete_before_replace=False)

    @_one_line_first
    def create(self, props: dict[str, Any]) -> CreateResult:
        """One ``webhooks.create`` (plus one update for ``active=False``), or an adoption."""
        from .models import UpdateWebhookRequest

        spec = _spec(props)
        client = _client()
        if spec.adopt_id:
            return self._adopt(client, spec)
        hook = client.create_webhook(spec.create_request())
        # From here on the webhook exists: a failure must not make Pulumi forget it (the next
        # `up` would create a second one). Record it as it is, say what did not happen, and let
        # the next preview show the change still to make.
        if not spec.active:
            try:
                hook = client.update_webhook(
                    UpdateWebhookRequest(id=hook.id, action=UpdateAction.DEACTIVATE)
                )
            except DevRevError as err:
                notify(
                    f"warning: DevRev webhook {hook.id} was created but not deactivated ({err}); "
                    "it is recorded as it is, and the next `pulumi up` deactivates it"
                )
        elif spec.wait_for_active:
            hook = self._wait(client, hook, spec, delete_on_failure=True)
        return CreateResult(hook.id, plan.outputs(hook, plan.steering(spec.to_inputs())))

    def _adopt(self, client: DevRevClient, spec: WebhookSpec) -> CreateResult:
        """Take over an existing webhook: read it, reconcile with at most one update."""
        assert spec.adopt_id is not None
        live = client.get_webhook(spec.adopt_id)
        if live is None:
            raise DevRevError(
                f"adopt_id {spec.adopt_id}: DevRev has no webhook with this id; check the id "
                "(webhooks.list shows them), or remove adopt_id to create a new webhook"
            )
        old = plan.Observed.from_webhook(live)
        request = plan.plan_update(live.id, old, spec)
        hook = client.update_webhook(request) if request else live
        notify(f"adopted DevRev webhook {hook.id} ({hook.display_id or 'no display id'})")
        if request and spec.wait_for_active and spec.active:
            hook = self._wait(client, hook, spec, delete_on_failure=False)
        return CreateResult(hook.id, plan.outputs(hook, plan.steering(spec.to_inputs())))

    @_one_line_first
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One ``webhooks.get``; gone when DevRev says 404; drift reported through inputs."""
        hook = _client().get_webhook(id_)
        if hook is None:
            return ReadResult("", {})
        return ReadResult(
            hook.id, plan.outputs(hook, plan.steering(props)), plan.inputs_from_live(hook, props)
        )

    @_one_line_first
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Exactly one ``webhooks.update`` carrying only what changed; full outputs back."""
        spec = _spec(news)
        inputs = spec.to_inputs()
        old = plan.Observed.from_outputs(olds)
        request = plan.plan_update(id_, old, spec)
        # The engine calls Update only after diff found a change in these same olds and news
        # (a change of provider-only inputs alone is none: the engine's same step then keeps
        # the outputs), so there is always a request to send.
        assert request is not None, "update called without a change to the webhook"
        client = _client()
        hook = client.update_webhook(request)
        changes = plan.changed_fields(old, inputs)
        if spec.wait_for_active and plan.restarts_verification(changes, meant_active=spec.active):
            hook = self._wait(client, hook, spec, delete_on_failure=False)
        return UpdateResult(plan.outputs(hook, plan.steering(inputs)))

    @_one_line_first
    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """One ``webhooks.delete``; a webhook already gone is fine."""
        if not _client().delete_webhook(id_):
            notify(f"DevRev webhook {id_} was already deleted")

    @staticmethod
    def _wait(
        client: DevRevClient, hook: Webhook, spec: WebhookSpec, *, delete_on_failure: bool
    ) -> Webhook:
        from .verification import wait_until_active

        try:
            return wait_until_active(client, hook, spec.verification_timeout, notify)
        except VerificationTimeout as timeout:
            return DevRevWebhookProvider._timed_out(client, hook, spec, timeout, delete_on_failure)
        except DevRevError as err:
            # The webhook exists and the create or update took effect: the wait could not tell
            # how verification went. Record what DevRev last said rather than fail and lose it.
            notify(
                f"warning: could not follow the verification of DevRev webhook {hook.id} "
                f"({err}); it is recorded as {hook.status.value}: `pulumi refresh` shows "
                "its status"
            )
            return hook

    @staticmethod
    def _timed_out(
        client: DevRevClient,
        hook: Webhook,
        spec: WebhookSpec,
        timeout: VerificationTimeout,
        delete_on_failure: bool,
    ) -> Webhook:
        if spec.on_verification_timeout == "warn":
            notify(f"warning: {timeout}")
            latest: Webhook = timeout.webhook
            return latest
        if delete_on_failure:
            try:
                client.delete_webhook(hook.id)
            except DevRevError as err:
                raise DevRevError(
                    f"{timeout} Deleting it again failed too ({err}), so DevRev webhook "
                    f"{hook.id} exists but is not in the stack: delete it (webhooks.delete "
                    f"with id {hook.id}), or bring it under this resource with "
                    f'adopt_id="{hook.id}"'
                ) from None
            outcome = (
                " The webhook was deleted again so that no unmanaged copy is left behind; "
                "fix the endpoint and run `pulumi up` again."
            )
        else:
            outcome = (
                " The change was applied at DevRev; run `pulumi up` again once the endpoint "
                "answers, or set on_verification_timeout to warn."
            )
        raise VerificationTimeout(timeout.webhook, timeout.waited, outcome) from None
