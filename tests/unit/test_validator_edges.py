"""``check()``'s reasons word for word and its bounds to the unit, found by mutation testing
(``make mutate``): a preview shows these sentences to the user, so a garbled or empty one is a
fault the user sees."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_devrev.inputs import (
    check_adopt_id,
    check_headers,
    check_secret,
    check_timeout,
    normalize_event_types,
    unknown_names,
)
from pulumi_devrev.models import validate_spec

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
