"""The spec copy inside the package, and validate_response itself (it must reject, too)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest

from pulumi_devrev.sandbox import EVENT_TYPES
from pulumi_devrev.sandbox.openapi import WEBHOOK_STATUSES, load_spec

from .helpers import require_absent
from .responses import SpecMismatch, validate_response

GET = ("/webhooks.get", "get")

WEBHOOK: dict[str, Any] = {
    "id": "don:integration:dvrv-us-1:devo/abc:webhook/def",
    "display_id": "webhook-1",
    "secret": "c2VjcmV0LXZhbHVl",
    "status": "active",
    "url": "https://hooks.example.com/devrev",
    "event_types": ["work_created"],
    "headers": [{"name": "X-Team", "value": "platform"}],
    "created_by": {"type": "dev_user", "id": "don:identity:x", "display_handle": "extra"},
    "created_date": "2024-01-01T12:00:00.000Z",
}


def test_the_spec_is_read_from_the_package_copy() -> None:
    copy = resources.files("pulumi_devrev.sandbox").joinpath("devrev-openapi-webhooks.json")
    assert copy.is_file()
    assert resources.files("pulumi_devrev.sandbox").joinpath("OPENAPI-ORIGIN.md").is_file()
    assert set(load_spec()["paths"]) == {
        "/webhooks.create",
        "/webhooks.get",
        "/webhooks.list",
        "/webhooks.update",
        "/webhooks.delete",
    }


def test_event_types_and_statuses_come_from_the_spec() -> None:
    assert len(EVENT_TYPES) == 76
    assert {"verify", "work_created", "group_member_added", "ai_agent_response"} <= set(EVENT_TYPES)
    assert WEBHOOK_STATUSES == ("active", "inactive", "unverified")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"type": "bad_request", "message": "m"}),
        (400, {"type": "parse_error", "message": "m", "detail": "d"}),
        (400, {"type": "invalid_field", "message": "m", "field_name": "f"}),
        (400, {"type": "invalid_id", "message": "m", "field_name": "id"}),
        (400, {"type": "missing_required_field", "field_name": "url"}),
        (
            400,
            {"type": "invalid_enum_value", "field_name": "f", "value": "v", "allowed_values": []},
        ),
        (
            400,
            {
                "type": "unexpected_json_type",
                "field_name": "f",
                "expected": "bool",
                "actual": "null",
            },
        ),
        (400, {"type": "value_not_permitted", "field_name": "f", "reason": "r"}),
        (400, {"type": "invalid_content_type", "value": "text/plain"}),
        (
            400,
            {"type": "customization_validation_error", "subtype": "wrong_type", "reason": "r"},
        ),
        (401, {"type": "unauthenticated", "message": "m"}),
        (401, {"type": "token_expired"}),
        (403, {"type": "forbidden", "message": "m"}),
        (404, {"type": "not_found", "message": "m"}),
        (413, {"type": "request_entity_too_large", "max_bytes": 10}),
        (429, {"type": "too_many_requests", "message": "m", "retry_after": 3}),
        (500, {"type": "internal_error", "message": "m", "reference_id": "r"}),
        (503, {"type": "service_unavailable", "message": "m"}),
    ],
)
def test_valid_error_bodies_pass(status: int, body: dict[str, Any]) -> None:
    validate_response(*GET, status, body)


@pytest.mark.parametrize(
    ("status", "body", "why"),
    [
        (404, {"type": "not_found", "message": "m", "extra": 1}, "closed variant + extra field"),
        (400, {"type": "bad_request", "field_name": "f"}, "field of another variant"),
        (429, {"type": "too_many_requests", "retry_after": "3"}, "retry_after is an integer"),
        (429, {"type": "too_many_requests", "reference_id": "r"}, "reference_id is 500's"),
        (500, {"type": "internal_error", "retry_after": 1}, "retry_after is 429's"),
        (404, {"type": "bad_request"}, "type of another status"),
        (400, {"type": "no_such_type"}, "type outside the mapping"),
        (400, {"message": "m"}, "type is required"),
        (400, {"type": "invalid_field", "message": "m"}, "variant's required field missing"),
        (400, {"type": "invalid_enum_value", "field_name": "f", "value": "v"}, "allowed_values"),
        (
            400,
            {
                "type": "unexpected_json_type",
                "field_name": "f",
                "expected": "boolean",
                "actual": "x",
            },
            "DevRev's JSON type names",
        ),
        (
            400,
            {"type": "customization_validation_error", "subtype": "wrong_type", "zz": 1},
            "nested closed variant + extra field",
        ),
        (400, {"type": "customization_validation_error"}, "nested discriminator missing"),
        (401, {"type": "unauthenticated", "message": 5}, "message is a string"),
        (503, ["service_unavailable"], "not an object"),
    ],
)
def test_invalid_error_bodies_fail(status: int, body: Any, why: str) -> None:
    with pytest.raises(SpecMismatch):
        validate_response(*GET, status, body)


def test_open_variants_allow_extra_fields_as_the_spec_says() -> None:
    # invalid_field does not say additionalProperties: false, unlike not_found.
    validate_response(*GET, 400, {"type": "invalid_field", "field_name": "f", "hint": "h"})


def test_a_complete_webhook_passes_with_unknown_user_fields() -> None:
    validate_response("/webhooks.create", "post", 201, {"webhook": WEBHOOK})
    validate_response("/webhooks.list", "get", 200, {"webhooks": [WEBHOOK]})
    validate_response("/webhooks.delete", "post", 200, {})


@pytest.mark.parametrize(
    "change",
    [
        {"secret": None},
        {"status": "paused"},
        {"event_types": ["work_creatd"]},
        {"created_by": {"type": "robot", "id": "x"}},
        {"created_date": "yesterday"},
        {"headers": [{"name": "X"}]},
    ],
)
def test_broken_webhooks_fail(change: dict[str, Any]) -> None:
    webhook = {key: value for key, value in {**WEBHOOK, **change}.items() if value is not None}
    with pytest.raises(SpecMismatch):
        validate_response("/webhooks.get", "post", 200, {"webhook": webhook})


def test_delete_answers_an_empty_object() -> None:
    with pytest.raises(SpecMismatch):
        validate_response("/webhooks.delete", "post", 200, {"deleted": True})


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [("/webhooks.list", "get", 404), ("/webhooks.create", "post", 200), ("/nope", "get", 200)],
)
def test_undeclared_responses_are_mismatches(path: str, method: str, status: int) -> None:
    with pytest.raises(SpecMismatch):
        validate_response(path, method, status, {})


def test_mismatch_messages_never_quote_values() -> None:
    secret = "do-not-print-this-secret"
    webhook = {**WEBHOOK, "secret": secret, "status": secret, "url": 3}
    with pytest.raises(SpecMismatch) as caught:
        validate_response("/webhooks.get", "get", 200, {"webhook": webhook})
    require_absent(secret, str(caught.value), "the secret")
    assert "status" in str(caught.value)
