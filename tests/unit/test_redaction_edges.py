"""Redaction where a looser rule would leak or garble, found by mutation testing
(``make mutate``): what ``url_secrets`` finds in urls with ``@``, ``:``, ``=`` or ``://`` in odd
places, in urls that do not parse, in values without a scheme; and urls in parentheses."""

from __future__ import annotations

import pytest

from pulumi_devrev.redaction import redact, redact_urls_in, url_secrets


def test_every_credential_part_exactly_with_separators_inside_the_values() -> None:
    url = "https://user:pa:ss-0000@hooks.example.com/x://y?token=ab=cd&b=two#frag"

    assert url_secrets(url) == [
        "user:pa:ss-0000",
        "user",
        "pa:ss-0000",
        "token=ab=cd&b=two",
        "frag",
        "token=ab=cd",
        "ab=cd",
        "b=two",
        "two",
    ]


def test_a_whole_user_info_is_masked_as_one() -> None:
    url = "https://deploy-bot:s3cret-pass@hooks.example.com/devrev"

    shown = redact(f"could not reach {url[8:]}", url_secrets(url))

    assert shown == "could not reach ***@hooks.example.com/devrev"


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/team@ops/x",
        "https://hooks.example.com/a/b@c",
        "hooks.example.com/team@ops",
        "https://hooks.example.com/redirect/https://other.example/x",
    ],
)
def test_an_at_sign_or_scheme_in_the_path_is_no_credential(url: str) -> None:
    # Masking "hooks.example.com/team" would hide the host from every message.
    assert url_secrets(url) == []


def test_a_proxy_url_in_the_path_keeps_the_user_info_of_the_outer_url() -> None:
    url = "https://user:pw-0000@proxy.example/https://target.example/x"

    assert url_secrets(url) == ["user:pw-0000", "user", "pw-0000"]


def test_a_value_without_scheme_still_gives_its_user_info() -> None:
    assert url_secrets("user:pw-0000@hooks.example.com/x") == ["user:pw-0000", "user", "pw-0000"]


def test_a_url_that_does_not_parse_still_gives_its_credentials() -> None:
    url = "https://user:pw-0000@[::1/x?token=tok-0000"

    found = url_secrets(url)

    assert found == ["user:pw-0000", "user", "pw-0000", "token=tok-0000", "tok-0000"]
    assert redact(f"bad url {url}", found) == "bad url https://***@[::1/x?***"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("see https://h.example/x?q=(a) now", "see https://h.example/x?*** now"),
        ("(see https://h.example/x?q=(a))", "(see https://h.example/x?***)"),
        ("at https://h.example/a)b?k=v", "at https://h.example/a)b?***"),
        ("(https://h.example/y?k=v))", "(https://h.example/y?***))"),
    ],
)
def test_parentheses_belong_to_the_url_only_when_it_opened_them(text: str, shown: str) -> None:
    assert redact_urls_in(text) == shown


def test_an_unencoded_at_sign_in_the_password_stays_inside_the_user_info() -> None:
    url = "https://user:p@ss-0000@hooks.example.com/x"

    assert url_secrets(url) == ["user:p@ss-0000", "user", "p@ss-0000"]
    assert redact(url, url_secrets(url)) == "https://***@hooks.example.com/x"


def test_every_one_of_three_occurrences_is_masked() -> None:
    text = "tok-0000, then tok-0000, then tok-0000 again"

    assert redact(text, ["tok-0000"]) == "***, then ***, then *** again"


def test_occurrences_one_character_apart_are_masked_whole() -> None:
    assert redact("[zzzzz]", ["zzzz"]) == "[***]"


@pytest.mark.parametrize(
    ("text", "shown"),
    [("tok-0000", "***"), ("tok-0000 and tok-0000", "*** and ***"), ("tok-0000.", "***.")],
)
def test_a_secret_at_the_very_start_is_masked(text: str, shown: str) -> None:
    assert redact(text, ["tok-0000"]) == shown
