"""verify_delivery: signature (any of several secrets), then parsing, then the replay window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pulumi_devrev.receiver import InvalidDelivery, SignatureScheme, verify_delivery

from .support import (
    B64_SECRET,
    NOW,
    OTHER_SECRET,
    SECRET,
    base64_signature,
    encode,
    envelope,
    hex_signature,
    signed,
)


def delivery_at(offset: timedelta) -> tuple[bytes, str]:
    """A work_created delivery stamped ``offset`` after NOW, signed with SECRET."""
    body, headers = signed(envelope("work_created", {"work": {"id": "w1"}}, timestamp=NOW + offset))
    return body, headers["X-DevRev-Signature"]


def reject(body: bytes, signature: str | None, **kwargs: object) -> InvalidDelivery:
    with pytest.raises(InvalidDelivery) as caught:
        verify_delivery(body, signature, SECRET, now=NOW, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_fresh_signed_delivery_returns_the_typed_event() -> None:
    body, signature = delivery_at(timedelta(seconds=-2))

    event = verify_delivery(body, signature, SECRET, now=NOW)

    assert event.type == "work_created"
    assert event.payload == {"work": {"id": "w1"}}


@pytest.mark.parametrize("signature", [None, "", "   "], ids=["none", "empty", "blank"])
def test_no_signature_is_a_missing_signature(signature: str | None) -> None:
    body, _ = delivery_at(timedelta(0))

    problem = reject(body, signature)

    assert (problem.kind, problem.reason) == ("missing_signature", "missing signature")


def test_a_wrong_signature_is_a_bad_signature() -> None:
    body, _ = delivery_at(timedelta(0))

    problem = reject(body, hex_signature(body, OTHER_SECRET))

    assert (problem.kind, problem.reason) == ("bad_signature", "bad signature")


def test_the_signature_is_checked_before_the_body_is_parsed() -> None:
    problem = reject(b"not json", hex_signature(b"something else", SECRET))

    assert problem.kind == "bad_signature"


def test_a_signed_malformed_body_is_a_malformed_body() -> None:
    problem = reject(b"not json", hex_signature(b"not json", SECRET))

    assert problem.kind == "malformed_body"
    assert problem.reason.startswith("malformed body: ")


def test_a_timestamp_older_than_the_tolerance_is_stale() -> None:
    body, signature = delivery_at(-timedelta(minutes=5, seconds=1))

    problem = reject(body, signature)

    assert (problem.kind, problem.reason) == ("stale_timestamp", "stale timestamp (301s old)")


def test_a_timestamp_further_in_the_future_than_the_tolerance_is_stale() -> None:
    body, signature = delivery_at(timedelta(minutes=6))

    problem = reject(body, signature)

    assert problem.kind == "stale_timestamp"
    assert problem.reason == "stale timestamp (360s in the future)"


@pytest.mark.parametrize("offset", [timedelta(minutes=-5), timedelta(minutes=5)])
def test_the_tolerance_bound_itself_is_accepted(offset: timedelta) -> None:
    body, signature = delivery_at(offset)

    event = verify_delivery(body, signature, SECRET, now=NOW)
    assert event.id == "evt-1"


def test_the_tolerance_is_configurable() -> None:
    body, signature = delivery_at(timedelta(seconds=-30))

    problem = reject(body, signature, tolerance=timedelta(seconds=10))

    assert problem.reason == "stale timestamp (30s old)"


def test_a_naive_now_is_read_as_utc() -> None:
    body, signature = delivery_at(timedelta(0))

    event = verify_delivery(body, signature, SECRET, now=NOW.replace(tzinfo=None))

    assert event.id == "evt-1"


class TestRotation:
    """Several secrets are accepted so a secret can be rotated without missing events."""

    def test_a_delivery_signed_with_either_secret_is_accepted(self) -> None:
        body, _ = delivery_at(timedelta(0))
        for secret in (SECRET, OTHER_SECRET):
            event = verify_delivery(
                body, hex_signature(body, secret), [OTHER_SECRET, SECRET], now=NOW
            )
            assert event.id == "evt-1"

    def test_a_secret_outside_the_list_is_still_refused(self) -> None:
        body, _ = delivery_at(timedelta(0))
        retired = hex_signature(body, "whsec-retired-00000000")
        with pytest.raises(InvalidDelivery, match="bad signature"):
            verify_delivery(body, retired, [SECRET, OTHER_SECRET], now=NOW)

    def test_a_tuple_of_secrets_works_like_a_list(self) -> None:
        body, signature = delivery_at(timedelta(0))
        event = verify_delivery(body, signature, (OTHER_SECRET, SECRET), now=NOW)
        assert event.id == "evt-1"

    def test_no_secret_at_all_is_a_configuration_error_not_a_bad_delivery(self) -> None:
        body, signature = delivery_at(timedelta(0))
        with pytest.raises(ValueError, match="no webhook secret configured") as caught:
            verify_delivery(body, signature, [], now=NOW)
        assert not isinstance(caught.value, InvalidDelivery)


def test_the_base64_scheme_is_selectable() -> None:
    body = encode(envelope("work_created", {}, timestamp=NOW))
    signature = base64_signature(body, B64_SECRET)

    event = verify_delivery(
        body,
        signature,
        B64_SECRET,
        now=NOW,
        scheme=SignatureScheme.BASE64_HMAC_SHA256_DECODED_KEY,
    )

    assert event.type == "work_created"


def test_reasons_never_contain_the_secret_or_the_signature() -> None:
    body, signature = delivery_at(timedelta(hours=-1))
    cases = [
        reject(body, signature),
        reject(body, signature[::-1]),
        reject(b"{}", hex_signature(b"{}", SECRET)),
    ]
    for problem in cases:
        for needle in (SECRET, signature, signature[::-1]):
            leaked = needle in problem.reason or needle in repr(problem)
            assert not leaked
