"""Test Pulumi programs that use ``DevRevWebhook`` through Pulumi's real provider host.

The whole-stack case (see ``docs/testing.md``)::

    from pulumi_devrev.testing import Stack

    with Stack("path/to/program", config={"receiverUrl": url}, sandbox=sandbox, token=token) as s:
        assert s.up().calls == ["webhooks.create"]

The pytest plugin (``pulumi_devrev.pytest_plugin``, active once the package is installed)
gives the same through fixtures. The pieces underneath, for tests of single calls:

- :mod:`.program`: :func:`capture_program` runs a program under Pulumi's mocks and returns
  what the SDK would send the engine for each resource (:class:`Registration`);
- :mod:`.host`: :class:`ProviderHost`, ``python -m pulumi.dynamic`` and its gRPC calls;
- :mod:`.engine`: :class:`Deployment` (the engine's calls for one resource across commands)
  and :class:`Stack` (a whole program folder).
"""

from .engine import (
    CheckFailed,
    Deployment,
    ResourceResult,
    Stack,
    StackResult,
    StepResult,
)
from .host import HostAlreadyConfigured, ProviderError, ProviderHost
from .program import PROVIDER_KEY, Registration, capture_program

__all__ = [
    "PROVIDER_KEY",
    "CheckFailed",
    "Deployment",
    "HostAlreadyConfigured",
    "ProviderError",
    "ProviderHost",
    "Registration",
    "ResourceResult",
    "Stack",
    "StackResult",
    "StepResult",
    "capture_program",
]
