"""Pure decisions: what changed, the single update request, what the status will do.

Nothing here does I/O, so every rule has fast, exhaustive tests. The provider is the thin shell
that feeds these functions property dicts and API responses.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .inputs import COMPARED_FIELDS, PROVIDER_ONLY_INPUTS, UpdateAction, WebhookStatus
from .redaction import carries_credentials, redact_url

if TYPE_CHECKING:  # pydantic is loaded only by what builds a request: not by check or diff
    from .models import UpdateWebhookRequest, Webhook, WebhookSpec

__all__ = [
    "COMPARED_FIELDS",
    "Observed",
    "changed_fields",
    "inputs_from_live",
    "outputs",
    "plan_update",
    "restarts_verification",
    "reverification_notice",
    "steering",
]

_STATUSES = {s.value for s in WebhookStatus}


@dataclass(frozen=True)
class Observed:
    """A webhook as last seen: from DevRev's answer, or from the outputs Pulumi stored."""

    url: str
    event_types: frozenset[str] = frozenset()
    secret: str | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    active: bool = True
    status: WebhookStatus | None = None

    def __repr__(self) -> str:
        # Built from redacted values only: the url through redact_url, headers by name, no
        # secret. (dataclass keeps a __repr__ the class defines.)
        return (
            f"Observed(url={redact_url(self.url)!r}, event_types={sorted(self.event_types)!r}, "
            f"headers={sorted(self.headers)!r}, active={self.active!r}, status={self.status!r})"
        )

    @classmethod
    def from_webhook(cls, hook: Webhook) -> Observed:
        return cls(
            url=hook.url,
            event_types=frozenset(hook.event_types),
            secret=hook.secret,
            headers=hook.header_map,
            active=hook.active,
            status=hook.status,
        )

    @classmethod
    def from_outputs(cls, props: Mapping[str, Any]) -> Observed:
        """Tolerant of outputs written by older releases: missing keys take defaults."""
        status = props.get("status")
        headers = props.get("headers")
        return cls(
            url=str(props.get("url") or ""),
            event_types=frozenset(props.get("event_types") or ()),
            secret=props.get("secret"),
            headers=dict(headers) if isinstance(headers, Mapping) else {},
            active=bool(props.get("active", True)),
            status=WebhookStatus(status) if status in _STATUSES else None,
        )


def changed_fields(
    old: Observed, news: Mapping[str, Any], unknown: Collection[str] = ()
) -> list[str]:
    """Inputs whose desired value differs from what the webhook has, in a stable order.

    ``news`` are checked (normalized) inputs. A field in ``unknown`` (not known until apply)
    counts as changed. Event types compare as sets; an unset ``secret`` never differs, since
    the one the webhook has was generated at its create.
    """
    changed = []
    for name in COMPARED_FIELDS:
        if name not in news or news[name] is None:
            continue
        if name in unknown:
            changed.append(name)
            continue
        value = news[name]
        if name == "event_types":
            differs = frozenset(value) != old.event_types
        elif name == "headers":
            differs = dict(value) != dict(old.headers)
        else:
            differs = value != getattr(old, name)
        if differs:
            changed.append(name)
    return changed


def plan_update(webhook_id: str, old: Observed, new: WebhookSpec) -> UpdateWebhookRequest | None:
    """The one ``webhooks.update`` that takes ``old`` to ``new``, or ``None`` if none is needed.

    ``url`` and ``secret`` are sent only when they change: each resend knocks an active webhook
    back to ``unverified``. Event types and headers use ``set`` (the whole desired list), which
    lands on the desired state even when ``old`` missed an out-of-band edit.
    """
    changes = set(changed_fields(old, new.to_inputs()))
    if not changes:
        return None
    from .models import EventTypesUpdate, HeadersUpdate, UpdateWebhookRequest

    action = None
    if "active" in changes:
        action = UpdateAction.ACTIVATE if new.active else UpdateAction.DEACTIVATE
    return UpdateWebhookRequest(
        id=webhook_id,
        url=new.url if "url" in changes else None,
        secret=new.secret if "secret" in changes else None,
        action=action,
        event_types=EventTypesUpdate(set=list(new.event_types))
        if "event_types" in changes
        else None,
        headers=HeadersUpdate(set=new.header_list()) if "headers" in changes else None,
    )


# What DevRev verifies again (sent at all: plan_update sends a url or secret only when it
# changes): the sandbox's statusmachine.after_update holds the transitions.
_REVERIFIED_AFTER = ("url", "secret", "active")


def restarts_verification(changes: Collection[str], *, meant_active: bool) -> bool:
    """DevRev's rule: whether applying ``changes`` makes the webhook answer a new verification
    challenge before it receives events again.

    A webhook meant to be active must answer a new challenge after its url or secret changes,
    or after it is activated again (``active`` changes while it is meant to be active: it was
    ``inactive``). One meant to be inactive never does. Whether DevRev verifies a re-activation
    without a new url or secret is not settled (the sandbox does either), so it counts.
    """
    return meant_active and any(name in changes for name in _REVERIFIED_AFTER)


def reverification_notice(
    webhook_id: str, old: Observed, changes: Collection[str], new_url: Any, *, meant_active: bool
) -> str | None:
    """The line ``pulumi preview`` shows before a change that pauses deliveries.

    Only a webhook ``active`` now has deliveries to pause (an ``unverified`` one receives none
    yet, an ``inactive`` one none at all), and only a new url or secret pauses them
    (:func:`restarts_verification`); ``meant_active`` is whether it stays meant to be active.
    """
    what = " and ".join(c for c in ("url", "secret") if c in changes)
    if not what or old.status != WebhookStatus.ACTIVE:
        return None
    if not restarts_verification(changes, meant_active=meant_active):
        return None
    endpoint = redact_url(new_url) if isinstance(new_url, str) else "the new url"
    return (
        f"DevRev webhook {webhook_id}: changing its {what} makes it `unverified`; it receives no "
        f"events until {endpoint} answers DevRev's verification challenge."
    )


def steering(props: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs among ``props`` that only steer the provider (set ones only)."""
    return {k: props[k] for k in PROVIDER_ONLY_INPUTS if props.get(k) is not None}


def outputs(hook: Webhook, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Every output, from DevRev's answer, plus ``settings`` (see :func:`steering`).

    ``active`` is what the webhook is meant to be (:attr:`Webhook.active
    <pulumi_devrev.models.Webhook.active>`): ``unverified`` still counts as active.
    """
    out: dict[str, Any] = {
        "url": hook.url,
        "event_types": sorted(set(hook.event_types)),
        "secret": hook.secret,
        "active": hook.active,
        "headers": dict(sorted(hook.header_map.items())),
        "status": hook.status.value,
        "display_id": hook.display_id,
        "created_date": hook.created_date,
        "modified_date": hook.modified_date,
    }
    out.update(settings)
    return {k: v for k, v in out.items() if v is not None}


def inputs_from_live(hook: Webhook, old_props: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that hold now, for refresh: the next ``pulumi up`` diffs against these.

    The secret, and a URL carrying credentials, are left out on purpose: inputs returned here
    could be stored unencrypted. Leaving them out loses nothing, since diffs compare against
    the outputs (which the engine keeps secret).
    """
    inputs: dict[str, Any] = {
        "url": hook.url,
        "event_types": sorted(set(hook.event_types)),
        "active": hook.active,
        "headers": dict(sorted(hook.header_map.items())),
    }
    if carries_credentials(hook.url):
        del inputs["url"]
    return {**inputs, **steering(old_props)}
