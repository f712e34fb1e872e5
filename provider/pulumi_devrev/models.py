"""Pydantic models: the desired spec (validated, normalized), the API's webhook, requests, enums.

Two shapes are kept apart on purpose: :class:`WebhookSpec` is what a stack asks for, in the
form Pulumi compares (event types a sorted set, headers a mapping); :class:`Webhook` is what
DevRev returns, parsed tolerantly because real payloads carry fields the spec does not list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import redact_url

__all__ = [
    "EVENT_TYPE_NAMES",
    "CreateWebhookRequest",
    "EventType",
    "EventTypesUpdate",
    "HeadersUpdate",
    "UpdateAction",
    "UpdateWebhookRequest",
    "Webhook",
    "WebhookHeader",
    "WebhookSpec",
    "WebhookStatus",
    "unrecognized_event_types",
    "validate_spec",
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

SECRET_MIN_BYTES = 8
SECRET_MAX_BYTES = 32
MAX_HEADERS = 8
DEFAULT_VERIFICATION_TIMEOUT = 180.0  # DevRev gives an endpoint three minutes to verify.

_EVENT_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_WEBHOOK_ID = re.compile(r"^don:[a-z]+:[^:\s]+:devo/[^:\s]+:webhook/[^/\s]+$")
# Real names can be this close to each other (dev_user_created / rev_user_created: 0.94), so only
# nearer misses are treated as typos; anything further may be a name DevRev added since.
_TYPO_SIMILARITY = 0.9


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookHeader(_Strict):
    """``webhook-header``: a header DevRev sends with every delivery."""

    name: str
    value: str


# ---------------------------------------------------------------------------------------------
# What DevRev returns


class Webhook(BaseModel):
    """``webhook`` as DevRev returns it. Unknown fields are ignored, never an error."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    url: str = Field(repr=False)
    status: WebhookStatus
    # Always present in DevRev's responses; the secret is what signs every delivery.
    secret: str = Field(repr=False)
    display_id: str | None = None
    event_types: list[str] = Field(default_factory=list)
    headers: list[WebhookHeader] = Field(default_factory=list)
    created_date: str | None = None
    modified_date: str | None = None
    created_by: dict[str, Any] | None = None
    modified_by: dict[str, Any] | None = None

    @field_validator("headers", mode="before")
    @classmethod
    def _tolerant_headers(cls, value: Any) -> Any:
        # Header objects may grow fields too; keep the two the API promises.
        if isinstance(value, list):
            return [
                {"name": h.get("name"), "value": h.get("value")} if isinstance(h, dict) else h
                for h in value
            ]
        return value

    @property
    def header_map(self) -> dict[str, str]:
        return {h.name: h.value for h in self.headers}


# ---------------------------------------------------------------------------------------------
# What we send


class CreateWebhookRequest(_Strict):
    """``webhooks-create-request``."""

    url: str
    event_types: list[str] | None = None
    secret: str | None = Field(default=None, repr=False)
    headers: list[WebhookHeader] | None = Field(default=None, max_length=MAX_HEADERS)

    def body(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class _SetOrAddRemove(_Strict):
    @model_validator(mode="after")
    def _set_is_exclusive(self) -> _SetOrAddRemove:
        given = {name for name in ("add", "remove", "set") if getattr(self, name) is not None}
        if "set" in given and len(given) > 1:
            raise ValueError("'set' replaces the whole list and cannot be combined with add/remove")
        return self


class EventTypesUpdate(_SetOrAddRemove):
    """``webhooks-update-request-event-types``: an object, not a list."""

    add: list[str] | None = None
    remove: list[str] | None = None
    set: list[str] | None = None


class HeadersUpdate(_SetOrAddRemove):
    """``webhooks-update-request-headers``."""

    add: list[WebhookHeader] | None = Field(default=None, max_length=MAX_HEADERS)
    remove: list[str] | None = Field(default=None, max_length=MAX_HEADERS)
    set: list[WebhookHeader] | None = Field(default=None, max_length=MAX_HEADERS)


class UpdateWebhookRequest(_Strict):
    """``webhooks-update-request``. Fields left ``None`` are not sent.

    Sending ``url`` or ``secret`` (even unchanged) knocks an active webhook back to
    ``unverified``, so callers include them only when they really change.
    """

    id: str
    url: str | None = None
    secret: str | None = Field(default=None, repr=False)
    action: UpdateAction | None = None
    event_types: EventTypesUpdate | None = None
    headers: HeadersUpdate | None = None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    @property
    def changes_endpoint(self) -> bool:
        """Whether this update restarts verification of an active webhook."""
        return self.url is not None or self.secret is not None


# ---------------------------------------------------------------------------------------------
# What a stack asks for


class WebhookSpec(_Strict):
    """The desired webhook, validated and normalized; field names are the resource's inputs."""

    url: str = Field(repr=False)
    """Absolute http(s) URL DevRev delivers to. May embed credentials: never printed whole."""

    event_types: tuple[str, ...] = ()
    """A set: stored sorted and unique so order and duplicates never show as a change."""

    secret: str | None = Field(default=None, repr=False)
    """8 to 32 bytes of UTF-8; ``None`` lets DevRev generate one (never shown as a change)."""

    active: bool = True
    """``False`` deactivates; ``True`` re-activates a deactivated webhook."""

    headers: dict[str, str] = Field(default_factory=dict)
    """Sent with every delivery: at most 8, names of ASCII letters, digits, ``-`` and ``_``."""

    wait_for_active: bool = False
    """After create or a url/secret change, wait until DevRev reports the webhook ``active``."""

    verification_timeout: float = DEFAULT_VERIFICATION_TIMEOUT
    """Seconds ``wait_for_active`` waits before giving up."""

    on_verification_timeout: Literal["fail", "warn"] = "fail"
    """What a timed-out wait does: ``fail`` the operation or ``warn`` and carry on."""

    adopt_id: str | None = None
    """Id of an existing webhook to bring under management instead of creating one."""

    @field_validator("url", mode="before")
    @classmethod
    def _check_url(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("url is required: give the absolute https:// URL of your endpoint")
        if value != value.strip() or any(c.isspace() for c in value):
            raise ValueError("url must not contain spaces or line breaks")
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ValueError(f"url {redact_url(value)} is not a valid URL") from None
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError(
                f"url {redact_url(value)} must be an absolute http:// or https:// URL "
                "with a host, e.g. https://hooks.example.com/devrev"
            )
        return value

    @field_validator("event_types", mode="before")
    @classmethod
    def _normalize_event_types(cls, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise ValueError('event_types must be a list of names, e.g. ["work_created"]')
        problems: list[str] = []
        names: set[str] = set()
        for item in value:
            if not isinstance(item, str):
                problems.append(f"{item!r} is not a string")
                continue
            if not _EVENT_NAME.match(item):
                problems.append(
                    f"{item!r} is not an event type name (lowercase words joined by '_', "
                    "e.g. work_created)"
                )
                continue
            if item not in EVENT_TYPE_NAMES:
                near = _close_event_types(item)
                if near:
                    problems.append(
                        f"unknown event type {item!r}: did you mean {_or_list(near)}? (if DevRev "
                        "added it after this release, upgrade pulumi-devrev)"
                    )
                    continue
            names.add(item)
        if problems:
            raise ValueError("; ".join(problems))
        return tuple(sorted(names))

    @field_validator("secret", mode="before")
    @classmethod
    def _check_secret(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError("secret must be a string")
        size = len(value.encode("utf-8"))
        if not SECRET_MIN_BYTES <= size <= SECRET_MAX_BYTES:
            raise ValueError(
                f"secret is {size} bytes long (UTF-8) but DevRev needs "
                f"{SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes: use a secret of that size, "
                "or leave secret unset and DevRev generates one"
            )
        return value

    @field_validator("active", "wait_for_active", mode="before")
    @classmethod
    def _check_bool(cls, value: Any, info: ValidationInfo) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{info.field_name} must be true or false")
        return value

    @field_validator("headers", mode="before")
    @classmethod
    def _check_headers(cls, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ValueError('headers must be a mapping of name to value, e.g. {"X-Team": "ops"}')
        problems: list[str] = []
        if len(value) > MAX_HEADERS:
            problems.append(
                f"{len(value)} headers given but DevRev allows at most {MAX_HEADERS}: remove "
                f"{len(value) - MAX_HEADERS}"
            )
        seen: dict[str, str] = {}
        for name, header_value in value.items():
            if not isinstance(name, str) or not _HEADER_NAME.match(name):
                problems.append(
                    f"header name {name!r} may only use ASCII letters, digits, '-' and '_'"
                )
            elif name.lower() in seen:
                problems.append(f"headers {seen[name.lower()]!r} and {name!r} are the same header")
            else:
                seen[name.lower()] = name
            if not isinstance(header_value, str):
                problems.append(f"header {name!r} must have a string value")
            elif "\r" in header_value or "\n" in header_value:
                problems.append(f"header {name!r} value must not contain line breaks")
        if problems:
            raise ValueError("; ".join(problems))
        return dict(sorted(value.items()))

    @field_validator("verification_timeout", mode="before")
    @classmethod
    def _check_timeout(cls, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 3600:
            raise ValueError("verification_timeout must be a number of seconds from 1 to 3600")
        return float(value)

    @field_validator("adopt_id", mode="before")
    @classmethod
    def _check_adopt_id(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _WEBHOOK_ID.match(value):
            raise ValueError(
                "adopt_id must be a DevRev webhook id such as "
                "don:integration:dvrv-us-1:devo/0:webhook/abc (see `webhooks.list`)"
            )
        return value

    def header_list(self) -> list[WebhookHeader]:
        return [WebhookHeader(name=n, value=v) for n, v in self.headers.items()]

    def to_inputs(self) -> dict[str, Any]:
        """The normalized inputs, as Pulumi stores them (``None`` values left out)."""
        data = self.model_dump(exclude_none=True)
        data["event_types"] = list(self.event_types)
        return data


# Inputs that steer the provider (how create/update behave) and never cause an API call.
PROVIDER_ONLY_INPUTS = (
    "wait_for_active",
    "verification_timeout",
    "on_verification_timeout",
    "adopt_id",
)


def validate_spec(props: Mapping[str, Any]) -> tuple[WebhookSpec | None, list[tuple[str, str]]]:
    """Validate inputs; return the spec, or every problem at once as ``(property, reason)``."""
    known = {k: v for k, v in props.items() if k in WebhookSpec.model_fields and v is not None}
    try:
        return WebhookSpec.model_validate(known), []
    except ValidationError as err:
        return None, _failures(err)


def _failures(err: ValidationError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for e in err.errors(include_url=False, include_input=False):
        prop = str(e["loc"][0]) if e["loc"] else "inputs"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "literal_error" and prop == "on_verification_timeout":
            msg = 'on_verification_timeout must be "fail" or "warn"'
        elif e["type"] == "missing":
            msg = f"{prop} is required"
        elif e["type"] == "extra_forbidden":
            msg = f"{prop} is not an input of DevRevWebhook"
        out.append((prop, msg))
    return out


def unrecognized_event_types(names: tuple[str, ...] | list[str]) -> list[str]:
    """Well-formed names not in this release's list (accepted: DevRev may have added them)."""
    return [n for n in names if n not in EVENT_TYPE_NAMES]


def _close_event_types(name: str) -> list[str]:
    return difflib.get_close_matches(name, sorted(EVENT_TYPE_NAMES), n=3, cutoff=_TYPO_SIMILARITY)


def _or_list(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
