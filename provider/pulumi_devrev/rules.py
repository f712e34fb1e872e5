"""DevRev's rules for a webhook's ``url`` and ``headers``, in one place.

Both sides apply exactly these: the provider's ``check`` (through :mod:`pulumi_devrev.inputs`,
at ``pulumi preview``) and the sandbox's ``webhooks.create``/``webhooks.update``
(:mod:`pulumi_devrev.sandbox.validation`). So ``check`` refuses what DevRev refuses, and
nothing more: every rule names where DevRev states it, and a rule DevRev does not state is
not here (DevRev's spec gives ``url`` no length limit, so there is none).

Sources, as cited below:

* *spec*: DevRev's published OpenAPI document (the copy bundled as
  ``sandbox/devrev-openapi-webhooks.json``), schemas ``webhooks-create-request``,
  ``webhooks-update-request``, ``webhooks-update-request-headers`` and ``webhook-header``.
* *guide*: DevRev's webhooks guide (developer.devrev.ai/guides/webhooks): the ``url`` is the
  endpoint of "an HTTP server that listens on a publicly accessible endpoint", to which DevRev
  "issues HTTP requests" (the verify handshake and every event are POSTs to it), and the
  webhook's headers are sent with every one of those requests.

Each check returns the broken :class:`Rule`, or ``None``; it never quotes the value (a url
may embed credentials, a header value may be one). Plain Python: ``check`` runs in every
``pulumi preview``, so this module loads nothing heavy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "HEADERS_COUNT",
    "HEADER_DUPLICATE",
    "HEADER_NAME",
    "HEADER_NAME_PATTERN",
    "HEADER_RULES",
    "HEADER_UNICODE",
    "HEADER_VALUE",
    "MAX_HEADERS",
    "SECRET_MAX_BYTES",
    "SECRET_MIN_BYTES",
    "URL_ABSOLUTE_HTTP",
    "URL_CHARACTERS",
    "URL_PORT",
    "URL_RULES",
    "URL_SYNTAX",
    "URL_UNICODE",
    "Rule",
    "has_lone_surrogate",
    "header_key",
    "header_name_problem",
    "header_value_problem",
    "secret_problem",
    "too_many_headers",
    "url_problem",
]


@dataclass(frozen=True)
class Rule:
    """One thing DevRev refuses: what is wrong, how to fix it, and where DevRev says so."""

    name: str
    reason: str
    """Completes "<field> ...", e.g. "url must not contain spaces or control characters"."""
    fix: str
    source: str


# --------------------------------------------------------------------------------- url

URL_UNICODE = Rule(
    "url.unicode",
    "is not valid Unicode text (it holds a lone surrogate)",
    "remove the unpaired surrogate (\\ud800-\\udfff) from the url",
    "spec: request bodies are JSON (application/json), and JSON text is Unicode (RFC 8259 §8.1)",
)
URL_CHARACTERS = Rule(
    "url.characters",
    "must not contain spaces or control characters",
    "remove them, or percent-encode them (a space is %20)",
    "spec: url is 'The URL of the webhook endpoint'; a URL has no spaces or control "
    "characters (RFC 3986 §2, RFC 3987 §2.2)",
)
URL_SYNTAX = Rule(
    "url.syntax",
    "is not a valid URL",
    "check the host and the port (a number from 1 to 65535), e.g. https://hooks.example.com/devrev",
    "spec: url is 'The URL of the webhook endpoint' (RFC 3986)",
)
URL_ABSOLUTE_HTTP = Rule(
    "url.absolute_http",
    "must be an absolute http:// or https:// URL with a host",
    "give the full address DevRev can POST to, e.g. https://hooks.example.com/devrev",
    "guide: DevRev issues HTTP requests to an HTTP server at a publicly accessible endpoint "
    "(whether DevRev also refuses plain http:// is unsettled, so it is allowed)",
)
URL_PORT = Rule(
    "url.port",
    "names port 0, which DevRev cannot connect to",
    "give the port your endpoint listens on (1 to 65535), or none for the scheme's default",
    "guide: DevRev issues HTTP requests to an HTTP server that listens on a publicly "
    "accessible endpoint; no server listens on port 0 (RFC 6335 §6: reserved)",
)
URL_RULES: tuple[Rule, ...] = (
    URL_UNICODE,
    URL_CHARACTERS,
    URL_SYNTAX,
    URL_ABSOLUTE_HTTP,
    URL_PORT,
)


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` has no UTF-8 form, so no JSON body can carry it (RFC 8259 §8.1)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def url_problem(url: str) -> Rule | None:
    """The rule ``url`` breaks as a webhook's url (first in :data:`URL_RULES` order), or None."""
    if has_lone_surrogate(url):
        return URL_UNICODE
    if any(char.isspace() or _is_control(char) for char in url):
        return URL_CHARACTERS
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port  # raises ValueError for a port that is no number in 0..65535
    except ValueError:
        return URL_SYNTAX
    if parts.scheme.lower() not in ("http", "https") or not host:
        return URL_ABSOLUTE_HTTP
    if port == 0:
        return URL_PORT
    return None


# ------------------------------------------------------------------------------ headers

# spec: webhooks-create-request.headers and each list of webhooks-update-request-headers
# have "maxItems": 8.
MAX_HEADERS = 8
# spec: webhook-header.name "Only alphanumeric ASCII characters, hyphens, and underscores are
# permitted"; a header has a name, so at least one (RFC 9110 §5.1: field-name = token).
HEADER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
# Controls HTTP cannot carry in a field value: all but HTAB (RFC 9110 §5.5).
_HEADER_VALUE_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

HEADERS_COUNT = Rule(
    "headers.count",
    f"may hold at most {MAX_HEADERS} headers",
    "remove some",
    "spec: webhooks-create-request.headers and webhooks-update-request-headers: maxItems 8",
)
HEADER_NAME = Rule(
    "headers.name",
    "may only use ASCII letters, digits, '-' and '_'",
    "rename the header, e.g. X-Team",
    "spec: webhook-header.name: 'Only alphanumeric ASCII characters, hyphens, and "
    "underscores are permitted'",
)
HEADER_DUPLICATE = Rule(
    "headers.duplicate",
    "names the same header twice (header names ignore case)",
    "keep one of them",
    "spec: webhooks-update-request-headers.add replaces a header of the same name, so a "
    "webhook has one header per name; guide: headers go out with every HTTP request, and "
    "HTTP header names ignore case (RFC 9110 §5.1)",
)
HEADER_VALUE = Rule(
    "headers.value",
    "must not contain line breaks or other control characters (a tab is fine)",
    "remove them from the value",
    "spec: webhook-header 'provided with every webhook invocation'; guide: that is an HTTP "
    "request, and an HTTP field value cannot carry control characters but tab (RFC 9110 §5.5)",
)
HEADER_UNICODE = Rule(
    "headers.unicode",
    "is not valid Unicode text (it holds a lone surrogate)",
    "remove the unpaired surrogate (\\ud800-\\udfff)",
    "spec: request bodies are JSON (application/json), and JSON text is Unicode (RFC 8259 §8.1)",
)
HEADER_RULES: tuple[Rule, ...] = (
    HEADERS_COUNT,
    HEADER_NAME,
    HEADER_DUPLICATE,
    HEADER_VALUE,
    HEADER_UNICODE,
)


def too_many_headers(count: int) -> Rule | None:
    """:data:`HEADERS_COUNT` if ``count`` headers are more than DevRev keeps."""
    return HEADERS_COUNT if count > MAX_HEADERS else None


def header_name_problem(name: str) -> Rule | None:
    """The rule a header name breaks, or None (never a surrogate: the pattern is ASCII)."""
    return None if HEADER_NAME_PATTERN.fullmatch(name) else HEADER_NAME


def header_key(name: str) -> str:
    """What makes two header names the same header (:data:`HEADER_DUPLICATE`): case ignored."""
    return name.lower()


def header_value_problem(value: str) -> Rule | None:
    """The rule a header value breaks, or None."""
    if has_lone_surrogate(value):
        return HEADER_UNICODE
    if _HEADER_VALUE_CONTROLS.search(value):
        return HEADER_VALUE
    return None


# ------------------------------------------------------------------------------- secret

# spec: webhooks-create-request.secret and webhooks-update-request.secret: "must be between
# 8 and 32 bytes (inclusive)".
SECRET_MIN_BYTES = 8
SECRET_MAX_BYTES = 32


def secret_problem(secret: str) -> int | None:
    """The secret's size in bytes of UTF-8 when DevRev refuses it, else None.

    Call it on valid Unicode text only (see :func:`has_lone_surrogate`).
    """
    size = len(secret.encode("utf-8"))
    return None if SECRET_MIN_BYTES <= size <= SECRET_MAX_BYTES else size
