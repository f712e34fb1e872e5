"""DevRev's error bodies: flat ``{"type", "message", ...type-specific fields}``.

Messages never carry a token, a secret or a URL: callers pass field names and sizes,
never the offending value, unless the value is an enum member or an id.
"""

from __future__ import annotations

import secrets
from typing import Any

#: The error ``type`` the sandbox answers for each HTTP status it can produce.
STATUS_TYPES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    413: "request_entity_too_large",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}

# Statuses a gateway in front of DevRev may answer; the spec has no body for them, so the
# sandbox keeps DevRev's flat shape with a descriptive type.
_GATEWAY_TYPES: dict[int, str] = {502: "bad_gateway", 504: "gateway_timeout"}


class ApiError(Exception):
    """An error answer of the DevRev API, raised anywhere while handling a request."""

    def __init__(
        self,
        status: int,
        type: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(f"{status} {type}: {message}")
        self.status = status
        self.type = type
        self.message = message
        self.headers = dict(headers or {})
        self.fields = fields

    def body(self) -> dict[str, Any]:
        """The JSON body DevRev sends for this error."""
        return {"type": self.type, "message": self.message, **self.fields}


def bad_request(message: str) -> ApiError:
    """400 ``bad_request``: the request is wrong in a way no specific type describes."""
    return ApiError(400, "bad_request", message)


def parse_error(message: str) -> ApiError:
    """400 ``parse_error``: the body is not JSON the API can read."""
    return ApiError(400, "parse_error", message)


def invalid_content_type(value: str) -> ApiError:
    """400 ``invalid_content_type``: the body is not declared as ``application/json``."""
    shown = value or "(none)"
    return ApiError(
        400,
        "invalid_content_type",
        f"content type {shown} is not supported; send application/json",
        value=value,
    )


def invalid_field(field_name: str, message: str) -> ApiError:
    """400 ``invalid_field``: a field the operation does not know."""
    return ApiError(400, "invalid_field", message, field_name=field_name)


def invalid_id(field_name: str) -> ApiError:
    """400 ``invalid_id``: a value that is not a webhook id."""
    return ApiError(
        400, "invalid_id", f"{field_name} is not a valid webhook id", field_name=field_name
    )


def missing_required_field(field_name: str) -> ApiError:
    """400 ``missing_required_field``."""
    return ApiError(
        400,
        "missing_required_field",
        f"{field_name} is required",
        field_name=field_name,
    )


def invalid_enum_value(field_name: str, value: str, allowed: list[str]) -> ApiError:
    """400 ``invalid_enum_value``: a string outside the field's allowed values."""
    return ApiError(
        400,
        "invalid_enum_value",
        f"{value!r} is not an allowed value of {field_name}",
        field_name=field_name,
        value=value,
        allowed_values=allowed,
    )


def unexpected_json_type(field_name: str, expected: str, actual: str) -> ApiError:
    """400 ``unexpected_json_type``; types are DevRev's names (``bool``, not ``boolean``)."""
    return ApiError(
        400,
        "unexpected_json_type",
        f"{field_name} must be of type {expected}, not {actual}",
        field_name=field_name,
        expected=expected,
        actual=actual,
    )


def value_not_permitted(field_name: str, reason: str) -> ApiError:
    """400 ``value_not_permitted``: the right type, but a value DevRev refuses."""
    return ApiError(
        400,
        "value_not_permitted",
        f"{field_name}: {reason}",
        field_name=field_name,
        reason=reason,
    )


def unauthenticated(message: str) -> ApiError:
    """401 ``unauthenticated``."""
    return ApiError(401, "unauthenticated", message)


def not_found(message: str) -> ApiError:
    """404 ``not_found``."""
    return ApiError(404, "not_found", message)


def method_not_allowed(method: str, path: str, allowed: list[str]) -> ApiError:
    """405 with a flat DevRev body; the spec declares no 405, so the type is ``bad_request``."""
    return ApiError(
        405,
        "bad_request",
        f"method {method} is not allowed on {path}; use {' or '.join(allowed)}",
        headers={"Allow": ", ".join(allowed)},
    )


def request_entity_too_large(max_bytes: int) -> ApiError:
    """413 ``request_entity_too_large``."""
    return ApiError(
        413,
        "request_entity_too_large",
        f"the request body is larger than {max_bytes} bytes",
        max_bytes=max_bytes,
    )


def too_many_requests(retry_after: int, message: str = "rate limit exceeded") -> ApiError:
    """429 ``too_many_requests`` with ``retry_after`` in the body and ``Retry-After`` header."""
    return ApiError(
        429,
        "too_many_requests",
        f"{message}; retry after {retry_after} seconds",
        headers={"Retry-After": str(retry_after)},
        retry_after=retry_after,
    )


def internal_error(message: str = "internal error") -> ApiError:
    """500 ``internal_error`` with a fresh ``reference_id``, as DevRev sends."""
    return ApiError(500, "internal_error", message, reference_id=new_reference_id())


def new_reference_id() -> str:
    """A reference id in the style of DevRev's 500 answers."""
    return secrets.token_hex(16)


def error_for_status(
    status: int, *, retry_after: int | None = None, message: str | None = None
) -> ApiError:
    """A DevRev-shaped error for an injected fault of ``status``.

    429 carries ``retry_after`` in the body when given (the spec lists it there); any status
    carries the ``Retry-After`` header when ``retry_after`` is given, as gateways do for 503.
    """
    text = message or f"injected fault: HTTP {status}"
    if status == 429 and retry_after is not None:
        return too_many_requests(retry_after, text)
    if status == 500:
        error = internal_error(text)
    else:
        kind = STATUS_TYPES.get(status) or _GATEWAY_TYPES.get(status) or "error"
        error = ApiError(status, kind, text)
    if retry_after is not None:
        error.headers["Retry-After"] = str(retry_after)
    return error
