"""The edges of signature checking that a looser check would let through, found by mutation
testing (``make mutate``): malformed header values, secrets that are not what they seem, the
exact messages a misconfigured receiver shows, and a receiver whose clock is not on UTC."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from pulumi_devrev.receiver import (
    SignatureScheme,
    create_app,
    sign_body,
    verify_delivery,
    verify_signature,
)

from .support import B64_SECRET, NOW, SECRET, base64_signature, encode, envelope, signed

BODY = b'{"id":"evt-1","type":"work_created","work_created":{"work":{"id":"w1"}}}'
HEX = SignatureScheme.HEX_HMAC_SHA256_RAW_KEY
B64 = SignatureScheme.BASE64_HMAC_SHA256_DECODED_KEY


class TestDecode:
    """``SignatureScheme.decode``: the digest a header stands for, or ``None`` if malformed."""

    def test_hex_with_a_space_inside_is_malformed(self) -> None:
        # bytes.fromhex would read it: only the 64-digit pattern keeps it out.
        digits = sign_body(BODY, SECRET)
        spaced = f"{digits[:32]} {digits[32:]}"

        assert HEX.decode(spaced) is None
        assert not verify_signature(BODY, spaced, SECRET)

    @pytest.mark.parametrize("length", [31, 33])
    def test_a_hex_digest_of_the_wrong_length_is_malformed(self, length: int) -> None:
        assert HEX.decode("ab" * length) is None

    def test_well_formed_hex_decodes_to_the_digest(self) -> None:
        assert HEX.decode("AB" * 32) == b"\xab" * 32

    def test_base64_with_characters_outside_the_alphabet_is_malformed(self) -> None:
        # A lenient decoder drops the "*" and reads the right digest: a tampered header passes.
        signature = base64_signature(BODY, B64_SECRET)
        tampered = f"{signature[:8]}*{signature[8:]}"

        assert B64.decode(tampered) is None
        assert not verify_signature(BODY, tampered, B64_SECRET, B64)

    @pytest.mark.parametrize("size", [31, 33])
    def test_a_base64_digest_of_the_wrong_length_is_malformed(self, size: int) -> None:
        assert B64.decode(base64.b64encode(b"\x01" * size).decode("ascii")) is None


class TestKeys:
    def test_an_empty_secret_is_refused_and_says_so(self) -> None:
        with pytest.raises(ValueError) as caught:
            HEX.key("")
        assert str(caught.value) == "the webhook secret is empty"

    def test_a_url_safe_base64_secret_is_refused_not_read_as_another_key(self) -> None:
        # "-" is not in the standard alphabet: a lenient decoder would drop it and sign with
        # the bytes of "c2VjcmV0c2VjcmV0", so no signature from DevRev would ever match.
        with pytest.raises(ValueError, match="cannot sign with this secret"):
            sign_body(BODY, "c2VjcmV0-c2VjcmV0", B64)
        with pytest.raises(ValueError):
            B64.key("c2VjcmV0-c2VjcmV0")

    def test_signing_a_str_names_the_type_given(self) -> None:
        with pytest.raises(TypeError) as caught:
            sign_body("{}", SECRET)  # type: ignore[arg-type]
        assert str(caught.value) == "body must be bytes, not str"


class TestConfiguration:
    def test_no_secret_says_exactly_that(self) -> None:
        with pytest.raises(ValueError) as caught:
            create_app([])
        assert str(caught.value) == "no webhook secret configured"

    def test_a_negative_tolerance_is_refused_and_says_so(self) -> None:
        body, headers = signed(envelope("work_created", {}, timestamp=NOW))
        with pytest.raises(ValueError) as caught:
            verify_delivery(
                body, headers["X-DevRev-Signature"], SECRET, now=NOW, tolerance=-timedelta(1)
            )
        assert str(caught.value) == "tolerance must not be negative"

    def test_a_zero_tolerance_accepts_a_delivery_stamped_now(self) -> None:
        body, headers = signed(envelope("work_created", {}, timestamp=NOW))

        event = verify_delivery(
            body, headers["X-DevRev-Signature"], SECRET, now=NOW, tolerance=timedelta(0)
        )

        assert event.id == "evt-1"


@pytest.fixture
def local_time_not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone is five hours behind UTC (and has no summer time)."""
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_time_not_utc")
def test_a_fresh_delivery_is_accepted_on_a_receiver_whose_clock_is_not_on_utc() -> None:
    # DevRev stamps deliveries in UTC: "now" must be the current UTC time, not local time.
    body = encode(envelope("work_created", {}))
    signature = sign_body(body, SECRET)

    event = verify_delivery(body, signature, SECRET)

    assert event.type == "work_created"
