"""Reading a request the way DevRev does: body decoding, the spec, and DevRev's own rules.

Order of checks: content type, UTF-8, JSON, nesting depth, the (strict) spec schema, then
the rules the spec states only in prose (secret length, ``set`` exclusivity, header names,
URLs, id format). Each failure is one DevRev 400 error. Which 400 ``type`` DevRev uses for
a given webhook rule is unsettled (point 5); the closest type from the error table is
chosen and the field is always named.

The url, header and secret rules are :mod:`pulumi_devrev.rules`, each with its source in
DevRev's spec or guide; the provider's ``check`` applies the same ones, so ``pulumi preview``
refuses exactly what this refuses.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from .. import rules
from . import errors, openapi
from .statusmachine import Action
from .store import Header

MIN_SECRET_BYTES = rules.SECRET_MIN_BYTES
MAX_SECRET_BYTES = rules.SECRET_MAX_BYTES
# Deep enough for any real request (the deepest is 3), shallow enough that nothing that
# walks a body recursively can exhaust the stack.
MAX_JSON_DEPTH = 32

ID_PATTERN = re.compile(
    r"^don:integration:dvrv-[a-z]{2}-\d+:devo/[A-Za-z0-9]+:webhook/[A-Za-z0-9]+$"
)
HEADER_NAME_PATTERN = rules.HEADER_NAME_PATTERN


# ------------------------------------------------------------------------- decoding


def decode_json_body(content_type: str | None, body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or the DevRev 400 that describes why not."""
    media_type, _, parameters = (content_type or "").partition(";")
    if media_type.strip().lower() != "application/json":
        raise errors.invalid_content_type((content_type or "").strip())
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise errors.invalid_content_type((content_type or "").strip())
    value = parse_json(body)
    if not isinstance(value, dict):
        raise errors.bad_request("the request body must be a JSON object")
    return value


def parse_json(body: bytes) -> Any:
    """Strict JSON (no NaN/Infinity, bounded depth) or a 400 ``parse_error``."""
    if not body.strip():
        raise errors.parse_error("the request body is empty; send a JSON object")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.parse_error("the request body is not valid UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise errors.parse_error("the request body is nested too deeply") from None
    except ValueError as exc:
        # json's messages name a position, never the content.
        raise errors.parse_error(f"the request body is not valid JSON: {exc}") from None
    problem = _structure_problem(value)
    if problem is not None:
        raise errors.parse_error(f"the request body {problem}")
    return value


def try_parse_json(body: bytes) -> Any:
    """Best-effort parse for the request log: the JSON value, or None."""
    try:
        return parse_json(body)
    except errors.ApiError:
        return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def _structure_problem(value: Any) -> str | None:
    """Why a parsed body cannot be used safely, or None.

    Depth is bounded so nothing that walks a body recursively can exhaust the stack, and
    strings must be encodable: JSON's ``\\ud800`` escapes decode to lone surrogates, which
    could never be written back out as UTF-8 (in a response, the log or the state file).
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"is nested more than {MAX_JSON_DEPTH} levels deep"
        if isinstance(current, dict):
            stack.extend((key, depth + 1) for key in current)
            stack.extend((item, depth + 1) for item in current.values())
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current)
        elif isinstance(current, str):
            try:
                current.encode("utf-8")
            except UnicodeEncodeError:
                return "contains an escaped lone surrogate, which is not valid Unicode"
    return None


# --------------------------------------------------------------------- typed requests


@dataclass(frozen=True)
class CreateRequest:
    """A valid ``webhooks.create`` request."""

    url: str
    event_types: list[str]
    secret: str | None
    headers: list[Header]


@dataclass(frozen=True)
class EventTypesChange:
    """``event_types`` of an update: ``set`` or ``add``/``remove``."""

    set: list[str] | None
    add: list[str]
    remove: list[str]


@dataclass(frozen=True)
class HeadersChange:
    """``headers`` of an update: ``set`` or ``add``/``remove`` (names)."""

    set: list[Header] | None
    add: list[Header]
    remove: list[str]


@dataclass(frozen=True)
class UpdateRequest:
    """A valid ``webhooks.update`` request; ``secret == ""`` asks for a new secret."""

    id: str
    url: str | None
    secret: str | None
    action: Action | None
    event_types: EventTypesChange | None
    headers: HeadersChange | None

    @property
    def endpoint_changed(self) -> bool:
        """Whether the request carries ``url`` or ``secret`` (DevRev's trigger)."""
        return self.url is not None or self.secret is not None


def _check_schema(schema_name: str, body: Mapping[str, Any]) -> None:
    problem = openapi.request_violation(schema_name, body)
    if problem is not None:
        raise problem


def parse_create(body: dict[str, Any]) -> CreateRequest:
    """Validate a create body completely, or raise the first DevRev 400."""
    _check_schema("webhooks-create-request", body)
    check_url("url", body["url"])
    secret = body.get("secret")
    if secret is not None:
        check_secret("secret", secret)
    headers = parse_headers("headers", body.get("headers", []))
    return CreateRequest(
        url=body["url"],
        event_types=_unique(body.get("event_types", [])),
        secret=secret,
        headers=headers,
    )


def parse_update(body: dict[str, Any]) -> UpdateRequest:
    """Validate an update body completely, or raise the first DevRev 400."""
    _check_schema("webhooks-update-request", body)
    webhook_id = check_id("id", body["id"])
    url = body.get("url")
    if url is not None:
        check_url("url", url)
    secret = body.get("secret")
    if secret:
        check_secret("secret", secret)
    return UpdateRequest(
        id=webhook_id,
        url=url,
        secret=secret,
        action=cast(Action | None, body.get("action")),
        event_types=_parse_event_types_change(body.get("event_types")),
        headers=_parse_headers_change(body.get("headers")),
    )


def parse_id_request(schema_name: str, body: dict[str, Any]) -> str:
    """The ``id`` of a get or delete body."""
    _check_schema(schema_name, body)
    return check_id("id", body["id"])


def parse_list_request(body: dict[str, Any]) -> list[str] | None:
    """The ``status`` filter of a list body, None for no filter."""
    _check_schema("webhooks-list-request", body)
    statuses = body.get("status")
    return list(statuses) if statuses is not None else None


def parse_get_query(query: Mapping[str, Sequence[str]]) -> str:
    """The ``id`` of ``GET /webhooks.get``."""
    _reject_unknown_query(query, {"id"})
    values = query.get("id")
    if not values:
        raise errors.missing_required_field("id")
    return check_id("id", values[0])


def parse_list_query(query: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The status filter of ``GET /webhooks.list``.

    The spec declares ``status`` with ``explode: false`` (``?status=a,b``); repeated
    parameters (``?status=a&status=b``) are accepted as well, as DevRev's gateway does, and
    so are quoted values (``?status=%22inactive%22,%22active%22``, ``?status=%22active%22``):
    DevRev's official TypeScript SDK writes each array item as a JSON string.
    """
    _reject_unknown_query(query, {"status"})
    if "status" not in query:
        return None
    statuses = [_unquote(item) for value in query["status"] for item in value.split(",") if item]
    for status in statuses:
        if status not in openapi.WEBHOOK_STATUSES:
            raise errors.invalid_enum_value("status", status, list(openapi.WEBHOOK_STATUSES))
    return statuses or None


def _unquote(item: str) -> str:
    """``"active"`` -> ``active``; anything else unchanged."""
    if len(item) >= 2 and item[0] == item[-1] == '"':
        return item[1:-1]
    return item


def _reject_unknown_query(query: Mapping[str, Sequence[str]], known: set[str]) -> None:
    unknown = sorted(set(query) - known)
    if unknown:
        raise errors.invalid_field(unknown[0], f"unknown query parameter {unknown[0]}")


# -------------------------------------------------------------------- field rules


def check_id(field_name: str, value: str) -> str:
    """A well-formed webhook id, or 400 ``invalid_id``."""
    if not ID_PATTERN.fullmatch(value):
        raise errors.invalid_id(field_name)
    return value


def check_url(field_name: str, url: str) -> None:
    """A URL DevRev can deliver to (``rules.URL_RULES``). Reasons never quote the URL: it may
    embed credentials. DevRev states no length limit, so there is none."""
    broken = rules.url_problem(url)
    if broken is not None:
        raise errors.value_not_permitted(field_name, broken.reason)


def check_secret(field_name: str, secret: str) -> None:
    """8 to 32 bytes of UTF-8, inclusive. The reason gives the size, never the secret."""
    size = rules.secret_problem(secret)
    if size is not None:
        raise errors.value_not_permitted(
            field_name,
            f"must be between {MIN_SECRET_BYTES} and {MAX_SECRET_BYTES} bytes of UTF-8; got {size}",
        )


def parse_headers(field_name: str, items: list[dict[str, str]]) -> list[Header]:
    """Header objects with valid, unique (case-insensitive) names and values HTTP can carry
    (``rules.HEADER_RULES``; the count is the schema's ``maxItems``)."""
    headers: list[Header] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        name, value = item["name"], item["value"]
        check_header_name(f"{field_name}[{index}].name", name)
        broken = rules.header_value_problem(value)
        if broken is not None:
            # A delivery with such a value could not be sent at all.
            raise errors.value_not_permitted(f"{field_name}[{index}].value", broken.reason)
        if rules.header_key(name) in seen:
            raise errors.value_not_permitted(
                f"{field_name}[{index}].name", f"header {name} is given more than once"
            )
        seen.add(rules.header_key(name))
        headers.append(Header(name, value))
    return headers


def check_header_name(field_name: str, name: str) -> None:
    """ASCII letters, digits, ``-`` and ``_`` only, at least one."""
    if rules.header_name_problem(name) is not None:
        raise errors.value_not_permitted(
            field_name, "header names may contain only ASCII letters, digits, '-' and '_'"
        )


def _parse_event_types_change(change: dict[str, Any] | None) -> EventTypesChange | None:
    if change is None:
        return None
    _reject_set_with_add_or_remove("event_types", change)
    add, remove = _unique(change.get("add", [])), _unique(change.get("remove", []))
    both = sorted(set(add) & set(remove))
    if both:
        raise errors.value_not_permitted(
            "event_types", f"{both[0]} is both added and removed in one update"
        )
    replacement = change.get("set")
    return EventTypesChange(
        set=_unique(replacement) if replacement is not None else None, add=add, remove=remove
    )


def _parse_headers_change(change: dict[str, Any] | None) -> HeadersChange | None:
    if change is None:
        return None
    _reject_set_with_add_or_remove("headers", change)
    replacement = change.get("set")
    add = parse_headers("headers.add", change.get("add", []))
    remove: list[str] = list(change.get("remove", []))
    both = sorted({h.name.lower() for h in add} & {name.lower() for name in remove})
    if both:
        raise errors.value_not_permitted("headers", f"header {both[0]} is both added and removed")
    return HeadersChange(
        set=parse_headers("headers.set", replacement) if replacement is not None else None,
        add=add,
        remove=remove,
    )


def _reject_set_with_add_or_remove(field_name: str, change: Mapping[str, Any]) -> None:
    if "set" in change and ("add" in change or "remove" in change):
        raise errors.value_not_permitted(
            f"{field_name}.set",
            "set replaces the whole list and cannot be combined with add or remove",
        )


def _unique(items: list[str]) -> list[str]:
    """Drop repeats, keep first-seen order: event types are a set."""
    return list(dict.fromkeys(items))
