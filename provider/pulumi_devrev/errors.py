"""One hierarchy of errors, rooted at :class:`DevRevError`.

Every message is a single line that names the operation and the webhook, and never contains the
token, a webhook secret or the credentials a URL may carry: these messages reach `pulumi up`
output, CI logs and bug reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
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
]

_WHITESPACE = re.compile(r"\s+")
# Keep DevRev's text readable but bounded: a proxy's HTML error page must not flood a terminal.
_MAX_TEXT = 300


class DevRevError(Exception):
    """Root of every error raised by pulumi-devrev."""


class ConfigurationError(DevRevError):
    """Settings are missing or malformed (no token, an API URL that is not http(s), ...)."""


class TransportError(DevRevError):
    """DevRev could not be reached, or did not answer, before the operation's deadline."""

    def __init__(self, operation: str, detail: str, *, webhook: str | None = None) -> None:
        self.operation = operation
        self.webhook = webhook
        self.detail = one_line(detail)
        super().__init__(f"{_subject(operation, webhook)} failed: {self.detail}")


class DevRevAPIError(DevRevError):
    """DevRev answered with an error status.

    Attributes carry DevRev's error body: ``type`` (e.g. ``invalid_field``), ``message``,
    ``detail``, ``reference_id`` (quote it to DevRev support) and the whole ``body``.
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
    ) -> None:
        body = body or {}
        self.operation = operation
        self.webhook = webhook
        self.status_code = status_code
        self.body = body
        self.type = _text(body.get("type")) or None
        self.message_text = redact(_text(body.get("message")), redactions) or None
        self.detail = redact(_text(body.get("detail")), redactions) or None
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
    """Replace every occurrence of each (non-trivial) secret in ``text`` with ``mask``.

    Longest first, so a secret that contains another is masked whole.
    """
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, mask)
    return text


def redact_url(url: str) -> str:
    """A URL safe to print: user info, query and fragment replaced, scheme/host/path kept.

    Webhook URLs often carry credentials (``https://user:pass@host`` or ``?token=...``).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
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
