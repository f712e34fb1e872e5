"""WebhookSpec validation: every problem at once, per property, with the fix in the words."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from pulumi_devrev.inputs import check_inputs
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


@pytest.mark.parametrize(
    ("status", "active"), [("active", True), ("unverified", True), ("inactive", False)]
)
def test_a_webhook_is_active_unless_inactive(status: str, active: bool) -> None:
    # unverified: the handshake is pending, the webhook is still meant to be active
    hook = Webhook.model_validate(
        {
            "id": "don:integration:dvrv-us-1:devo/0:webhook/a",
            "url": "https://h.example/x",
            "status": status,
            "secret": "s3cr3t-value",
        }
    )
    assert hook.active is active


def test_spec_repr_hides_secret_and_url() -> None:
    spec = WebhookSpec(url="https://user:pw@h.example/x", secret="supersecret1")
    assert "supersecret1" not in repr(spec)
    assert "pw@" not in repr(spec)


# ---------------------------------------------------------------------------------------------
# Pinned by mutation testing and by the sandbox's answers: both paths (pydantic and check_inputs)


def both_paths(props: dict[str, object]) -> list[tuple[str, str]]:
    """The problems, the same through ``validate_spec`` and through ``check_inputs``."""
    _, problems = validate_spec(props)
    assert check_inputs(props)[1] == problems
    return problems


def test_eight_headers_pass_and_nine_do_not() -> None:
    eight = {f"X-H{i}": "v" for i in range(8)}
    assert both_paths({"url": "https://h.example/x", "headers": eight}) == []
    nine = {**eight, "X-H8": "v"}
    [(prop, reason)] = both_paths({"url": "https://h.example/x", "headers": nine})
    assert prop == "headers" and "9 headers given but DevRev allows at most 8: remove 1" in reason


@pytest.mark.parametrize("url", [5, 1.5, True, ["https://h.example/x"], {"u": 1}, b"https://h"])
def test_a_url_that_is_not_a_string_is_refused_by_name(url: object) -> None:
    [(prop, reason)] = both_paths({"url": url})
    assert prop == "url"
    assert reason.startswith(f"url must be a string, not {type(url).__name__}")


def test_event_types_given_as_a_mapping_are_refused() -> None:
    [(prop, reason)] = both_paths(
        {"url": "https://h.example/x", "event_types": {"work_created": True}}
    )
    assert prop == "event_types" and "must be a list of names" in reason


def test_an_input_name_typo_with_two_close_matches_is_a_failure() -> None:
    [(prop, reason)] = both_paths({"url": "https://h.example/x", "n_verification_timeout": 5})
    assert prop == "n_verification_timeout"
    assert "is not an input of DevRevWebhook" in reason
    assert "'on_verification_timeout'" in reason and "'verification_timeout'" in reason


def test_an_event_type_typo_with_two_close_matches_names_both() -> None:
    [(prop, reason)] = both_paths(
        {"url": "https://h.example/x", "event_types": ["ev_user_created"]}
    )
    assert prop == "event_types"
    assert "'dev_user_created'" in reason and "'rev_user_created'" in reason


def test_an_unknown_input_name_is_refused_with_a_close_match() -> None:
    problems = both_paths({"url": "https://h.example/x", "evnet_types": ["work_created"]})
    assert problems == [
        (
            "evnet_types",
            "'evnet_types' is not an input of DevRevWebhook: did you mean 'event_types'?",
        )
    ]
    [(prop, reason)] = both_paths({"url": "https://h.example/x", "colour": "red"})
    assert prop == "colour" and "the inputs are url, event_types" in reason


def test_sdk_keys_and_outputs_are_not_unknown_names() -> None:
    props = {
        "url": "https://h.example/x",
        "__provider": "pickled",
        "__other_sdk_key": 1,
        **dict.fromkeys(("display_id", "status", "created_date", "modified_date")),
    }
    assert both_paths(props) == []


@pytest.mark.parametrize(
    ("url", "wanted"),
    [
        ("https://h.example/a\x00b", "must not contain spaces or control characters"),
        ("https://h.example/a\x1bb", "must not contain spaces or control characters"),
        ("https://h.example/a\x7fb", "must not contain spaces or control characters"),
        ("https://h.example/a\x85b", "must not contain spaces or control characters"),
        ("https://h.example:0/x", "names port 0, which DevRev cannot connect to"),
        ("https://[::1]:0/x", "names port 0"),
        ("https://h.example:65536/x", "is not a valid URL"),
    ],
)
def test_urls_devrev_refuses_are_refused_with_the_fix(url: str, wanted: str) -> None:
    [(prop, reason)] = both_paths({"url": url})
    assert prop == "url" and wanted in reason
    assert reason.count(":") >= 1  # "...: <what to do>"


@pytest.mark.parametrize(
    "url",
    [
        "https://h.example/" + "a" * 3000,  # DevRev states no length limit
        "https://h.example:1/x",
        "https://h.example:65535/x",
        "http://h.example/x",
        "https://bücher.example/ü",
    ],
)
def test_urls_devrev_takes_are_accepted(url: str) -> None:
    assert both_paths({"url": url}) == []


def test_header_values_with_control_characters_are_refused_but_a_tab_is_not() -> None:
    url = "https://h.example/x"
    for char in ("\x00", "\x01", "\x0b", "\x1f", "\x7f", "\r", "\n"):
        [(prop, reason)] = both_paths({"url": url, "headers": {"X-A": f"a{char}b"}})
        assert prop == "headers" and "must not contain line breaks or other control" in reason
        assert f"a{char}b" not in reason
    assert both_paths({"url": url, "headers": {"X-A": "a\tb", "X-B": "héllo"}}) == []


def test_quoted_values_are_capped() -> None:
    url = "https://h.example/x"
    problems = dict(
        both_paths(
            {
                "url": "hooks.example.com/" + "p" * 5000,
                "event_types": ["x" * 5000, ["y"] * 5000, "Bad Name " * 500],
                "headers": {"Bad Name " * 500: "v"},
                "z" * 5000: 1,
            }
        )
    )
    assert len(problems["url"]) < 250 and "…" in problems["url"]
    assert len(problems["event_types"]) < 600
    assert len(problems["headers"]) < 250
    assert len(problems["z" * 5000]) < 250
    problems = dict(both_paths({"url": url, "secret": "s" * 100_000}))
    assert "s" * 9 not in problems["secret"]


def test_a_url_with_credentials_is_shown_redacted_and_capped() -> None:
    url = "ftp://user:hunter22@h.example/" + "p" * 500 + "?token=abc"
    [(_, reason)] = both_paths({"url": url})
    assert "hunter22" not in reason and "token=abc" not in reason
    assert "ftp://***@h.example/ppp" in reason and len(reason) < 250
