"""Fixtures for the end-to-end tests: the SDK's provider host against the session sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_devrev.testing import ProviderHost
from tests.e2e.helpers import ROOT
from tests.support import TOKEN


@pytest.fixture(scope="session")
def e2e_host(sandbox: Any) -> Iterator[ProviderHost]:
    """The SDK's provider host, configured the way the engine does it (Configure first)."""
    with ProviderHost(cwd=ROOT) as host:
        host.configure({"devrev:token": TOKEN, "devrev:apiUrl": sandbox.url})
        yield host


@pytest.fixture
def control(sandbox: Any, e2e_host: ProviderHost) -> Iterator[Any]:
    """The session sandbox's test controls, reset around each test."""
    sandbox.control.reset()
    e2e_host.output(clear=True)
    yield sandbox.control
    sandbox.control.reset()
