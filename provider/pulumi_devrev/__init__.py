"""DevRev webhooks as code: a Pulumi dynamic provider, a local sandbox and a receiver library.

>>> from pulumi_devrev import DevRevWebhook
>>> DevRevWebhook("issues-to-slack", url="https://hooks.example.com/devrev",
...               event_types=["work_created"])

Names are imported on first use, so ``pulumi_devrev.receiver`` works in a service that has
neither pulumi nor httpx loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import DevRevClient
    from .errors import (
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        DevRevAPIError,
        DevRevError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TransportError,
    )
    from .models import EventType, Webhook, WebhookSpec, WebhookStatus
    from .provider import DevRevWebhookProvider
    from .verification import VerificationTimeout
    from .webhook import DevRevWebhook, DevRevWebhookArgs

_WHERE = {
    "DevRevClient": "client",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "ConfigurationError": "errors",
    "DevRevAPIError": "errors",
    "DevRevError": "errors",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "RateLimitError": "errors",
    "ServerError": "errors",
    "TransportError": "errors",
    "EventType": "models",
    "Webhook": "models",
    "WebhookSpec": "models",
    "WebhookStatus": "models",
    "DevRevWebhookProvider": "provider",
    "VerificationTimeout": "verification",
    "DevRevWebhook": "webhook",
    "DevRevWebhookArgs": "webhook",
}

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "DevRevAPIError",
    "DevRevClient",
    "DevRevError",
    "DevRevWebhook",
    "DevRevWebhookArgs",
    "DevRevWebhookProvider",
    "EventType",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "VerificationTimeout",
    "Webhook",
    "WebhookSpec",
    "WebhookStatus",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_devrev' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
