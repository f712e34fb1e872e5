"""Where the token, the API URL and the operation deadline come from.

Stack config first (``devrev:token``, ``devrev:apiUrl``, ``devrev:operationTimeout``), then the
environment (``DEVREV_TOKEN``, ``DEVREV_API_URL``, ``DEVREV_OPERATION_TIMEOUT``).

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

from .errors import ConfigurationError, redact_url

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_OPERATION_TIMEOUT",
    "MISSING_TOKEN",
    "Settings",
    "configure_from_stack",
    "resolve",
]

DEFAULT_API_URL = "https://api.devrev.ai"
DEFAULT_OPERATION_TIMEOUT = 120.0

MISSING_TOKEN = (
    "No DevRev token found: set the stack config devrev:token "
    "(pulumi config set --secret devrev:token <token>) or the DEVREV_TOKEN environment variable."
)

_CONFIG_KEYS = {
    "token": ("devrev:token", "DEVREV_TOKEN"),
    "api_url": ("devrev:apiUrl", "DEVREV_API_URL"),
    "operation_timeout": ("devrev:operationTimeout", "DEVREV_OPERATION_TIMEOUT"),
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

    def __repr__(self) -> str:
        # The API URL may carry credentials too (user info, a query): shown redacted.
        return (
            f"Settings(api_url={redact_url(self.api_url)!r}, "
            f"operation_timeout={self.operation_timeout!r})"
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
    raw_timeout = pick("operation_timeout")
    timeout = DEFAULT_OPERATION_TIMEOUT
    if raw_timeout is not None:
        try:
            timeout = float(raw_timeout)
        except ValueError:
            timeout = -1.0
        if not 1 <= timeout <= 3600:
            raise ConfigurationError(
                "devrev:operationTimeout (or DEVREV_OPERATION_TIMEOUT) must be a number of "
                "seconds from 1 to 3600."
            )
    return Settings(token=token, api_url=api_url, operation_timeout=timeout)
