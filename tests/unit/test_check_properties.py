"""``check`` (what every ``pulumi preview`` runs) for arbitrary inputs: it never raises, each
failure names one of the given properties, no reason is long or quotes a secret, and it makes
no API call (no token, no network)."""

from __future__ import annotations

import socket
from typing import Any
from unittest import mock

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_devrev.inputs import INPUT_NAMES, MAX_REASON, OUTPUT_ONLY_NAMES
from pulumi_devrev.provider import DevRevWebhookProvider

# Values that must never appear in a failure: header values, secrets, url credentials.
MARKERS = ("HDRVAL-7c1e", "SECRET-9b2d", "PASSWD-4f0a", "QUERYTOKEN-2e8")

texts = st.text(max_size=40) | st.text(
    st.characters(codec="utf-8") | st.sampled_from("\x00\x01\t\n\r\x1b\x7f\x85 "), max_size=40
)
big_texts = st.builds(lambda c, n: c * n, st.characters(codec="utf-8"), st.integers(0, 10_000))
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts | big_texts
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=12) | st.dictionaries(texts, inner, max_size=12),
    max_leaves=40,
)
urls = st.one_of(
    st.builds(
        lambda scheme, port, path: (
            f"{scheme}://user:{MARKERS[2]}@hooks.example.com{port}/{path}?token={MARKERS[3]}"
        ),
        st.sampled_from(["https", "http", "ftp", ""]),
        st.sampled_from(["", ":0", ":1", ":65535", ":65536", ":x"]),
        texts,
    ),
    texts,
    big_texts,
    values,
)
headers = st.dictionaries(
    texts | st.sampled_from(["X-Team", "x-team", "X_1", ""]) | big_texts,
    st.builds(lambda t: MARKERS[0] + t, texts) | values,
    max_size=12,
) | st.builds(lambda n: {f"X-{i}": MARKERS[0] for i in range(n)}, st.integers(0, 3000))
names = (
    st.sampled_from(
        [
            *INPUT_NAMES,
            *OUTPUT_ONLY_NAMES,
            "__provider",
            "__internal",
            "evnet_types",
            "n_verification_timeout",
            "URL",
            "colour",
        ]
    )
    | texts
)
inputs = st.fixed_dictionaries(
    {},
    optional={
        "url": urls,
        "event_types": st.lists(texts | values, max_size=20) | values,
        "secret": st.builds(lambda t: MARKERS[1] + t, texts) | values,
        "headers": headers,
        "active": values,
        "adopt_id": values,
    },
).flatmap(lambda given: st.dictionaries(names, values, max_size=4).map(lambda x: {**x, **given}))


@pytest.fixture(autouse=True)
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DEVREV_TOKEN", "DEVREV_API_URL"):
        monkeypatch.delenv(name, raising=False)


def _no_network(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("check made a network call")


@settings(max_examples=100, deadline=None)
@given(news=inputs)
def test_check_never_raises_and_fails_per_property_with_bounded_safe_reasons(
    news: dict[str, Any],
) -> None:
    with (
        mock.patch.object(httpx.Client, "send", _no_network),
        mock.patch.object(httpx.AsyncClient, "send", _no_network),
        mock.patch.object(socket.socket, "connect", _no_network),
    ):
        result = DevRevWebhookProvider().check({}, news)
    # An input (a missing url is a failure of "url") or a name that was given.
    named = {*INPUT_NAMES, *news}
    properties = [failure.property for failure in result.failures]
    assert len(properties) == len(set(properties))  # one failure per property
    for failure in result.failures:
        assert failure.property in named
        assert isinstance(failure.reason, str) and 0 < len(failure.reason) <= MAX_REASON
        for marker in MARKERS:
            assert marker not in failure.reason
    if not result.failures:
        assert set(result.inputs) >= {"url", "event_types", "headers"}


def test_a_huge_headers_value_gives_a_short_reason() -> None:
    news = {"url": "https://h.example/x", "headers": {f"X-{i}": 5 for i in range(100_000)}}
    [failure] = DevRevWebhookProvider().check({}, news).failures
    assert failure.property == "headers" and len(failure.reason) < 400
    assert "100000 headers given" in failure.reason and "more" in failure.reason
