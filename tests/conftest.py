"""Suite-wide fixtures: the pytest plugin's (pulumi_devrev.pytest_plugin), under this suite's
names, with a fixed token, and no DEVREV_* settings from the shell running the tests."""

from __future__ import annotations

import os
from typing import Any

import pytest

from pulumi_devrev.sandbox import RunningSandbox, SandboxControl
from pulumi_devrev.testing import ProviderHost
from tests.support import TOKEN

# A test sees only the settings it gives: DEVREV_TOKEN or DEVREV_API_URL of the developer's
# shell must reach no provider host, CLI run or demo started by the suite.
for _name in [name for name in os.environ if name.startswith("DEVREV_")]:
    del os.environ[_name]


@pytest.fixture(scope="session")
def devrev_token() -> str:
    return TOKEN


@pytest.fixture(scope="session")
def devrev_sandbox_options() -> dict[str, Any]:
    return {"verify_attempts": 3, "verify_retry_delay": 0.2}


@pytest.fixture(scope="session")
def sandbox(devrev_sandbox_server: RunningSandbox) -> RunningSandbox:
    """The session's sandbox (not reset: ask for ``control`` for a clean one)."""
    return devrev_sandbox_server


@pytest.fixture
def control(devrev_sandbox: RunningSandbox) -> SandboxControl:
    """The sandbox's test controls: a clean sandbox, with the session's options, per test."""
    return devrev_sandbox.control


@pytest.fixture(scope="session")
def host(devrev_provider_host: ProviderHost) -> ProviderHost:
    """The SDK's provider host, configured the way the engine does it: Configure first."""
    return devrev_provider_host
