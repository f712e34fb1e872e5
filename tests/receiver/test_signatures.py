"""verify_signature / sign_body: DevRev's HMAC scheme, and the alternative kept selectable."""

from __future__ import annotations

import pytest

from pulumi_devrev.receiver import DEFAULT_SCHEME, SignatureScheme, sign_body, verify_signature

from .support import B64_SECRET, OTHER_SECRET, SECRET, base64_signature, hex_signature

BODY = b'{"id":"evt-1","type":"work_created","work_created":{"work":{"id":"w1"}}}'
HEX = SignatureScheme.HEX_HMAC_SHA256_RAW_KEY
B64 = SignatureScheme.BASE64_HMAC_SHA256_DECODED_KEY


def test_default_scheme_is_lowercase_hex_keyed_with_the_raw_secret() -> None:
    expected = hex_signature(BODY, SECRET)

    produced = sign_body(BODY, SECRET)

    assert DEFAULT_SCHEME is HEX
    assert produced == expected
    assert produced == produced.lower()


def test_known_vector_from_rfc_4231_case_2() -> None:
    # HMAC-SHA256 test case 2 of RFC 4231: key "Jefe" (the spec's vector, not a webhook secret).
    body = b"what do ya want for nothing?"

    produced = sign_body(body, "Jefe")

    assert produced == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_a_correct_signature_verifies() -> None:
    ok = verify_signature(BODY, hex_signature(BODY, SECRET), SECRET)
    assert ok


def test_a_signature_made_with_another_secret_is_refused() -> None:
    ok = verify_signature(BODY, hex_signature(BODY, OTHER_SECRET), SECRET)
    assert not ok


def test_a_tampered_body_is_refused() -> None:
    signature = hex_signature(BODY, SECRET)
    ok = verify_signature(BODY.replace(b"w1", b"w2"), signature, SECRET)
    assert not ok


def test_uppercase_hex_and_surrounding_whitespace_are_accepted() -> None:
    signature = f"  {hex_signature(BODY, SECRET).upper()}\t\n"
    ok = verify_signature(BODY, signature, SECRET)
    assert ok


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "   ",
        "sha256=",
        "zz" * 32,  # right length, not hex
        "ab" * 31,  # too short
        "ab" * 33,  # too long
        "é" * 64,  # non-ASCII
        "\x00" * 64,
    ],
    ids=["empty", "blank", "prefix-only", "not-hex", "short", "long", "non-ascii", "nul"],
)
def test_malformed_signatures_are_refused(signature: str) -> None:
    ok = verify_signature(BODY, signature, SECRET)
    assert not ok


@pytest.mark.parametrize(
    ("body", "signature", "secret"),
    [
        (None, "ab" * 32, "s"),
        ("text, not bytes", "ab" * 32, "s"),
        (b"x", None, "s"),
        (b"x", 12345, "s"),
        (b"x", b"ab" * 32, "s"),
        (b"x", "ab" * 32, None),
        (b"x", "ab" * 32, b"bytes secret"),
        (b"x", "ab" * 32, "\ud800 lone surrogate"),
    ],
    ids=["body-none", "body-str", "sig-none", "sig-int", "sig-bytes", "secret-none",
         "secret-bytes", "secret-unencodable"],
)  # fmt: skip
def test_unusable_inputs_give_false_instead_of_raising(
    body: object, signature: object, secret: object
) -> None:
    ok = verify_signature(body, signature, secret)  # type: ignore[arg-type]
    assert ok is False


def test_an_empty_secret_never_verifies_even_a_matching_signature() -> None:
    # An empty key lets anyone sign; a receiver configured without a secret must refuse all.
    import hashlib
    import hmac

    forged = hmac.new(b"", BODY, hashlib.sha256).hexdigest()
    ok = verify_signature(BODY, forged, "")
    assert not ok
    with pytest.raises(ValueError, match="cannot sign"):
        sign_body(BODY, "")


def test_bytearray_and_memoryview_bodies_are_accepted() -> None:
    signature = hex_signature(BODY, SECRET)
    # Typed as bytes, but frameworks hand over other buffers; they are read the same way.
    from_bytearray = verify_signature(bytearray(BODY), signature, SECRET)  # type: ignore[arg-type]
    from_memoryview = verify_signature(memoryview(BODY), signature, SECRET)  # type: ignore[arg-type]
    assert (from_bytearray, from_memoryview) == (True, True)


class TestBase64Scheme:
    """Unsettled point 1: key = base64-decoded secret, digest base64-encoded."""

    def test_sign_body_matches_an_independent_computation(self) -> None:
        produced = sign_body(BODY, B64_SECRET, B64)
        expected = base64_signature(BODY, B64_SECRET)
        assert produced == expected

    def test_verifies_under_the_base64_scheme_only(self) -> None:
        signature = base64_signature(BODY, B64_SECRET)
        under_b64 = verify_signature(BODY, signature, B64_SECRET, B64)
        under_hex = verify_signature(BODY, signature, B64_SECRET)
        assert under_b64
        assert not under_hex

    def test_a_hex_signature_does_not_verify_under_the_base64_scheme(self) -> None:
        ok = verify_signature(BODY, hex_signature(BODY, B64_SECRET), B64_SECRET, B64)
        assert not ok

    def test_a_secret_that_is_not_base64_gives_false_and_cannot_sign(self) -> None:
        signature = base64_signature(BODY, B64_SECRET)
        ok = verify_signature(BODY, signature, "not base64 !!", B64)
        assert not ok
        with pytest.raises(ValueError, match="cannot sign") as caught:
            sign_body(BODY, "not base64 !!", B64)
        assert "not base64 !!" not in str(caught.value)

    def test_whitespace_around_the_header_value_is_accepted(self) -> None:
        ok = verify_signature(BODY, f" {base64_signature(BODY, B64_SECRET)} ", B64_SECRET, B64)
        assert ok


def test_an_unknown_scheme_gives_false() -> None:
    ok = verify_signature(BODY, hex_signature(BODY, SECRET), SECRET, "hex")  # type: ignore[arg-type]
    assert ok is False


@pytest.mark.parametrize("body", [5, "text"], ids=["int", "str"])
def test_signing_something_other_than_bytes_is_a_type_error(body: object) -> None:
    # bytes(5) would otherwise quietly sign five zero bytes.
    with pytest.raises(TypeError, match="body must be bytes"):
        sign_body(body, SECRET)  # type: ignore[arg-type]
