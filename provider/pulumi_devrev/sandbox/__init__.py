"""A local, faithful stand-in for DevRev's webhooks API, with test controls.

Start one in-process for tests::

    from pulumi_devrev.sandbox import start_sandbox

    with start_sandbox("test-token", verify_retry_delay=0.05) as sandbox:
        ...  # point a client at sandbox.url; drive faults with sandbox.control

or from a shell: ``devrev-sandbox --port 0`` (token from ``DEVREV_TOKEN``).

The sandbox knows nothing of the provider or the receiver: it is an independent oracle
that validates against DevRev's OpenAPI document and signs deliveries itself.
"""

# First: without the `sandbox` extra, fail in one line naming what to install.
from . import _extra  # noqa: F401
from .app import Sandbox, create_app
from .control import SandboxControl, SandboxControlError
from .openapi import EVENT_TYPES, SpecMismatch, validate_response
from .options import SandboxOptions
from .server import RunningSandbox, start_sandbox
from .store import StateFileError
from .verifier import SIGNATURE_HEADER, sign

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE_HEADER",
    "RunningSandbox",
    "Sandbox",
    "SandboxControl",
    "SandboxControlError",
    "SandboxOptions",
    "SpecMismatch",
    "StateFileError",
    "create_app",
    "sign",
    "start_sandbox",
    "validate_response",
]
