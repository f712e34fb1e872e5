"""Fixtures for provider-host tests: the SDK's real host over gRPC, against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_devrev.testing import ProviderHost
from tests.support import TOKEN, Served, echo_receiver, serve_asgi


@pytest.fixture(scope="session")
def host(sandbox: Any) -> Iterator[ProviderHost]:
    """One host for the session, configured like the engine does: Configure first."""
    with ProviderHost() as running:
        running.configure(
            {"devrev:token": TOKEN, "devrev:apiUrl": sandbox.url, "project:unrelated": "value"}
        )
        yield running


@pytest.fixture(scope="session")
def receiver() -> Iterator[Served]:
    served = serve_asgi(echo_receiver)
    yield served
    served.stop()


@pytest.fixture
def control(sandbox: Any, host: ProviderHost) -> Iterator[Any]:
    sandbox.control.reset()
    sandbox.control.configure(activate_mode="verify")
    host.output(clear=True)
    yield sandbox.control
    sandbox.control.reset()
