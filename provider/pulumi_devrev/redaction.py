"""Redaction: what keeps the token, webhook secrets and a URL's credentials out of every string
pulumi-devrev builds (error messages, reprs, log lines).

Only the standard library: the provider imports this to answer `check` and `diff` at preview,
where neither httpx nor pydantic may be loaded.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = [
    "MAX_TEXT",
    "MIN_SECRET",
    "carries_credentials",
    "one_line",
    "redact",
    "redact_json",
    "redact_url",
    "redact_urls_in",
    "request_secrets",
    "url_secrets",
]

_WHITESPACE = re.compile(r"\s+")
# A URL inside free text: a scheme, then everything up to whitespace, a quote or an angle bracket.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]*")
#: Values shorter than this are not masked by :func:`redact` (they would mask common words).
MIN_SECRET = 4
#: Keep DevRev's text readable but bounded: a proxy's HTML error page must not flood a terminal.
MAX_TEXT = 300


def one_line(text: str, *, limit: int = MAX_TEXT) -> str:
    """Collapse whitespace (newlines included) and bound the length."""
    flat = _WHITESPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def redact(text: str, secrets: Iterable[str], mask: str = "***") -> str:
    """Replace every occurrence of each secret of ``MIN_SECRET`` characters or more with ``mask``.

    Every character any occurrence covers is masked, overlapping and nested ones included
    (``abcdef`` and ``defghi`` in ``abcdefghi``: one mask), so no order of the secrets leaves a
    piece of one behind. Shorter values are left alone: masking every ``on`` or ``1`` would
    make messages unreadable, and such values are no credential.
    """
    covered = [False] * len(text)
    for secret in {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET}:
        at = text.find(secret)
        while at >= 0:
            covered[at : at + len(secret)] = [True] * len(secret)
            at = text.find(secret, at + 1)
    if not any(covered):
        return text
    out: list[str] = []
    for i, char in enumerate(text):
        if not covered[i]:
            out.append(char)
        elif i == 0 or not covered[i - 1]:
            out.append(mask)
    return "".join(out)


def redact_urls_in(text: str) -> str:
    """``text`` with every URL in it (``scheme://...`` up to whitespace or a quote) shown
    through :func:`redact_url`: what DevRev or httpx quote may carry a URL's credentials."""
    return _URL_IN_TEXT.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    # "(see https://host/x)": a closing parenthesis the URL did not open belongs to the text.
    url, tail = match.group(0), ""
    while url.endswith(")") and url.count(")") > url.count("("):
        url, tail = url[:-1], ")" + tail
    return redact_url(url) + tail


def url_secrets(url: str) -> list[str]:
    """The parts of ``url`` that may be credentials: user info (whole, user, password), query
    (whole, each value), fragment; each also percent-decoded. To redact where it is echoed."""
    found: list[str] = []
    base, _, fragment = url.partition("#")
    base, _, query = base.partition("?")
    authority = base.split("://", 1)[-1].split("/", 1)[0]
    userinfo = authority.rpartition("@")[0] if "@" in authority else ""
    found += [userinfo, *userinfo.split(":", 1), query, fragment]
    for pair in query.split("&"):
        found += [pair, pair.partition("=")[2]]
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        found += [parts.username or "", parts.password or "", parts.query, parts.fragment]
    found += [unquote_plus(value) for value in found]
    return [value for value in dict.fromkeys(found) if value]


def request_secrets(request: Mapping[str, Any] | None) -> list[str]:
    """What must never be shown of a request body sent to DevRev: the credentials of its
    ``url`` (:func:`url_secrets`), its ``secret`` and every header ``value``, at any depth
    (``headers`` is a list on create, ``{"add"|"set": [...]}`` on update)."""
    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, key)
        elif isinstance(value, str):
            if key == "url":
                found.extend(url_secrets(value))
            elif key in ("secret", "value"):
                found.append(value)

    walk(request or {})
    return found


def redact_json(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of a JSON value with every string redacted (secrets, then URLs' credentials)."""
    secrets = list(secrets)
    if isinstance(value, str):
        return redact_urls_in(redact(value, secrets))
    if isinstance(value, Mapping):
        return {k: redact_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(v, secrets) for v in value]
    return value


def redact_url(url: str) -> str:
    """A URL safe to print: user info, query and fragment replaced, scheme/host/path kept.

    Webhook URLs often carry credentials (``https://user:pass@host`` or ``?token=...``).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:  # IPv6
            host = f"[{host}]"
        if parts.port is not None:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<unparseable url>"
    if not parts.scheme or not host:
        return _redact_hostless(url)
    netloc = f"***@{host}" if (parts.username or parts.password) else host
    query = "***" if parts.query else ""
    fragment = "***" if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def _redact_hostless(url: str) -> str:
    """A value that is no absolute URL (``hooks.example.com/devrev``, ``/devrev``), shown as
    given but for what may be a credential: anything up to an ``@``, a query, a fragment."""
    base, _, fragment = url.partition("#")
    base, question_mark, query = base.partition("?")
    if "@" in base:
        base = "***@" + base.rpartition("@")[2]
    if query:
        base += "?***"
    elif question_mark:
        base += "?"
    if fragment:
        base += "#***"
    return base


def carries_credentials(url: str) -> bool:
    """Whether a URL embeds something that may be a credential: user info or a query string."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(parts.username or parts.password or parts.query)
