"""A local, faithful stand-in for DevRev's webhooks API, with test controls.

Start one in-process for tests::

    from pulumi_devrev.sandbox import start_sandbox

    with start_sandbox("test-token", verify_retry_delay=0.05) as sandbox:
        ...  # point a client at sandbox.url; drive faults with sandbox.control

or from a shell: ``devrev-sandbox --port 0`` (token from ``DEVREV_TOKEN``).

The sandbox knows nothing of the provider or the receiver: it is an independent oracle
that validates against DevRev's OpenAPI document and signs deliveries itself (only the
name of the signature header, ``SIGNATURE_HEADER``, is the receiver's).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _extra

if TYPE_CHECKING:
    from .app import Sandbox, create_sandbox_app
    from .app import create_sandbox_app as create_app
    from .control import SandboxControl, SandboxControlError
    from .delivery import SIGNATURE_HEADER, sign
    from .openapi import EVENT_TYPES
    from .options import SandboxOptions
    from .server import RunningSandbox, start_sandbox
    from .store import StateFileError

# Names are imported on first use: without the `sandbox` extra (starlette, uvicorn,
# jsonschema) the first one that needs it fails in one line naming what to install, and
# `python -m pulumi_devrev.sandbox` reaches __main__, which says so as a command.
_WHERE = {
    "Sandbox": "app",
    "create_sandbox_app": "app",
    "SandboxControl": "control",
    "SandboxControlError": "control",
    "SIGNATURE_HEADER": "delivery",
    "sign": "delivery",
    "EVENT_TYPES": "openapi",
    "SandboxOptions": "options",
    "RunningSandbox": "server",
    "start_sandbox": "server",
    "StateFileError": "store",
}
# Earlier names, still importable: the sandbox's app factory was ``create_app``, which is
# also the name of the receiver's (``pulumi_devrev.receiver.create_app``, another thing).
_ALIASES = {"create_app": "create_sandbox_app"}

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE_HEADER",
    "RunningSandbox",
    "Sandbox",
    "SandboxControl",
    "SandboxControlError",
    "SandboxOptions",
    "StateFileError",
    "create_app",
    "create_sandbox_app",
    "sign",
    "start_sandbox",
]


def __getattr__(name: str) -> Any:
    target = _ALIASES.get(name, name)
    module = _WHERE.get(target)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        imported = importlib.import_module(f".{module}", __name__)
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        if top in _extra.EXTRA_MODULES and _extra.missing_modules():
            raise _extra.not_installed() from None
        raise
    value = getattr(imported, target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE) | set(_ALIASES))
