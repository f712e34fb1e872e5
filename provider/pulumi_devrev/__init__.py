"""DevRev webhooks as code: a Pulumi dynamic provider, a local sandbox and a receiver library.

>>> from pulumi_devrev import DevRevWebhook
>>> DevRevWebhook("issues-to-slack", url="https://hooks.example.com/devrev",
...               event_types=["work_created"])
"""

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
