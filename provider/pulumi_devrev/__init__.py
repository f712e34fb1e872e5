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

# The public names (README: Public API), each with the module that defines it: the one table.
# ``__all__`` is its keys. Type checkers read the imports below instead (``X as X``: re-exported
# under --strict); tests/unit/test_public_api.py checks that they name the same.
_WHERE = {
    "DevRevClient": "client",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "ConfigurationError": "errors",
    "CreateOutcomeUnknown": "errors",
    "DevRevAPIError": "errors",
    "DevRevError": "errors",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "RateLimitError": "errors",
    "RequestTooLargeError": "errors",
    "ServerError": "errors",
    "TransportError": "errors",
    "VerificationTimeout": "errors",
    "EventType": "models",
    "Webhook": "models",
    "WebhookSpec": "models",
    "WebhookStatus": "models",
    "DevRevWebhookProvider": "provider",
    "DevRevWebhook": "webhook",
    "DevRevWebhookArgs": "webhook",
}

if TYPE_CHECKING:
    from .client import DevRevClient as DevRevClient
    from .errors import AuthenticationError as AuthenticationError
    from .errors import BadRequestError as BadRequestError
    from .errors import ConfigurationError as ConfigurationError
    from .errors import CreateOutcomeUnknown as CreateOutcomeUnknown
    from .errors import DevRevAPIError as DevRevAPIError
    from .errors import DevRevError as DevRevError
    from .errors import NotFoundError as NotFoundError
    from .errors import PermissionDeniedError as PermissionDeniedError
    from .errors import RateLimitError as RateLimitError
    from .errors import RequestTooLargeError as RequestTooLargeError
    from .errors import ServerError as ServerError
    from .errors import TransportError as TransportError
    from .errors import VerificationTimeout as VerificationTimeout
    from .models import EventType as EventType
    from .models import Webhook as Webhook
    from .models import WebhookSpec as WebhookSpec
    from .models import WebhookStatus as WebhookStatus
    from .provider import DevRevWebhookProvider as DevRevWebhookProvider
    from .webhook import DevRevWebhook as DevRevWebhook
    from .webhook import DevRevWebhookArgs as DevRevWebhookArgs
else:  # not where type checkers look: a computed __all__ would hide the names from them
    __all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pulumi_devrev' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
