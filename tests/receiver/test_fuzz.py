"""Property tests: no input from the network makes the receiver crash.

- ``verify_signature`` answers a bool for anything at all;
- ``verify_delivery`` returns an event or raises ``InvalidDelivery``, nothing else;
- the app answers 200, 400 or 401 (500 only when the handler raised, which it does not here).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_devrev.receiver import (
    InvalidDelivery,
    SignatureScheme,
    WebhookEvent,
    create_app,
    sign_body,
    verify_delivery,
    verify_signature,
)

from .support import NOW, SECRET, hex_signature, serving

PURE = settings(max_examples=300, deadline=None, database=None)
OVER_HTTP = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

anything = st.one_of(st.none(), st.integers(), st.binary(), st.text(), st.floats())
schemes = st.sampled_from(SignatureScheme)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FRESH = "<fresh timestamp>"
timestamps = st.one_of(
    st.just(FRESH),
    st.datetimes(timezones=st.none() | st.timezones()).map(datetime.isoformat),
    st.text(max_size=30),
    st.integers(),
    st.floats(),
)
event_types = st.sampled_from(["verify", "work_created", "work_deleted", "x"]) | st.text(
    max_size=10
)
# Objects shaped like deliveries, so that signed bodies get past the signature check and
# exercise parsing and the staleness check: well-formed envelopes with any payload, and messy
# ones where every field is optional and may hold any JSON value.
payload_members = {
    "verify": st.fixed_dictionaries({}, optional={"challenge": json_values}) | json_values,
    "work_created": json_values,
    "x": json_values,
    "challenge": json_values,
    "extra": json_values,
}
well_formed = st.fixed_dictionaries(
    {
        "id": st.text(max_size=10),
        "webhook_id": st.text(max_size=10),
        "timestamp": st.just(FRESH),
        "type": event_types,
    },
    optional=payload_members,
)
messy = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=10) | json_values,
        "webhook_id": st.text(max_size=10) | json_values,
        "timestamp": timestamps,
        "type": event_types | json_values,
        **payload_members,
    },
)
envelopes = well_formed | messy


def fresh_body(data: dict[str, Any], now: datetime) -> bytes:
    if data.get("timestamp") == FRESH:
        data = {**data, "timestamp": now.isoformat()}
    return json.dumps(data).encode("utf-8")


# Header values an HTTP client can put on the wire: visible ASCII and obs-text, no controls.
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_categories=["Cc"]),
    max_size=100,
)


class TestVerifySignature:
    @PURE
    @given(body=st.binary(), signature=st.text(), secret=st.text(), scheme=schemes)
    def test_answers_a_bool_for_any_text(
        self, body: bytes, signature: str, secret: str, scheme: SignatureScheme
    ) -> None:
        assert verify_signature(body, signature, secret, scheme) in (True, False)

    @PURE
    @given(body=anything, signature=anything, secret=anything)
    def test_answers_false_for_values_of_the_wrong_types(
        self, body: object, signature: object, secret: object
    ) -> None:
        if isinstance(body, bytes) and isinstance(signature, str) and isinstance(secret, str):
            return
        assert verify_signature(body, signature, secret) is False  # type: ignore[arg-type]

    @PURE
    @given(body=st.binary(), secret=st.text(min_size=1), flip=st.integers(min_value=0))
    def test_round_trips_and_any_changed_byte_breaks_it(
        self, body: bytes, secret: str, flip: int
    ) -> None:
        signature = sign_body(body, secret)
        assert signature == hex_signature(body, secret)
        assert verify_signature(body, signature, secret)
        if body:
            index = flip % len(body)
            tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
            assert not verify_signature(tampered, signature, secret)

    @PURE
    @given(body=st.binary(), key=st.binary(min_size=1, max_size=32))
    def test_base64_scheme_round_trips(self, body: bytes, key: bytes) -> None:
        import base64

        scheme = SignatureScheme.BASE64_HMAC_SHA256_DECODED_KEY
        secret = base64.b64encode(key).decode("ascii")
        assert verify_signature(body, sign_body(body, secret, scheme), secret, scheme)


def outcome_of(body: bytes, signature: str | None, now: datetime = NOW) -> str:
    try:
        event = verify_delivery(body, signature, SECRET, now=now)
    except InvalidDelivery as problem:
        assert problem.reason
        return problem.kind
    assert isinstance(event, WebhookEvent)
    return "accepted"


class TestVerifyDelivery:
    @PURE
    @given(body=st.binary(), signature=st.none() | st.text())
    def test_arbitrary_bodies_and_signatures_only_raise_invalid_delivery(
        self, body: bytes, signature: str | None
    ) -> None:
        outcome_of(body, signature)

    @PURE
    @given(body=st.binary())
    def test_arbitrary_signed_bodies_are_accepted_or_rejected_as_malformed_or_stale(
        self, body: bytes
    ) -> None:
        outcome = outcome_of(body, hex_signature(body, SECRET))
        assert outcome in ("accepted", "malformed_body", "stale_timestamp")

    @PURE
    @given(data=envelopes)
    def test_signed_delivery_shaped_objects_never_crash(self, data: dict[str, Any]) -> None:
        body = fresh_body(data, NOW)
        outcome = outcome_of(body, hex_signature(body, SECRET))
        assert outcome in ("accepted", "malformed_body", "stale_timestamp")


@pytest.fixture(scope="module")
def receiver_url() -> Iterator[str]:
    def on_event(event: WebhookEvent) -> None:
        assert isinstance(event, WebhookEvent)

    with serving(create_app(SECRET, on_event)) as url:
        yield url


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


class TestAppOverHttp:
    @OVER_HTTP
    @given(body=st.binary(max_size=2048), signature=st.none() | header_values)
    def test_arbitrary_requests_get_401_or_400(
        self, receiver_url: str, http: httpx.Client, body: bytes, signature: str | None
    ) -> None:
        headers = {} if signature is None else {b"X-DevRev-Signature": signature.encode("latin-1")}
        response = http.post(receiver_url, content=body, headers=headers)
        assert response.status_code in (400, 401)
        assert set(response.json()) == {"error"}

    @OVER_HTTP
    @given(data=envelopes)
    def test_signed_delivery_shaped_objects_get_200_400_or_401(
        self, receiver_url: str, http: httpx.Client, data: dict[str, Any]
    ) -> None:
        body = fresh_body(data, datetime.now(UTC) - timedelta(seconds=1))
        response = http.post(
            receiver_url, content=body, headers={"X-DevRev-Signature": hex_signature(body, SECRET)}
        )
        assert response.status_code in (200, 400, 401)
