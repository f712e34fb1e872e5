"""DevRev's OpenAPI subset: loading it and checking requests against it.

The JSON beside this module is the single source of the API's shapes (see
``OPENAPI-ORIGIN.md``). Request objects in the spec do not say
``additionalProperties: false``, yet DevRev's server rejects unknown fields. Request
validation therefore uses a *strict* copy of the request schemas (and of
``webhook-header``, which appears inside requests). Checking *responses* against the spec
is the tests' business (``tests/sandbox/responses.py``).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from . import errors
from .errors import ApiError

SPEC_FILE = "devrev-openapi-webhooks.json"

_REQUEST_URI = "urn:pulumi-devrev:devrev-openapi:requests"
_SCHEMAS = "#/components/schemas/"

# Request objects DevRev checks strictly although the spec leaves them open.
_STRICT_REQUEST_SCHEMAS = (
    "webhooks-create-request",
    "webhooks-get-request",
    "webhooks-list-request",
    "webhooks-update-request",
    "webhooks-update-request-event-types",
    "webhooks-update-request-headers",
    "webhooks-delete-request",
    "webhook-header",
)

# DevRev's names for JSON types, as used by `unexpected_json_type`.
_DEVREV_TYPE_NAMES = {
    "object": "object",
    "array": "array",
    "string": "string",
    "boolean": "bool",
    "integer": "number",
    "number": "number",
    "null": "null",
}


@functools.cache
def load_spec() -> dict[str, Any]:
    """The OpenAPI document shipped inside the package (a private copy: do not mutate)."""
    text = resources.files(__package__).joinpath(SPEC_FILE).read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = load_spec()["components"]["schemas"][name]
    return schema


#: Every event type DevRev accepts, in the spec's order (``webhook-event-type``).
EVENT_TYPES: tuple[str, ...] = tuple(_schema("webhook-event-type")["enum"])
#: ``active``, ``inactive``, ``unverified``.
WEBHOOK_STATUSES: tuple[str, ...] = tuple(_schema("webhook-status")["enum"])
#: ``activate``, ``deactivate``.
UPDATE_ACTIONS: tuple[str, ...] = tuple(_schema("webhooks-update-action")["enum"])
#: Most headers a webhook may carry (``maxItems`` of the create request's ``headers``).
MAX_HEADERS: int = _schema("webhooks-create-request")["properties"]["headers"]["maxItems"]


# --------------------------------------------------------------------------- requests


@functools.cache
def _request_registry() -> Registry[Any]:
    doc = copy.deepcopy(load_spec())
    schemas = doc["components"]["schemas"]
    for name in _STRICT_REQUEST_SCHEMAS:
        # DevRev's server rejects unknown fields even though the spec omits this.
        schemas[name]["additionalProperties"] = False
    registry: Registry[Any] = Registry().with_resource(
        _REQUEST_URI, DRAFT202012.create_resource(doc)
    )
    return registry


@functools.cache
def _request_validator(schema_name: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{_REQUEST_URI}{_SCHEMAS}{schema_name}"}, registry=_request_registry()
    )


def request_violation(schema_name: str, body: object) -> ApiError | None:
    """The DevRev 400 error for the first way ``body`` breaks request schema ``schema_name``.

    ``None`` when the body satisfies the (strict) schema. DevRev answers one error per
    request; errors nearest the root come first, then by a fixed keyword order, so the
    answer is deterministic.
    """
    validator = _request_validator(schema_name)
    found = list(validator.iter_errors(body))
    if not found:
        return None
    first = min(found, key=_error_rank)
    return _to_api_error(first)


_KEYWORD_RANK = {
    "type": 0,
    "required": 1,
    "additionalProperties": 2,
    "enum": 3,
    "maxItems": 4,
}


def _error_rank(error: ValidationError) -> tuple[int, list[str], int]:
    path = [str(part) for part in error.absolute_path]
    return (len(path), path, _KEYWORD_RANK.get(str(error.validator), 9))


def field_path(path: Sequence[str | int], leaf: str | None = None) -> str:
    """``["headers", 2, "name"]`` -> ``headers[2].name``: DevRev-style field names."""
    out = ""
    for part in [*path, *([leaf] if leaf is not None else [])]:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def json_type_name(value: object) -> str:
    """DevRev's name of the JSON type of ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _to_api_error(error: ValidationError) -> ApiError:
    path = list(error.absolute_path)
    keyword = error.validator
    if keyword == "type":
        if not path:
            return errors.bad_request("the request body must be a JSON object")
        expected = error.validator_value
        if isinstance(expected, list):
            expected = expected[0]
        return errors.unexpected_json_type(
            field_path(path),
            _DEVREV_TYPE_NAMES.get(str(expected), "object"),
            json_type_name(error.instance),
        )
    if keyword == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]  # schema keyword value
        missing = [name for name in required if name not in instance]
        return errors.missing_required_field(field_path(path, missing[0] if missing else None))
    if keyword == "additionalProperties":
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        instance = error.instance if isinstance(error.instance, dict) else {}
        extra = sorted(name for name in instance if name not in known)
        name = field_path(path, extra[0] if extra else None)
        return errors.invalid_field(name, f"unknown field {name}")
    if keyword == "enum":
        enum: list[object] = list(error.validator_value)  # type: ignore[arg-type]  # schema keyword value
        allowed = [str(value) for value in enum]
        return errors.invalid_enum_value(field_path(path), str(error.instance), allowed)
    if keyword == "maxItems":
        return errors.value_not_permitted(
            field_path(path), f"at most {error.validator_value} items are allowed"
        )
    return errors.bad_request(f"{field_path(path) or 'the request body'} is not valid")
