"""Pydantic models: the desired spec (validated, normalized), the API's webhook, requests, enums.

Two shapes are kept apart on purpose: :class:`WebhookSpec` is what a stack asks for, in the
form Pulumi compares (event types a sorted set, headers a mapping); :class:`Webhook` is what
DevRev returns, parsed tolerantly because real payloads carry fields the spec does not list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .inputs import (
    DEFAULT_VERIFICATION_TIMEOUT,
    EVENT_TYPE_NAMES,
    MAX_HEADERS,
    PROVIDER_ONLY_INPUTS,  # noqa: F401 - re-exported, for imports from here
    EventType,
    UpdateAction,
    WebhookStatus,
    bounded,
    check_adopt_id,
    check_bool,
    check_headers,
    check_secret,
    check_timeout,
    check_url,
    normalize_event_types,
    unknown_names,
    unrecognized_event_types,
)
from .redaction import redact_url

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


class _Shown(BaseModel):
    """``repr()``/``str()`` built from redacted values only: a ``url`` through
    :func:`~pulumi_devrev.redaction.redact_url`, ``headers`` by name only; secrets and header
    values are fields with ``repr=False``. Reprs reach logs, tracebacks and bug reports."""

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            if name == "url" and isinstance(value, str):
                yield name, redact_url(value)
            elif name == "headers" and isinstance(value, Mapping):
                yield name, dict.fromkeys(value, "***")
            else:
                yield name, value


class _Strict(_Shown):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookHeader(_Strict):
    """``webhook-header``: a header DevRev sends with every delivery."""

    name: str
    value: str = Field(repr=False)


# ---------------------------------------------------------------------------------------------
# What DevRev returns


# Validators' bodies are plain functions, so mutation testing (which leaves decorated functions
# alone) reaches them.


def _promised_header_fields(value: Any) -> Any:
    # Header objects may grow fields too; keep the two the API promises.
    if isinstance(value, list):
        return [
            {"name": h.get("name"), "value": h.get("value")} if isinstance(h, dict) else h
            for h in value
        ]
    return value


def _check_set_alone(update: BaseModel) -> None:
    given = {name for name in ("add", "remove", "set") if getattr(update, name) is not None}
    if "set" in given and len(given) > 1:
        raise ValueError("'set' replaces the whole list and cannot be combined with add/remove")


class Webhook(_Shown):
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

    @field_validator("headers", mode="before")
    @classmethod
    def _tolerant_headers(cls, value: Any) -> Any:
        return _promised_header_fields(value)

    @property
    def header_map(self) -> dict[str, str]:
        return {h.name: h.value for h in self.headers}

    @property
    def active(self) -> bool:
        """Whether the webhook is meant to be active: every status but ``inactive``.

        ``unverified`` counts as active (the handshake is pending, not drift), as the
        resource's ``active`` input and output say.
        """
        return self.status != WebhookStatus.INACTIVE


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
        _check_set_alone(self)
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

    # The rules are in pulumi_devrev.inputs (also used, without pydantic, by the provider's
    # check); a ValueError there becomes this model's ValidationError.

    @field_validator("url", mode="before")
    @classmethod
    def _check_url(cls, value: Any) -> str:
        return check_url(value)

    @field_validator("event_types", mode="before")
    @classmethod
    def _normalize_event_types(cls, value: Any) -> tuple[str, ...]:
        return normalize_event_types(value)

    @field_validator("secret", mode="before")
    @classmethod
    def _check_secret(cls, value: Any) -> str | None:
        return check_secret(value)

    @field_validator("active", "wait_for_active", mode="before")
    @classmethod
    def _check_bool(cls, value: Any, info: ValidationInfo) -> bool:
        return check_bool(value, info.field_name or "")

    @field_validator("headers", mode="before")
    @classmethod
    def _check_headers(cls, value: Any) -> dict[str, str]:
        return check_headers(value)

    @field_validator("verification_timeout", mode="before")
    @classmethod
    def _check_timeout(cls, value: Any) -> float:
        return check_timeout(value)

    @field_validator("adopt_id", mode="before")
    @classmethod
    def _check_adopt_id(cls, value: Any) -> str | None:
        return check_adopt_id(value)

    def header_list(self) -> list[WebhookHeader]:
        return [WebhookHeader(name=n, value=v) for n, v in self.headers.items()]

    def create_request(self) -> CreateWebhookRequest:
        """The ``webhooks.create`` that makes this webhook (``active`` is applied after it)."""
        return CreateWebhookRequest(
            url=self.url,
            event_types=list(self.event_types),
            secret=self.secret,
            headers=self.header_list() or None,
        )

    def to_inputs(self) -> dict[str, Any]:
        """The normalized inputs, as Pulumi stores them (``None`` values left out)."""
        data = self.model_dump(exclude_none=True)
        data["event_types"] = list(self.event_types)
        return data


def validate_spec(props: Mapping[str, Any]) -> tuple[WebhookSpec | None, list[tuple[str, str]]]:
    """Validate inputs; return the spec, or every problem at once as ``(property, reason)``.

    The same answer as :func:`pulumi_devrev.inputs.check_inputs`: a key that is not an input
    is a problem too (see :func:`~pulumi_devrev.inputs.unknown_names`), after the inputs'.
    """
    known = {k: v for k, v in props.items() if k in WebhookSpec.model_fields and v is not None}
    unknown = unknown_names(props)
    try:
        spec = WebhookSpec.model_validate(known)
    except ValidationError as err:
        return None, _failures(err) + unknown
    return (None, unknown) if unknown else (spec, [])


def _failures(err: ValidationError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for e in err.errors(include_url=False, include_input=False):
        prop = str(e["loc"][0]) if e["loc"] else "inputs"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "literal_error" and prop == "on_verification_timeout":
            msg = 'on_verification_timeout must be "fail" or "warn"'
        elif e["type"] == "missing":
            msg = f"{prop} is required"
        out.append((prop, bounded(msg)))
    return out
