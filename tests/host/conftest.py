"""Fixtures for provider-host tests: an endpoint that answers DevRev's challenge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import Served, echo_receiver, serve_asgi


@pytest.fixture(scope="session")
def receiver() -> Iterator[Served]:
    served = serve_asgi(echo_receiver)
    yield served
    served.stop()
