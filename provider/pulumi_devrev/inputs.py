"""The inputs of ``DevRevWebhook``, checked and normalized in plain Python.

This is everything ``check`` and ``diff`` need, and it loads neither pydantic nor httpx: every
``pulumi preview`` starts a provider host that imports this module cold. :mod:`pulumi_devrev.models`
builds its pydantic models on the same rules (each field validator calls the function here),
so a message reads the same whichever way an input is checked.

:data:`PROPERTIES` declares the resource's properties once (inputs compared with the webhook,
inputs that only steer the provider, outputs only): every list of their names is derived from it.

What DevRev itself refuses in a ``url`` or in ``headers`` is decided by
:mod:`pulumi_devrev.rules`, the rules the sandbox applies too, each with its source. A failure
quotes at most :data:`QUOTE_LIMIT` characters of a value, never a header value or a secret,
and a url only through :func:`~pulumi_devrev.redaction.redact_url`.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Literal

from . import rules
from .redaction import redact_url
from .rules import MAX_HEADERS, SECRET_MAX_BYTES, SECRET_MIN_BYTES

__all__ = [
    "COMPARED",
    "COMPARED_FIELDS",
    "DEFAULT_VERIFICATION_TIMEOUT",
    "EVENT_TYPE_NAMES",
    "INPUT_NAMES",
    "MAX_HEADERS",
    "MAX_REASON",
    "OUTPUT_ONLY",
    "OUTPUT_ONLY_NAMES",
    "PROPERTIES",
    "PROVIDER_ONLY",
    "PROVIDER_ONLY_INPUTS",
    "QUOTE_LIMIT",
    "SECRET_MAX_BYTES",
    "SECRET_MIN_BYTES",
    "EventType",
    "Kind",
    "Property",
    "UpdateAction",
    "WebhookStatus",
    "bounded",
    "check_adopt_id",
    "check_bool",
    "check_headers",
    "check_inputs",
    "check_on_verification_timeout",
    "check_secret",
    "check_timeout",
    "check_url",
    "normalize_event_types",
    "quote",
    "unknown_names",
    "unrecognized_event_types",
]


class WebhookStatus(StrEnum):
    """``webhook-status`` in DevRev's spec."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    UNVERIFIED = "unverified"


class UpdateAction(StrEnum):
    """``webhooks-update-action``: the only way to change whether a webhook is active."""

    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"


class EventType(StrEnum):
    """Every name of the spec's ``webhook-event-type`` enum (76 as of the January 2026 copy).

    DevRev only ever adds names, so inputs are plain strings checked against this list for
    typos, not restricted to it: a name DevRev adds after this release still works.
    """

    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DELETED = "account_deleted"
    ACCOUNT_UPDATED = "account_updated"
    AI_AGENT_RESPONSE = "ai_agent_response"
    ARTICLE_CREATED = "article_created"
    ARTICLE_DELETED = "article_deleted"
    ARTICLE_UPDATED = "article_updated"
    ARTIFACT_CREATED = "artifact_created"
    ARTIFACT_DELETED = "artifact_deleted"
    ARTIFACT_UPDATED = "artifact_updated"
    CONVERSATION_CREATED = "conversation_created"
    CONVERSATION_DELETED = "conversation_deleted"
    CONVERSATION_UPDATED = "conversation_updated"
    DASHBOARD_CREATED = "dashboard_created"
    DASHBOARD_DELETED = "dashboard_deleted"
    DASHBOARD_UPDATED = "dashboard_updated"
    DEV_USER_CREATED = "dev_user_created"
    DEV_USER_DELETED = "dev_user_deleted"
    DEV_USER_UPDATED = "dev_user_updated"
    GROUP_CREATED = "group_created"
    GROUP_DELETED = "group_deleted"
    GROUP_MEMBER_ADDED = "group_member_added"
    GROUP_MEMBER_REMOVED = "group_member_removed"
    GROUP_UPDATED = "group_updated"
    INCIDENT_CREATED = "incident_created"
    INCIDENT_DELETED = "incident_deleted"
    INCIDENT_UPDATED = "incident_updated"
    JOB_CREATED = "job_created"
    JOB_DELETED = "job_deleted"
    JOB_UPDATED = "job_updated"
    LINK_CREATED = "link_created"
    LINK_DELETED = "link_deleted"
    LINK_UPDATED = "link_updated"
    PART_CREATED = "part_created"
    PART_DELETED = "part_deleted"
    PART_UPDATED = "part_updated"
    QUESTION_ANSWER_CREATED = "question_answer_created"
    QUESTION_ANSWER_DELETED = "question_answer_deleted"
    QUESTION_ANSWER_UPDATED = "question_answer_updated"
    REV_ORG_CREATED = "rev_org_created"
    REV_ORG_DELETED = "rev_org_deleted"
    REV_ORG_UPDATED = "rev_org_updated"
    REV_USER_CREATED = "rev_user_created"
    REV_USER_DELETED = "rev_user_deleted"
    REV_USER_UPDATED = "rev_user_updated"
    SLA_TRACKER_CREATED = "sla_tracker_created"
    SLA_TRACKER_DELETED = "sla_tracker_deleted"
    SLA_TRACKER_FETCHED = "sla_tracker_fetched"
    SLA_TRACKER_UPDATED = "sla_tracker_updated"
    SURVEY_CREATED = "survey_created"
    SURVEY_DELETED = "survey_deleted"
    SURVEY_RESPONSE_CREATED = "survey_response_created"
    SURVEY_RESPONSE_DELETED = "survey_response_deleted"
    SURVEY_RESPONSE_UPDATED = "survey_response_updated"
    SURVEY_UPDATED = "survey_updated"
    SYNC_HISTORY_CREATED = "sync_history_created"
    SYNC_HISTORY_DELETED = "sync_history_deleted"
    SYNC_HISTORY_UPDATED = "sync_history_updated"
    SYNC_UNIT_UPDATED = "sync_unit_updated"
    TAG_CREATED = "tag_created"
    TAG_DELETED = "tag_deleted"
    TAG_UPDATED = "tag_updated"
    TIMELINE_ENTRY_CREATED = "timeline_entry_created"
    TIMELINE_ENTRY_DELETED = "timeline_entry_deleted"
    TIMELINE_ENTRY_UPDATED = "timeline_entry_updated"
    VERIFY = "verify"
    WEBHOOK_CREATED = "webhook_created"
    WEBHOOK_DELETED = "webhook_deleted"
    WEBHOOK_UPDATED = "webhook_updated"
    WIDGET_CREATED = "widget_created"
    WIDGET_DELETED = "widget_deleted"
    WIDGET_UPDATED = "widget_updated"
    WORK_CREATED = "work_created"
    WORK_DELETED = "work_deleted"
    WORK_FETCHED = "work_fetched"
    WORK_UPDATED = "work_updated"


EVENT_TYPE_NAMES: frozenset[str] = frozenset(e.value for e in EventType)

DEFAULT_VERIFICATION_TIMEOUT = 180.0  # DevRev gives an endpoint three minutes to verify.

_EVENT_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_WEBHOOK_ID = re.compile(r"^don:[a-z]+:[^:\s]+:devo/[^:\s]+:webhook/[^/\s]+$")
# Real names can be this close to each other (dev_user_created / rev_user_created: 0.94), so only
# nearer misses are treated as typos; anything further may be a name DevRev added since.
_TYPO_SIMILARITY = 0.9

# A failure quotes at most this many characters of a value (a name, a url, a list item).
QUOTE_LIMIT = 80
# A failure lists at most this many problems of one property, then counts the rest.
_MAX_PROBLEMS = 5
# No failure's reason is longer than this.
MAX_REASON = 1500
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = QUOTE_LIMIT
_REPR.maxlevel = 2
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 4


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` cut to ``limit`` characters (``…`` marks a cut); never raises.

    Only for values that are never secret (names, list items, urls already redacted).
    """
    try:
        text = repr(value[: limit + 1]) if isinstance(value, str) else _REPR.repr(value)
    except Exception:  # a hostile __repr__ must not break check
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown_url(url: str) -> str:
    """A url as a failure may show it: redacted (no credentials), then cut."""
    shown = redact_url(url)
    return shown if len(shown) <= QUOTE_LIMIT else shown[: QUOTE_LIMIT - 1] + "…"


def _joined(problems: list[str]) -> str:
    """Problems of one property as one bounded reason."""
    shown = problems[:_MAX_PROBLEMS]
    if len(problems) > _MAX_PROBLEMS:
        shown.append(f"and {len(problems) - _MAX_PROBLEMS} more")
    return bounded("; ".join(shown))


def bounded(reason: str) -> str:
    """``reason`` cut to :data:`MAX_REASON` characters."""
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def check_url(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("url is required: give the absolute https:// URL of your endpoint")
    if not isinstance(value, str):
        raise ValueError(
            f"url must be a string, not {type(value).__name__}: give the absolute https:// "
            "URL of your endpoint"
        )
    broken = rules.url_problem(value)
    if broken is None:
        return value
    if broken in (rules.URL_UNICODE, rules.URL_CHARACTERS, rules.URL_SYNTAX):
        # Such a url cannot be shown (redact_url cannot parse it): say what is wrong without it.
        raise ValueError(f"url {broken.reason}: {broken.fix}")
    raise ValueError(f"url {_shown_url(value)} {broken.reason}: {broken.fix}")


def normalize_event_types(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ValueError('event_types must be a list of names, e.g. ["work_created"]')
    problems: list[str] = []
    names: set[str] = set()
    for item in value:
        if not isinstance(item, str):
            problems.append(f"{quote(item)} is not a string")
            continue
        if not _EVENT_NAME.match(item):
            problems.append(
                f"{quote(item)} is not an event type name (lowercase words joined by '_', "
                "e.g. work_created)"
            )
            continue
        if item not in EVENT_TYPE_NAMES:
            near = _close_event_types(item)
            if near:
                problems.append(
                    f"unknown event type {quote(item)}: did you mean {_or_list(near)}? (if "
                    "DevRev added it after this release, upgrade pulumi-devrev)"
                )
                continue
        names.add(item)
    if problems:
        raise ValueError(_joined(problems))
    return tuple(sorted(names))


def check_secret(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("secret must be a string")
    if rules.has_lone_surrogate(value):
        raise ValueError(
            "secret is not valid Unicode text (it holds an unpaired surrogate): use another "
            "secret, or leave secret unset and one is generated"
        )
    size = rules.secret_problem(value)
    if size is not None:
        raise ValueError(
            f"secret is {size} bytes long (UTF-8) but DevRev needs "
            f"{SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes: use a secret of that size, "
            "or leave secret unset and one is generated"
        )
    return value


def check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value


def check_headers(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError('headers must be a mapping of name to value, e.g. {"X-Team": "ops"}')
    # The rules and their sources: pulumi_devrev.rules (HEADER_RULES). Values are never quoted.
    problems: list[str] = []
    if rules.too_many_headers(len(value)):
        problems.append(
            f"{len(value)} headers given but DevRev allows at most {MAX_HEADERS}: remove "
            f"{len(value) - MAX_HEADERS}"
        )
    seen: dict[str, str] = {}
    for name, header_value in value.items():
        if not isinstance(name, str) or rules.header_name_problem(name):
            problems.append(
                f"header name {quote(name)} may only use ASCII letters, digits, '-' and '_'"
            )
        elif rules.header_key(name) in seen:
            problems.append(
                f"headers {quote(seen[rules.header_key(name)])} and {quote(name)} are the same "
                "header (header names ignore case): keep one"
            )
        else:
            seen[rules.header_key(name)] = name
        if not isinstance(header_value, str):
            problems.append(f"header {quote(name)} must have a string value")
        elif (broken := rules.header_value_problem(header_value)) is not None:
            problems.append(f"header {quote(name)} value {broken.reason}: {broken.fix}")
    if problems:
        raise ValueError(_joined(problems))
    return dict(sorted(value.items()))


def check_timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 3600:
        raise ValueError("verification_timeout must be a number of seconds from 1 to 3600")
    return float(value)


_ON_TIMEOUT = ("fail", "warn")


def check_on_verification_timeout(value: Any) -> str:
    for choice in _ON_TIMEOUT:
        if isinstance(value, str) and value == choice:
            return choice
    raise ValueError('on_verification_timeout must be "fail" or "warn"')


def check_adopt_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _WEBHOOK_ID.match(value):
        raise ValueError(
            "adopt_id must be a DevRev webhook id such as "
            "don:integration:dvrv-us-1:devo/0:webhook/abc (see `webhooks.list`)"
        )
    return value


_Check = Callable[[Any], Any]
_MISSING = object()


# What a property of ``DevRevWebhook`` is. Plain strings, and a plain class below: this module is
# imported cold by every preview, and an Enum and a NamedTuple take ten times longer to build.
Kind = Literal["compared", "provider-only", "output-only"]
COMPARED: Kind = "compared"
"""An input that is part of the webhook at DevRev: ``diff`` compares it with the webhook, a
change is sent in the one ``webhooks.update``; an output too."""
PROVIDER_ONLY: Kind = "provider-only"
"""An input that only steers the provider (how create and update behave): never sent to DevRev,
never a change by itself; kept among the outputs."""
OUTPUT_ONLY: Kind = "output-only"
"""An output only, set from DevRev's answer (``DevRevWebhook`` registers it as ``None``): not an
input, but never a mistake either."""


class Property:
    """One row of :data:`PROPERTIES`: a name, its kind and, for an input, its check (returns the
    normalized value or raises ValueError) and its default (``_MISSING``: required; for
    ``headers``, a fresh ``{}``)."""

    __slots__ = ("check", "default", "kind", "name")

    def __init__(
        self, name: str, kind: Kind, check: _Check | None = None, default: Any = _MISSING
    ) -> None:
        self.name = name
        self.kind = kind
        self.check = check
        self.default = default

    def __repr__(self) -> str:
        return f"Property({self.name!r}, {self.kind!r})"


# Every property of ``DevRevWebhook``, declared once: every list of names below, in
# ``plan``, ``models`` and ``webhook``, is derived from this table (tests hold the typed
# signatures of ``DevRevWebhookArgs``, ``DevRevWebhook`` and ``WebhookSpec`` to it). Inputs
# come in the order problems are reported, the order of ``models.WebhookSpec``'s fields.
PROPERTIES: tuple[Property, ...] = (
    Property("url", COMPARED, check_url),
    Property("event_types", COMPARED, normalize_event_types, ()),
    Property("secret", COMPARED, check_secret, None),
    Property("active", COMPARED, lambda v: check_bool(v, "active"), True),
    Property("headers", COMPARED, check_headers),  # default: a fresh {}
    Property("wait_for_active", PROVIDER_ONLY, lambda v: check_bool(v, "wait_for_active"), False),
    Property("verification_timeout", PROVIDER_ONLY, check_timeout, DEFAULT_VERIFICATION_TIMEOUT),
    Property("on_verification_timeout", PROVIDER_ONLY, check_on_verification_timeout, "fail"),
    Property("adopt_id", PROVIDER_ONLY, check_adopt_id, None),
    Property("display_id", OUTPUT_ONLY),
    Property("status", OUTPUT_ONLY),
    Property("created_date", OUTPUT_ONLY),
    Property("modified_date", OUTPUT_ONLY),
)


def _names(*kinds: Kind) -> tuple[str, ...]:
    return tuple(p.name for p in PROPERTIES if p.kind in kinds)


# Inputs that map to the webhook at DevRev, in the order diffs list them.
COMPARED_FIELDS = _names(COMPARED)
# Inputs that steer the provider (how create/update behave) and never cause an API call.
PROVIDER_ONLY_INPUTS = _names(PROVIDER_ONLY)
INPUT_NAMES = _names(COMPARED, PROVIDER_ONLY)
OUTPUT_ONLY_NAMES = _names(OUTPUT_ONLY)
# Each input's check and default (every input has a check; an output-only property none).
_CHECKS: tuple[tuple[str, _Check, Any], ...] = tuple(
    (p.name, p.check, p.default) for p in PROPERTIES if p.check is not None
)


def unknown_names(props: Mapping[Any, Any]) -> list[tuple[str, str]]:
    """A failure for each key of ``props`` that is no input of ``DevRevWebhook``.

    Outputs and the SDK's own keys (``__provider``: any name starting with ``__``) are not
    inputs either, and pass. A close miss is named: "did you mean event_types?".
    """
    failures: list[tuple[str, str]] = []
    for key in props:
        if key in INPUT_NAMES or key in OUTPUT_ONLY_NAMES:
            continue
        if isinstance(key, str) and key.startswith("__"):
            continue
        name = key if isinstance(key, str) else quote(key)
        near = _close_input_names(name)
        hint = (
            f"did you mean {_or_list(near)}?"
            if near
            else f"the inputs are {', '.join(INPUT_NAMES)}"
        )
        failures.append((name, f"{quote(key)} is not an input of DevRevWebhook: {hint}"))
    return failures


def check_inputs(
    props: Mapping[str, Any],
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """Check every input at once; return the normalized inputs, or every problem.

    The same answer as ``models.validate_spec(props)`` followed by ``spec.to_inputs()``:
    inputs set to ``None`` are ignored; problems come as ``(property, reason)`` in input
    order, then one for each key that is not an input (see :func:`unknown_names`). The
    inputs are as Pulumi stores them: defaults filled in, event types a sorted list, headers
    sorted, ``None`` left out.
    """
    inputs: dict[str, Any] = {}
    failures: list[tuple[str, str]] = []
    for name, check, default in _CHECKS:
        value = props.get(name)
        if value is None:
            if name == "url":
                failures.append(("url", "url is required"))
                continue
            value = {} if name == "headers" else default
        else:
            try:
                value = check(value)
            except ValueError as err:
                failures.append((name, bounded(str(err))))
                continue
        if value is not None:
            inputs[name] = list(value) if name == "event_types" else value
    failures.extend(unknown_names(props))
    if failures:
        return None, failures
    return inputs, []


def unrecognized_event_types(names: tuple[str, ...] | list[str]) -> list[str]:
    """Well-formed names not in this release's list (accepted: DevRev may have added them)."""
    return [n for n in names if n not in EVENT_TYPE_NAMES]


def _close_event_types(name: str) -> list[str]:
    import difflib  # only a near-miss needs it

    if len(name) > 64:
        return []  # no typo of a name DevRev has, and difflib's time grows with the length
    return difflib.get_close_matches(name, sorted(EVENT_TYPE_NAMES), n=3, cutoff=_TYPO_SIMILARITY)


def _close_input_names(name: str) -> list[str]:
    import difflib

    if len(name) > 2 * max(len(n) for n in INPUT_NAMES):
        return []  # no typo of an input name, and difflib's time grows with the length
    return difflib.get_close_matches(name.lower(), INPUT_NAMES, n=2, cutoff=0.75)


def _or_list(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
