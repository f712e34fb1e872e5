"""Errors read as one line and never carry secrets; settings resolve config before env."""

from __future__ import annotations

import pytest

from pulumi_devrev import settings
from pulumi_devrev.errors import (
    ConfigurationError,
    DevRevAPIError,
    error_class_for,
)
from pulumi_devrev.redaction import redact_url


def test_api_error_is_one_line_with_everything_a_user_needs() -> None:
    err = error_class_for(400)(
        "webhooks.update",
        400,
        {
            "type": "value_not_permitted",
            "field_name": "secret",
            "message": "secret\n must be 8-32 bytes: got tok-123456",
            "reference_id": "ref-9",
        },
        webhook="don:integration:dvrv-us-1:devo/0:webhook/a",
        redactions=["tok-123456"],
    )
    text = str(err)
    assert "\n" not in text
    assert text.startswith("webhooks.update of webhook don:integration:dvrv-us-1:devo/0:webhook/a")
    for part in ("HTTP 400", "value_not_permitted", "(field secret)", "[reference id ref-9]"):
        assert part in text
    assert "tok-123456" not in text


def test_error_classes_by_status() -> None:
    assert error_class_for(404).__name__ == "NotFoundError"
    assert error_class_for(429).__name__ == "RateLimitError"
    assert error_class_for(503).__name__ == "ServerError"
    assert issubclass(error_class_for(418), DevRevAPIError)


def test_long_html_bodies_are_bounded() -> None:
    err = DevRevAPIError("webhooks.get", 502, {"message": "<html>" + "x" * 5000})
    assert len(str(err)) < 700


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pass@h.example:8443/p?token=abc#f", "https://***@h.example:8443/p?***#***"),
        ("http://127.0.0.1:9000/hook", "http://127.0.0.1:9000/hook"),
        # Not absolute: shown as given, but for what may be a credential.
        ("not a url", "not a url"),
        ("hooks.example.com/devrev", "hooks.example.com/devrev"),
        ("/devrev?token=abc#frag", "/devrev?***#***"),
        ("user:pass@hooks.example.com/x", "***@hooks.example.com/x"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.fixture(autouse=True)
def _clean_stack_config() -> None:
    settings.configure_from_stack(lambda key: None)


def test_stack_config_wins_over_environment() -> None:
    settings.configure_from_stack(
        {"devrev:token": "from-config", "devrev:apiUrl": "http://127.0.0.1:1/"}.get
    )
    got = settings.resolve({"DEVREV_TOKEN": "from-env", "DEVREV_API_URL": "http://127.0.0.1:2"})
    assert got.token == "from-config"
    assert got.api_url == "http://127.0.0.1:1"
    assert "from-config" not in repr(got)


def test_environment_is_the_fallback() -> None:
    got = settings.resolve({"DEVREV_TOKEN": "from-env", "DEVREV_OPERATION_TIMEOUT": "30"})
    assert (got.token, got.api_url, got.operation_timeout) == (
        "from-env",
        "https://api.devrev.ai",
        30.0,
    )


def test_missing_token_is_one_sentence_naming_both_places() -> None:
    with pytest.raises(ConfigurationError) as err:
        settings.resolve({})
    text = str(err.value)
    assert "devrev:token" in text and "DEVREV_TOKEN" in text
    assert text.count(".") == 1 and text.endswith(".")


def test_bad_api_url_and_timeout_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="must be an absolute http"):
        settings.resolve({"DEVREV_TOKEN": "t", "DEVREV_API_URL": "api.devrev.ai"})
    with pytest.raises(ConfigurationError, match="operationTimeout"):
        settings.resolve({"DEVREV_TOKEN": "t", "DEVREV_OPERATION_TIMEOUT": "soon"})


@pytest.mark.parametrize(
    "api_url",
    [
        "https://user:pa55word@api.devrev.ai",
        "https://api.devrev.ai/?key=tok-123456",
        "https://api.devrev.ai/#tok-123456",
    ],
)
def test_an_api_url_carrying_credentials_is_refused_without_showing_them(api_url: str) -> None:
    # httpx would send user info as Basic auth instead of the token, and a query would ride in
    # every request path and in httpx's own log lines.
    from pulumi_devrev.client import DevRevClient

    for refuse in (
        lambda: settings.resolve({"DEVREV_TOKEN": "t", "DEVREV_API_URL": api_url}),
        lambda: DevRevClient("t", api_url),
    ):
        with pytest.raises(ConfigurationError, match="must not carry user info") as err:
            refuse()
        assert "pa55word" not in str(err.value) and "tok-123456" not in str(err.value)
        assert "devrev:apiUrl" in str(err.value) and "https://api.devrev.ai" in str(err.value)
