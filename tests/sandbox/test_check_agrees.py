"""The provider's ``check`` and the sandbox's ``webhooks.create`` agree on every url and header.

One corpus, fed to both: ``check`` (what ``pulumi preview`` runs, no API call) and a real
``POST /webhooks.create`` at the sandbox. Each value is accepted by both or refused by both,
and a refusal names the same property. So preview is green exactly when create would be.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pulumi_devrev import rules
from pulumi_devrev.provider import DevRevWebhookProvider

HOST = "https://hooks.example.com"


def _urls() -> list[str]:
    urls = [
        f"{HOST}/devrev",
        "http://hooks.example.com/devrev",
        "HTTPS://HOOKS.EXAMPLE.COM/x",
        "https://user:pw@hooks.example.com/x?token=abc#frag",
        "https://hooks.example.com:1/x",
        "https://hooks.example.com:443/x",
        "https://hooks.example.com:65535/x",
        "https://hooks.example.com:/x",
        "https://[2001:db8::1]:8443/x",
        "https://bücher.example/ü?q=ä",
        "https://hooks.example.com/%20encoded%0A",
        "https://hooks.example.com/" + "a" * 2100,  # DevRev states no length limit
        "https://hooks.example.com/?" + "q" * 20_000,
        # port: 0, out of range, not a number
        "https://hooks.example.com:0/x",
        "https://hooks.example.com:00/x",
        "https://[::1]:0/x",
        "https://hooks.example.com:65536/x",
        "https://hooks.example.com:99999/x",
        "https://hooks.example.com:-1/x",
        "https://hooks.example.com:http/x",
        "https://[::1/x",
        # not an absolute http(s) URL with a host
        "",
        "/relative/path",
        "hooks.example.com/devrev",
        "ftp://hooks.example.com/x",
        "mailto:ops@example.com",
        "ws://hooks.example.com/x",
        "https://",
        "https:///x",
        "https://user@/x",
        "https://:443/x",
        "javascript:alert(1)",
        # spaces, line breaks, other whitespace
        " https://hooks.example.com/x",
        "https://hooks.example.com/x ",
        "https://hooks.example.com/a b",
        "https://exa mple.com/",
        "https://hooks.example.com/\u00a0",
        "https://hooks.example.com/\u2028",
        "https://hooks.example.com/\u3000",
        # lone surrogate: no JSON body can carry it as text
        "https://hooks.example.com/\ud800",
    ]
    # every C0 control character, DEL, and C1 controls, in the path and in the host
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]:
        urls.append(f"{HOST}/a{chr(code)}b")
    urls.extend(f"https://ho{chr(code)}oks.example.com/" for code in (0x00, 0x09, 0x1B, 0x7F))
    return urls


def _headers() -> list[dict[str, Any]]:
    corpus: list[dict[str, Any]] = [
        {},
        {"X-Team": "ops"},
        {f"X-{i}": "v" for i in range(8)},
        {f"X-{i}": "v" for i in range(9)},
        {"X_Under-score-9": "v"},
        {"X-A": ""},
        {"X-A": "a\tb"},
        {"X-A": "\tleading and trailing tab\t"},
        {"X-A": " spaces "},
        {"X-A": "héllo €"},
        {"X-A": "a" * 5000},
        {"X-A": "a\r\nInjected: 1"},
        {"X-A": "a\ud800"},
        {"X-A": "1", "x-a": "2"},
        {"X-A": "1", "X-B": "2", "x-b": "3"},
        {"": "v"},
        {"X Bad": "v"},
        {"X.Bad": "v"},
        {"X:Bad": "v"},
        {"Ünï": "v"},
        {"X-" + "a" * 500: "v"},
    ]
    corpus.extend({"X-A": f"a{chr(code)}b"} for code in [*range(0x20), 0x7F, 0x85])
    return corpus


URLS = _urls()
HEADERS = _headers()


def check_refuses(props: dict[str, Any]) -> set[str]:
    """The properties ``check`` refuses (empty: accepted)."""
    result = DevRevWebhookProvider().check({}, {"__provider": "p", **props})
    return {failure.property for failure in result.failures}


def sandbox_refuses(api: httpx.Client, body: dict[str, Any]) -> set[str]:
    """The property the sandbox's create refuses (empty: created).

    The body is encoded as any JSON client would (``\\ud800`` escapes included), so what is
    tried is the request DevRev would get.
    """
    response = api.post(
        "/webhooks.create",
        content=json.dumps(body).encode("ascii"),
        headers={"Content-Type": "application/json"},
    )
    if response.status_code == 201:
        return set()
    assert response.status_code == 400, response.status_code
    error = response.json()
    field = str(error.get("field_name") or "")
    if error["type"] == "parse_error":
        # The body could not be read (a lone surrogate): nothing names a field.
        return {"url"} if "url" in body and rules.has_lone_surrogate(body["url"]) else {"headers"}
    return {field.split("[")[0].split(".")[0]}


def test_the_corpus_reaches_every_rule() -> None:
    broken_urls = {rules.url_problem(url) for url in URLS}
    assert set(rules.URL_RULES) <= broken_urls and None in broken_urls
    broken_headers: set[rules.Rule | None] = set()
    for headers in HEADERS:
        broken_headers.add(rules.too_many_headers(len(headers)))
        seen: set[str] = set()
        for name, value in headers.items():
            broken_headers.add(rules.header_name_problem(name))
            broken_headers.add(rules.header_value_problem(value))
            if rules.header_key(name) in seen:
                broken_headers.add(rules.HEADER_DUPLICATE)
            seen.add(rules.header_key(name))
    assert set(rules.HEADER_RULES) <= broken_headers and None in broken_headers


def test_every_rule_names_its_source_at_devrev() -> None:
    for rule in (*rules.URL_RULES, *rules.HEADER_RULES):
        assert rule.source.startswith(("spec:", "guide:")), rule.name
        assert rule.reason and rule.fix


def test_check_and_the_sandbox_agree_on_every_url(api: httpx.Client) -> None:
    disagreements = []
    for url in URLS:
        by_check = check_refuses({"url": url})
        by_sandbox = sandbox_refuses(api, {"url": url})
        if by_check != by_sandbox:
            disagreements.append((ascii(url)[:120], by_check, by_sandbox))
    assert disagreements == [], f"{len(disagreements)} of {len(URLS)} urls"
    assert len(URLS) >= 100


def test_check_and_the_sandbox_agree_on_every_headers_value(api: httpx.Client) -> None:
    disagreements = []
    for headers in HEADERS:
        by_check = check_refuses({"url": f"{HOST}/x", "headers": headers})
        body = {
            "url": f"{HOST}/x",
            "headers": [{"name": name, "value": value} for name, value in headers.items()],
        }
        by_sandbox = sandbox_refuses(api, body)
        if by_check != by_sandbox:
            disagreements.append((ascii(headers)[:120], by_check, by_sandbox))
    assert disagreements == [], f"{len(disagreements)} of {len(HEADERS)} headers values"
    assert len(HEADERS) >= 50


@pytest.mark.parametrize(
    "url",
    [f"{HOST}:0/x", f"{HOST}/a\x01b", f"{HOST}/a\x7fb", "https://u:pw@h.example:0/x?t=1"],
)
def test_check_says_what_to_fix_without_quoting_credentials(url: str) -> None:
    result = DevRevWebhookProvider().check({}, {"url": url})
    [failure] = result.failures
    assert failure.property == "url"
    assert ":" in failure.reason  # "<what is wrong>: <how to fix it>"
    assert "pw" not in failure.reason and "t=1" not in failure.reason
