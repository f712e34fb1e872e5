"""One hierarchy of errors, rooted at :class:`DevRevError`.

Every message is a single line that names the operation and the webhook, and never contains the
token, a webhook secret or the credentials a URL may carry: these messages reach `pulumi up`
output, CI logs and bug reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .redaction import MAX_TEXT, one_line, redact_json, redact_url, redact_urls_in, request_secrets

if TYPE_CHECKING:  # pydantic is loaded by the client, never by an error
    from .models import Webhook

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
    "VerificationTimeout",
    "challenge_help",
]


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
        body = redact_json(body or {}, secrets)
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
        return one_line(line, limit=2 * MAX_TEXT)


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


class VerificationTimeout(DevRevError):
    """The webhook did not become ``active`` within ``verification_timeout``."""

    def __init__(self, hook: Webhook, waited: float, outcome: str = "") -> None:
        self.webhook = hook
        self.waited = waited
        super().__init__(
            f"DevRev webhook {hook.id} is still {hook.status.value} after {waited:.0f}s: "
            f"{challenge_help(hook.url)}{outcome}"
        )


def challenge_help(url: str) -> str:
    """What the endpoint at ``url`` must do to pass verification, in one sentence."""
    return (
        f"DevRev POSTs a signed `verify` event to {redact_url(url)} and the endpoint must answer "
        'HTTP 200 within 3 seconds with the JSON body {"challenge": "<verify.challenge from that '
        'event>"}; check that it is reachable from DevRev and that it echoes the challenge.'
    )


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
