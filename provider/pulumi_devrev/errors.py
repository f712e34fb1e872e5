"""One hierarchy of errors, rooted at :class:`DevRevError`.

Every message is a single line that names the operation and the webhook, and never contains the
token, a webhook secret or the credentials a URL may carry: these messages reach `pulumi up`
output, CI logs and bug reports.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "CreateOutcomeUnknown",
    "DevRevAPIError",
    "DevRevError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "ServerError",
    "TransportError",
    "carries_credentials",
    "redact",
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
# Keep DevRev's text readable but bounded: a proxy's HTML error page must not flood a terminal.
_MAX_TEXT = 300


class DevRevError(Exception):
    """Root of every error raised by pulumi-devrev.

    By construction, no message carries a URL's credentials: every URL in a string argument
    is shown through :func:`redact_url` (user info, query and fragment masked).
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact_urls_in(a) if isinstance(a, str) else a for a in args))


class ConfigurationError(DevRevError):
    """Settings are missing or malformed (no token, an API URL that is not http(s), ...)."""


class TransportError(DevRevError):
    """DevRev could not be reached, or did not answer, before the operation's deadline."""

    def __init__(self, operation: str, detail: str, *, webhook: str | None = None) -> None:
        self.operation = operation
        self.webhook = webhook
        self.detail = redact_urls_in(one_line(detail))
        super().__init__(f"{_subject(operation, webhook)} failed: {self.detail}")


class CreateOutcomeUnknown(TransportError):
    """A create may have made a webhook at DevRev, and it could not be found to be sure.

    Raised only when an attempt may have taken effect (a 5xx, or a connection dropped or timed
    out after the request was sent) and no webhook provably made by this create turned up.
    The message says how to avoid a second webhook: look before running `pulumi up` again.
    """

    def __init__(self, operation: str, url: str, detail: str) -> None:
        self.operation = operation
        self.webhook = None
        self.url = redact_url(url)
        self.detail = one_line(detail)
        # Not through TransportError.__init__: the advice must not be cut by one_line's limit.
        DevRevError.__init__(
            self,
            f"{operation} failed: {self.detail}. DevRev may have created the webhook for "
            f"{self.url} even so. Before running `pulumi up` again, look at DevRev's webhooks "
            "(webhooks.list): if one for this url was made just now, bring it under this "
            "resource with adopt_id=<its id>; if there is none, `pulumi up` creates it",
        )


class DevRevAPIError(DevRevError):
    """DevRev answered with an error status.

    Attributes carry DevRev's error body: ``type`` (e.g. ``invalid_field``), ``message``,
    ``detail``, ``reference_id`` (quote it to DevRev support) and the whole ``body``.

    DevRev may echo what it was sent (a ``value`` field, a message quoting the url), so every
    string of the body is redacted before it is kept, rendered or stored in ``body``: the
    ``redactions`` given (the token, a secret), the secrets of ``request`` (the JSON body that
    was sent: its url, secret and header values, see :func:`request_secrets`), and the
    credentials of any URL in the text (:func:`redact_urls_in`).
    """

    def __init__(
        self,
        operation: str,
        status_code: int,
        body: dict[str, Any] | None = None,
        *,
        webhook: str | None = None,
        retry_after: float | None = None,
        redactions: Iterable[str] = (),
        request: Mapping[str, Any] | None = None,
    ) -> None:
        secrets = [*redactions, *request_secrets(request)]
        body = _redact_json(body or {}, secrets)
        self.operation = operation
        self.webhook = webhook
        self.status_code = status_code
        self.body = body
        self.type = _text(body.get("type")) or None
        self.message_text = _text(body.get("message")) or None
        self.detail = _text(body.get("detail")) or None
        self.reference_id = _text(body.get("reference_id")) or None
        self.field_name = _text(body.get("field_name")) or None
        self.retry_after = retry_after
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"{_subject(self.operation, self.webhook)} failed: HTTP {self.status_code}"]
        if self.type:
            parts.append(self.type)
        if self.field_name:
            parts.append(f"(field {self.field_name})")
        text = self.message_text or self.detail
        line = " ".join(parts)
        if text:
            line += f": {text}"
        if self.message_text and self.detail and self.detail != self.message_text:
            line += f" ({self.detail})"
        if self.reference_id:
            line += f" [reference id {self.reference_id}]"
        return one_line(line, limit=2 * _MAX_TEXT)


class BadRequestError(DevRevAPIError):
    """HTTP 400: DevRev rejected the request body."""


class AuthenticationError(DevRevAPIError):
    """HTTP 401: the token is missing, expired or revoked."""


class PermissionDeniedError(DevRevAPIError):
    """HTTP 403: the token may not manage webhooks."""


class NotFoundError(DevRevAPIError):
    """HTTP 404: no webhook with that id."""


class RequestTooLargeError(DevRevAPIError):
    """HTTP 413."""


class RateLimitError(DevRevAPIError):
    """HTTP 429 after every retry: the rate-limit window is exhausted."""


class ServerError(DevRevAPIError):
    """HTTP 5xx after every retry."""


_BY_STATUS: dict[int, type[DevRevAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: RequestTooLargeError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[DevRevAPIError]:
    """The exception class for an HTTP error status."""
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, DevRevAPIError)


def _subject(operation: str, webhook: str | None) -> str:
    return f"{operation} of webhook {webhook}" if webhook else operation


def _text(value: Any) -> str:
    return one_line(value) if isinstance(value, str) else ""


def one_line(text: str, *, limit: int = _MAX_TEXT) -> str:
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


def _redact_json(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of a JSON value with every string redacted (secrets, then URLs' credentials)."""
    secrets = list(secrets)
    if isinstance(value, str):
        return redact_urls_in(redact(value, secrets))
    if isinstance(value, Mapping):
        return {k: _redact_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_json(v, secrets) for v in value]
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
