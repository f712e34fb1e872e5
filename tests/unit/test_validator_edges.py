"""``check()``'s reasons word for word and its bounds to the unit, found by mutation testing
(``make mutate``): a preview shows these sentences to the user, so a garbled or empty one is a
fault the user sees."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pulumi_devrev.inputs import (
    bounded,
    check_adopt_id,
    check_headers,
    check_secret,
    check_timeout,
    check_url,
    normalize_event_types,
    quote,
    unknown_names,
)
from pulumi_devrev.models import EventTypesUpdate, Webhook, validate_spec

GENERATED = "or leave secret unset and one is generated"


def reason(check: Any, value: Any) -> str:
    with pytest.raises(ValueError) as caught:
        check(value)
    return str(caught.value)


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (check_secret, 12345678, "secret must be a string"),
        (
            check_secret,
            "\ud800abcdefgh",
            "secret is not valid Unicode text (it holds an unpaired surrogate): use another "
            f"secret, {GENERATED}",
        ),
        (
            check_secret,
            "abc",
            "secret is 3 bytes long (UTF-8) but DevRev needs 8 to 32 bytes: use a secret of that "
            f"size, {GENERATED}",
        ),
        (
            normalize_event_types,
            "work_created",
            'event_types must be a list of names, e.g. ["work_created"]',
        ),
        (check_timeout, 0, "verification_timeout must be a number of seconds from 1 to 3600"),
        (
            check_adopt_id,
            "webhook/abc",
            "adopt_id must be a DevRev webhook id such as "
            "don:integration:dvrv-us-1:devo/0:webhook/abc (see `webhooks.list`)",
        ),
    ],
)
def test_reasons_word_for_word(check: Any, value: Any, expected: str) -> None:
    assert reason(check, value) == expected


def test_every_bad_event_type_is_reported_not_only_the_first() -> None:
    assert reason(normalize_event_types, [1, "Bad-Name", "work_creatd", "work_created"]) == (
        "1 is not a string; 'Bad-Name' is not an event type name (lowercase words joined by "
        "'_', e.g. work_created); unknown event type 'work_creatd': did you mean "
        "'work_created'? (if DevRev added it after this release, upgrade pulumi-devrev)"
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["X-Team"], 'headers must be a mapping of name to value, e.g. {"X-Team": "ops"}'),
        (
            {f"X-H{i}": "v" for i in range(9)},
            "9 headers given but DevRev allows at most 8: remove 1",
        ),
        (
            {"X-Team": "a", "x-team": "b"},
            "headers 'X-Team' and 'x-team' are the same header (header names ignore case): "
            "keep one",
        ),
        (
            {"X Team": "a", "X-Ok": 1, "X-Bad": "a\x01b"},
            "header name 'X Team' may only use ASCII letters, digits, '-' and '_'; header "
            "'X-Ok' must have a string value; header 'X-Bad' value must not contain line "
            "breaks or other control characters (a tab is fine): remove them from the value",
        ),
    ],
)
def test_header_reasons_word_for_word(headers: Any, expected: str) -> None:
    assert reason(check_headers, headers) == expected


def test_eight_headers_are_allowed() -> None:
    headers = {f"X-H{i}": "v" for i in range(8)}
    assert check_headers(headers) == headers


@pytest.mark.parametrize("seconds", [1, 1.5, 2, 3600, 3600.0])
def test_verification_timeout_from_1_to_3600_seconds_inclusive(seconds: float) -> None:
    assert check_timeout(seconds) == float(seconds)


@pytest.mark.parametrize("seconds", [0.999, 3600.001, 3601, -1, True])
def test_verification_timeout_outside_is_refused(seconds: float) -> None:
    assert "from 1 to 3600" in reason(check_timeout, seconds)


def test_a_name_only_somewhat_like_an_input_gets_the_list_not_a_guess() -> None:
    # "event" is 62% like "event_types": below the 75% a suggestion needs.
    assert unknown_names({"event": ["work_created"]}) == [
        (
            "event",
            "'event' is not an input of DevRevWebhook: the inputs are url, event_types, secret, "
            "active, headers, wait_for_active, verification_timeout, on_verification_timeout, "
            "adopt_id",
        )
    ]


def test_the_model_gives_the_same_reasons() -> None:
    spec, failures = validate_spec({"url": "https://h.example/x", "verification_timeout": 0})

    assert spec is None
    assert failures == [
        ("verification_timeout", "verification_timeout must be a number of seconds from 1 to 3600")
    ]


class TestQuotedValues:
    """A reason quotes at most 80 characters of a value, and never fails to quote one."""

    def test_a_long_text_is_cut_to_80_characters_with_a_mark(self) -> None:
        assert quote("x" * 100) == "'" + "x" * 78 + "…"

    def test_a_text_whose_quoted_form_is_80_characters_is_whole(self) -> None:
        assert quote("x" * 78) == "'" + "x" * 78 + "'"

    def test_the_quotes_chosen_are_those_of_the_value_around_the_cut(self) -> None:
        # repr picks double quotes for a text holding a "'": seen up to the 81st character.
        assert quote("a" * 79 + "'").startswith('"')
        assert quote("a" * 81 + "'").startswith("'")

    def test_other_values_are_abbreviated(self) -> None:
        assert quote(list(range(10))) == "[0, 1, 2, 3, ...]"

    def test_a_value_that_cannot_be_shown_is_named_by_its_type(self) -> None:
        class Hostile(str):
            def __getitem__(self, key: Any) -> str:
                raise RuntimeError("no")

        assert quote(Hostile("text")) == "<Hostile>"


def test_a_reason_is_cut_at_1500_characters() -> None:
    assert bounded("r" * 1500) == "r" * 1500
    assert bounded("r" * 1501) == "r" * 1499 + "…"


def test_two_typos_of_event_types_are_both_reported() -> None:
    assert reason(normalize_event_types, ["work_creatd", "work_updatd"]) == (
        "unknown event type 'work_creatd': did you mean 'work_created'? (if DevRev added it "
        "after this release, upgrade pulumi-devrev); unknown event type 'work_updatd': did you "
        "mean 'work_updated'? (if DevRev added it after this release, upgrade pulumi-devrev)"
    )


def test_unknown_names_after_the_sdks_own_keys_and_of_any_type_are_all_reported() -> None:
    failures = unknown_names({"__provider": "x", "evnet_types": [], 5: 1})

    assert failures == [
        (
            "evnet_types",
            "'evnet_types' is not an input of DevRevWebhook: did you mean 'event_types'?",
        ),
        (
            "5",
            "5 is not an input of DevRevWebhook: the inputs are url, event_types, secret, active, "
            "headers, wait_for_active, verification_timeout, on_verification_timeout, adopt_id",
        ),
    ]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_or_blank_url_is_required(value: Any) -> None:
    assert reason(check_url, value) == (
        "url is required: give the absolute https:// URL of your endpoint"
    )


def test_a_url_that_is_no_text_names_its_type() -> None:
    assert reason(check_url, 443) == (
        "url must be a string, not int: give the absolute https:// URL of your endpoint"
    )


def test_set_with_add_or_remove_is_refused_and_says_why() -> None:
    with pytest.raises(ValidationError) as caught:
        EventTypesUpdate(set=["work_created"], add=["work_updated"])

    assert [e["msg"] for e in caught.value.errors()] == [
        "Value error, 'set' replaces the whole list and cannot be combined with add/remove"
    ]


def test_a_header_devrev_answers_in_an_odd_shape_is_a_validation_error_not_a_crash() -> None:
    # The client turns a ValidationError into "unexpected webhook object from DevRev".
    with pytest.raises(ValidationError):
        Webhook.model_validate(
            {
                "id": "w",
                "url": "https://h.example/x",
                "status": "active",
                "secret": "s" * 8,
                "headers": ["X-Team: ops"],
            }
        )
