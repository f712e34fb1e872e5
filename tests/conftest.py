"""Suite-wide fixtures: one sandbox per session (reset per test), receivers on demand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import TOKEN


@pytest.fixture(scope="session")
def sandbox() -> Iterator[object]:
    from pulumi_devrev.sandbox import start_sandbox

    with start_sandbox(TOKEN, verify_attempts=3, verify_retry_delay=0.2) as running:
        yield running


@pytest.fixture
def control(sandbox: Any) -> Iterator[Any]:
    """The sandbox's test controls, with a clean sandbox before and after the test."""
    sandbox.control.reset()
    yield sandbox.control
    sandbox.control.reset()
