"""Fixtures: one sandbox per session over real loopback HTTP, reset before every test."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pulumi_devrev.sandbox import RunningSandbox, SandboxControl, start_sandbox

from .helpers import FAST_OPTIONS, Receiver


@pytest.fixture(scope="session")
def token() -> str:
    """A random token per session, so no test can depend on (or print) a fixed one."""
    return "tok-" + secrets.token_urlsafe(18)


@pytest.fixture(scope="session")
def running_sandbox(token: str) -> Iterator[RunningSandbox]:
    """The session's sandbox; tests use :func:`sandbox`, which resets it first."""
    with start_sandbox(token, **FAST_OPTIONS) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox) -> RunningSandbox:
    """A sandbox with no webhooks, faults or logs, and fast handshakes."""
    running_sandbox.control.configure(**FAST_OPTIONS)
    running_sandbox.control.reset()
    return running_sandbox


@pytest.fixture
def control(sandbox: RunningSandbox) -> SandboxControl:
    """The test controls of the fresh sandbox."""
    return sandbox.control


@pytest.fixture
def api(sandbox: RunningSandbox, token: str) -> Iterator[httpx.Client]:
    """A plain httpx client for DevRev's API, authenticated with ``Bearer``."""
    with httpx.Client(
        base_url=sandbox.url,
        headers={"Authorization": f"Bearer {token}"},
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
