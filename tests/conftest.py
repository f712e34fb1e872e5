"""Suite-wide fixtures: one sandbox and one provider host per session, reset per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_devrev.testing import ProviderHost
from tests.support import TOKEN

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[object]:
    from pulumi_devrev.sandbox import start_sandbox

    with start_sandbox(TOKEN, verify_attempts=3, verify_retry_delay=0.2) as running:
        yield running


@pytest.fixture(scope="session")
def host(sandbox: Any) -> Iterator[ProviderHost]:
    """The SDK's provider host, configured the way the engine does it: Configure first, with
    the whole stack config (keys namespaced, other projects' keys included)."""
    with ProviderHost(cwd=ROOT) as running:
        running.configure(
            {"devrev:token": TOKEN, "devrev:apiUrl": sandbox.url, "project:unrelated": "value"}
        )
        yield running


@pytest.fixture
def control(sandbox: Any) -> Iterator[Any]:
    """The sandbox's test controls: a clean sandbox, with default options, for each test."""
    sandbox.control.reset()
    sandbox.control.configure(activate_mode="verify")
    yield sandbox.control
    sandbox.control.reset()
    sandbox.control.configure(activate_mode="verify")
