"""Fixtures of the sandbox tests, over real loopback HTTP.

The sandbox, its token and ``control`` are the suite's (the pytest plugin's, see
``tests/conftest.py``): one sandbox per session, reset before and after every test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pulumi_devrev.sandbox import RunningSandbox

from .helpers import FAST_OPTIONS, Receiver


@pytest.fixture
def devrev_sandbox(devrev_sandbox: RunningSandbox) -> RunningSandbox:
    """The plugin's clean sandbox (``pulumi_devrev.pytest_plugin``), with fast handshakes.

    Different from the rest of the suite on purpose: these tests wait for handshakes and
    failed deliveries many times over, so retries come every 50 ms and a silent endpoint
    fails after 1 s, and every other option is pinned to its default. The plugin puts the
    session's options back after the test.
    """
    devrev_sandbox.control.configure(**FAST_OPTIONS)
    return devrev_sandbox


@pytest.fixture
def api(devrev_sandbox: RunningSandbox, devrev_token: str) -> Iterator[httpx.Client]:
    """A plain httpx client for DevRev's API, authenticated with ``Bearer``."""
    with httpx.Client(
        base_url=devrev_sandbox.url,
        headers={"Authorization": f"Bearer {devrev_token}"},
        timeout=10.0,
        trust_env=False,
    ) as client:
        yield client


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    """Factory of tiny loopback webhook endpoints, closed after the test."""
    made: list[Receiver] = []

    def make(mode: str = "echo", **kwargs: Any) -> Receiver:
        receiver = Receiver(mode, **kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()
