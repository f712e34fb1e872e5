"""parse_event and challenge_response: the delivery envelope, typed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pulumi_devrev.receiver import InvalidDelivery, WebhookEvent, challenge_response, parse_event

from .support import WEBHOOK_ID, encode, envelope

# The verify example of DevRev's documentation, as the contract quotes it.
VERIFY_BODY = (
    b'{"id": "evt-verify", "webhook_id": "' + WEBHOOK_ID.encode() + b'", '
    b'"timestamp": "2025-07-02T13:07:40.937074Z", "type": "verify", '
    b'"verify": {"challenge": "DlrVaK7z"}}'
)


def test_the_documented_verify_event_parses_into_typed_fields() -> None:
    event = parse_event(VERIFY_BODY)

    assert event.id == "evt-verify"
    assert event.webhook_id == WEBHOOK_ID
    assert event.type == "verify"
    assert event.timestamp == datetime(2025, 7, 2, 13, 7, 40, 937074, tzinfo=UTC)
    assert event.payload == {"challenge": "DlrVaK7z"}


def test_the_payload_is_the_object_under_the_key_named_by_type() -> None:
    work = {"work": {"id": "don:core:w/1", "title": "new"}, "old_work": {"title": "old"}}

    event = parse_event(encode(envelope("work_updated", work)))

    assert event.type == "work_updated"
    assert event.payload == work


def test_a_deleted_event_carries_the_id_of_the_object() -> None:
    event = parse_event(encode(envelope("work_deleted", {"id": "don:core:w/1"})))

    assert event.payload == {"id": "don:core:w/1"}


@pytest.mark.parametrize("member_is_null", [False, True], ids=["absent", "null"])
def test_a_missing_or_null_payload_is_an_empty_dict(member_is_null: bool) -> None:
    data = envelope("tag_created")
    if member_is_null:
        data["tag_created"] = None

    event = parse_event(encode(data))

    assert event.payload == {}


def test_unknown_envelope_fields_and_unknown_event_types_are_kept_not_rejected() -> None:
    data = envelope("brand_new_thing_created", {"thing": {}}, delivery_attempt=2, region="us-1")

    event = parse_event(encode(data))

    assert event.type == "brand_new_thing_created"
    assert event.model_extra == {"delivery_attempt": 2, "region": "us-1"}


def test_a_timestamp_without_offset_is_read_as_utc() -> None:
    event = parse_event(encode(envelope("work_created", {}, timestamp="2025-07-02T13:07:40")))

    assert event.timestamp == datetime(2025, 7, 2, 13, 7, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe", "malformed body: not UTF-8 text"),
        (b"{not json", "malformed body: not JSON"),
        (b"", "malformed body: not JSON"),
        (b"[1, 2]", "malformed body: expected a JSON object"),
        (b'"verify"', "malformed body: expected a JSON object"),
        (b"[" * 100_000, "malformed body: JSON nested too deeply"),
        (b'{"webhook_id": "w", "timestamp": "2025-07-02T13:07:40Z", "type": "t"}',
         "malformed body: id: Field required"),
        (b'{"id": "e", "webhook_id": "w", "timestamp": "yesterday", "type": "t"}',
         "malformed body: timestamp: "),
        (b'{"id": "e", "webhook_id": "w", "timestamp": "2025-07-02T13:07:40Z", "type": 7}',
         "malformed body: type: Input should be a valid string"),
        (b'{"id": "e", "webhook_id": "w", "timestamp": "2025-07-02T13:07:40Z", "type": "t",'
         b' "t": [1]}', "malformed body: the member named by 'type' must be a JSON object"),
    ],
    ids=["not-utf8", "not-json", "empty", "array", "string", "deep", "no-id", "bad-timestamp",
         "type-not-string", "payload-not-object"],
)  # fmt: skip
def test_malformed_bodies_raise_invalid_delivery_with_a_readable_reason(
    body: bytes, reason: str
) -> None:
    with pytest.raises(InvalidDelivery) as caught:
        parse_event(body)

    assert caught.value.kind == "malformed_body"
    assert caught.value.reason.startswith(reason)
    assert str(caught.value) == caught.value.reason
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("body", [10**12, '{"id": "e"}', None], ids=["int", "str", "none"])
def test_a_body_that_is_not_bytes_is_a_type_error(body: object) -> None:
    with pytest.raises(TypeError, match="raw request body as bytes"):
        parse_event(body)  # type: ignore[arg-type]


def test_validation_reasons_do_not_quote_the_body() -> None:
    body = encode({"id": "e", "webhook_id": "w", "timestamp": "private-detail", "type": "t"})

    with pytest.raises(InvalidDelivery) as caught:
        parse_event(body)

    assert "private-detail" not in caught.value.reason


class TestChallengeResponse:
    def test_answers_verify_challenge(self) -> None:
        assert challenge_response(parse_event(VERIFY_BODY)) == {"challenge": "DlrVaK7z"}

    def test_accepts_the_raw_body_too(self) -> None:
        assert challenge_response(VERIFY_BODY) == {"challenge": "DlrVaK7z"}

    def test_falls_back_to_a_top_level_challenge(self) -> None:
        # Unsettled point 2: DevRev's own example receiver reads the top-level field.
        body = encode(envelope("verify", challenge="top-level-value"))

        assert challenge_response(body) == {"challenge": "top-level-value"}

    def test_prefers_verify_challenge_when_both_are_present(self) -> None:
        body = encode(envelope("verify", {"challenge": "nested"}, challenge="top"))

        assert challenge_response(body) == {"challenge": "nested"}

    def test_is_none_for_a_verify_event_without_a_challenge(self) -> None:
        assert challenge_response(encode(envelope("verify", {}))) is None

    def test_is_none_for_object_events(self) -> None:
        body = encode(envelope("work_created", {"work": {}}, challenge="not-a-handshake"))

        assert challenge_response(body) is None

    def test_raises_invalid_delivery_for_a_malformed_body(self) -> None:
        with pytest.raises(InvalidDelivery):
            challenge_response(b"nope")

    def test_event_property_matches(self) -> None:
        event = WebhookEvent.model_validate(envelope("verify", {"challenge": "c"}))

        assert event.challenge == "c"
