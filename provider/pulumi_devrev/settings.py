"""Where the token, the API URL and the operation deadline come from.

Stack config first (``devrev:token``, ``devrev:apiUrl``, ``devrev:operationTimeout``,
``devrev:readTimeout``), then the environment (``DEVREV_TOKEN``, ``DEVREV_API_URL``,
``DEVREV_OPERATION_TIMEOUT``, ``DEVREV_READ_TIMEOUT``).

Stack config reaches a dynamic provider only through ``configure()``, once per provider-host
process. It is kept here, at module level, rather than on the provider instance: whatever the
instance holds is pickled into every resource's state, and the token must never be.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError
from .redaction import redact_url

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_OPERATION_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "MISSING_TOKEN",
    "Settings",
    "configure_from_stack",
    "resolve",
]

DEFAULT_API_URL = "https://api.devrev.ai"
DEFAULT_OPERATION_TIMEOUT = 120.0
DEFAULT_READ_TIMEOUT = 30.0

MISSING_TOKEN = (
    "No DevRev token found: set the stack config devrev:token "
    "(pulumi config set --secret devrev:token <token>) or the DEVREV_TOKEN environment variable."
)

_CONFIG_KEYS = {
    "token": ("devrev:token", "DEVREV_TOKEN"),
    "api_url": ("devrev:apiUrl", "DEVREV_API_URL"),
    "operation_timeout": ("devrev:operationTimeout", "DEVREV_OPERATION_TIMEOUT"),
    "read_timeout": ("devrev:readTimeout", "DEVREV_READ_TIMEOUT"),
}

_lock = threading.Lock()
_stack_config: dict[str, str] = {}


@dataclass(frozen=True)
class Settings:
    """Resolved settings. ``repr`` never shows the token."""

    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    operation_timeout: float = DEFAULT_OPERATION_TIMEOUT
    """Deadline for one operation, retries included: Pulumi's ``customTimeouts`` never reach a
    dynamic provider, so this is the bound on how long a create/update/delete may take."""
    read_timeout: float = DEFAULT_READ_TIMEOUT
    """How long one request waits for DevRev's answer before it counts as timed out (and a
    create is looked for, see docs/reliability.md). Rarely changed; the fault-matrix tests
    shorten it so a "slower than the read timeout" answer takes seconds, not half a minute."""

    def __repr__(self) -> str:
        # The API URL may carry credentials too (user info, a query): shown redacted.
        return (
            f"Settings(api_url={redact_url(self.api_url)!r}, "
            f"operation_timeout={self.operation_timeout!r}, read_timeout={self.read_timeout!r})"
        )


def configure_from_stack(get: Callable[[str], Any]) -> None:
    """Remember the ``devrev:*`` stack config, given the config's ``get`` (keys namespaced)."""
    values: dict[str, str] = {}
    for name, (key, _env) in _CONFIG_KEYS.items():
        value = get(key)
        if value is not None and str(value).strip():
            values[name] = str(value).strip()
    with _lock:
        _stack_config.clear()
        _stack_config.update(values)


def check_api_url(api_url: str) -> None:
    """Refuse an API URL with user info, a query or a fragment: DevRev authenticates with the
    token alone, httpx would send user info as Basic auth instead of the token, and a query
    would ride in every request path (and in httpx's own log lines)."""
    parts = urlsplit(api_url)
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigurationError(
            f"The DevRev API URL {redact_url(api_url)} (devrev:apiUrl or DEVREV_API_URL) must "
            "not carry user info, a query or a fragment: DevRev takes the token alone "
            f"(devrev:token or DEVREV_TOKEN); give the URL as {DEFAULT_API_URL}."
        )


def resolve(env: Mapping[str, str] | None = None) -> Settings:
    """Settings as they stand now: stack config, then environment, then defaults."""
    env = os.environ if env is None else env
    with _lock:
        stack = dict(_stack_config)

    def pick(name: str) -> str | None:
        _key, env_name = _CONFIG_KEYS[name]
        value = stack.get(name) or env.get(env_name, "").strip()
        return value or None

    token = pick("token")
    if not token:
        raise ConfigurationError(MISSING_TOKEN)
    api_url = (pick("api_url") or DEFAULT_API_URL).rstrip("/")
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"The DevRev API URL {redact_url(api_url)} (devrev:apiUrl or DEVREV_API_URL) must be "
            f"an absolute http(s) URL such as {DEFAULT_API_URL}."
        )
    check_api_url(api_url)
    timeout = _seconds(
        pick("operation_timeout"),
        DEFAULT_OPERATION_TIMEOUT,
        1,
        3600,
        "devrev:operationTimeout (or DEVREV_OPERATION_TIMEOUT) must be a number of seconds "
        "from 1 to 3600.",
    )
    read_timeout = _seconds(
        pick("read_timeout"),
        DEFAULT_READ_TIMEOUT,
        0.1,
        600,
        "devrev:readTimeout (or DEVREV_READ_TIMEOUT) must be a number of seconds from 0.1 to 600.",
    )
    return Settings(
        token=token, api_url=api_url, operation_timeout=timeout, read_timeout=read_timeout
    )


def _seconds(raw: str | None, default: float, low: float, high: float, problem: str) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise ConfigurationError(problem)
    return value
