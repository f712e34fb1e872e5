"""WebhookSpec validation: every problem at once, per property, with the fix in the words."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from pulumi_devrev.models import (
    EVENT_TYPE_NAMES,
    EventTypesUpdate,
    HeadersUpdate,
    UpdateWebhookRequest,
    Webhook,
    WebhookHeader,
    WebhookSpec,
    unrecognized_event_types,
    validate_spec,
)


def failures(**props: object) -> dict[str, str]:
    spec, problems = validate_spec({"url": "https://hooks.example.com/x", **props})
    assert (spec is None) == bool(problems)
    return dict(problems)


def test_event_type_enum_is_exactly_the_specs() -> None:
    spec = json.loads(
        files("pulumi_devrev.sandbox").joinpath("devrev-openapi-webhooks.json").read_text()
    )
    assert EVENT_TYPE_NAMES == set(spec["components"]["schemas"]["webhook-event-type"]["enum"])
    assert len(EVENT_TYPE_NAMES) == 76


def test_event_types_are_a_sorted_set() -> None:
    spec, _ = validate_spec(
        {
            "url": "https://h.example/x",
            "event_types": ["work_updated", "work_created", "work_updated"],
        }
    )
    assert spec is not None
    assert spec.event_types == ("work_created", "work_updated")
    assert spec.to_inputs()["event_types"] == ["work_created", "work_updated"]


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("work_creatd", "work_created"),
        ("wrok_created", "work_created"),
        ("conversation_updatd", "conversation_updated"),
    ],
)
def test_event_type_typos_suggest_close_matches(typo: str, suggestion: str) -> None:
    reason = failures(event_types=[typo])["event_types"]
    assert f"unknown event type {typo!r}" in reason
    assert repr(suggestion) in reason


def test_a_name_devrev_added_later_is_accepted() -> None:
    spec, problems = validate_spec(
        {"url": "https://h.example/x", "event_types": ["sla_tracker_breached", "work_created"]}
    )
    assert problems == []
    assert spec is not None
    assert unrecognized_event_types(spec.event_types) == ["sla_tracker_breached"]


def test_malformed_event_type_names_are_refused() -> None:
    reason = failures(event_types=["Work Created", 3])["event_types"]
    assert "'Work Created' is not an event type name" in reason
    assert "3 is not a string" in reason


def test_event_types_must_be_a_list() -> None:
    assert "must be a list" in failures(event_types="work_created")["event_types"]


@pytest.mark.parametrize("secret", ["short", "x" * 33, "é" * 17])
def test_secret_size_counts_utf8_bytes_and_says_how_many(secret: str) -> None:
    reason = failures(secret=secret)["secret"]
    assert f"secret is {len(secret.encode())} bytes long" in reason
    assert "8 to 32 bytes" in reason
    assert secret not in reason


@pytest.mark.parametrize("secret", ["x" * 8, "x" * 32, "é" * 16])
def test_secret_within_bounds_is_accepted(secret: str) -> None:
    assert failures(secret=secret) == {}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://h.example/x",
        "/relative",
        "https://",
        "hooks.example.com",
        "https://h.example/a b",
        "https://h.example:99999/x",
    ],
)
def test_url_must_be_absolute_http(url: str) -> None:
    _, problems = validate_spec({"url": url})
    assert [p for p, _ in problems] == ["url"]


def test_a_relative_url_is_shown_in_its_message() -> None:
    _, problems = validate_spec({"url": "hooks.example.com/devrev"})
    assert dict(problems)["url"].startswith("url hooks.example.com/devrev must be an absolute")


def test_a_relative_url_with_credentials_shows_only_the_rest() -> None:
    _, problems = validate_spec({"url": "user:hunter22@hooks.example.com/devrev?token=abc"})
    reason = dict(problems)["url"]
    assert "hunter22" not in reason and "abc" not in reason
    assert "hooks.example.com/devrev" in reason


def test_url_with_credentials_is_never_repeated_in_messages() -> None:
    _, problems = validate_spec({"url": "ftp://user:hunter22@h.example/x?token=abc"})
    reason = dict(problems)["url"]
    assert "hunter22" not in reason and "abc" not in reason
    assert "h.example" in reason


def test_headers_rules() -> None:
    too_many = {f"X-H{i}": "v" for i in range(9)}
    assert "9 headers given but DevRev allows at most 8" in failures(headers=too_many)["headers"]
    bad = failures(headers={"X Bad": "v", "ok": "a\nb", "Dup": "1", "dup": "2"})["headers"]
    assert "'X Bad' may only use ASCII letters" in bad
    assert "must not contain line breaks" in bad
    assert "are the same header" in bad


def test_every_problem_is_reported_at_once() -> None:
    _, problems = validate_spec(
        {
            "url": "nope",
            "event_types": ["work_creatd"],
            "secret": "123",
            "active": "yes",
            "headers": {"a b": "c"},
            "verification_timeout": 0,
            "on_verification_timeout": "explode",
            "adopt_id": "webhook-1",
        }
    )
    assert [p for p, _ in problems] == [
        "url",
        "event_types",
        "secret",
        "active",
        "headers",
        "verification_timeout",
        "on_verification_timeout",
        "adopt_id",
    ]
    assert dict(problems)["active"] == "active must be true or false"


def test_missing_url_names_the_property() -> None:
    _, problems = validate_spec({})
    assert problems == [("url", "url is required")]


def test_update_request_set_is_exclusive() -> None:
    with pytest.raises(ValueError, match="cannot be combined"):
        EventTypesUpdate(set=["work_created"], add=["work_updated"])
    with pytest.raises(ValueError, match="cannot be combined"):
        HeadersUpdate(set=[], remove=["x"])
    body = UpdateWebhookRequest(
        id="don:integration:dvrv-us-1:devo/0:webhook/a",
        event_types=EventTypesUpdate(set=[]),
        headers=HeadersUpdate(set=[WebhookHeader(name="a", value="b")]),
    ).body()
    assert body == {
        "id": "don:integration:dvrv-us-1:devo/0:webhook/a",
        "event_types": {"set": []},
        "headers": {"set": [{"name": "a", "value": "b"}]},
    }


def test_webhook_parsing_tolerates_unknown_fields() -> None:
    hook = Webhook.model_validate(
        {
            "id": "don:integration:dvrv-us-1:devo/0:webhook/a",
            "url": "https://h.example/x",
            "status": "unverified",
            "secret": "s3cr3t-value",
            "brand_new_field": {"x": 1},
            "headers": [{"name": "a", "value": "b", "sensitive": False}],
            "created_by": {"type": "dev_user", "id": "x", "display_handle": "y"},
        }
    )
    assert hook.header_map == {"a": "b"}
    assert "s3cr3t-value" not in repr(hook)


def test_spec_repr_hides_secret_and_url() -> None:
    spec = WebhookSpec(url="https://user:pw@h.example/x", secret="supersecret1")
    assert "supersecret1" not in repr(spec)
    assert "pw@" not in repr(spec)
