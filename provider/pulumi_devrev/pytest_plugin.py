"""pytest fixtures for testing a stack that uses ``DevRevWebhook`` (see ``docs/testing.md``).

Installed with the package as a ``pytest11`` entry point, so the fixtures are there in any
test suite of an environment with ``pulumi-devrev[sandbox]``; nothing starts until a test
asks for one.

- ``devrev_stack``: ``devrev_stack(program_folder, config={...})`` returns a
  :class:`pulumi_devrev.testing.Stack` against the sandbox (its ``devrev:apiUrl`` and
  ``devrev:token`` already set), closed after the test;
- ``devrev_sandbox``: the session's sandbox, reset (no webhooks, faults or logs, the
  session's options) before and after the test; ``devrev_sandbox.control`` drives it;
- ``devrev_sandbox_server``: the same sandbox, session-scoped and not reset;
- ``devrev_provider_host``: a session-scoped :class:`pulumi_devrev.testing.ProviderHost`
  configured for the sandbox, for tests of single provider calls;
- ``devrev_token``, ``devrev_sandbox_options``: the sandbox's token (random per session)
  and options (fast handshakes); override them in a ``conftest.py`` to change them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import os

    from .sandbox import RunningSandbox
    from .testing import ProviderHost, Stack


@pytest.fixture(scope="session")
def devrev_token() -> str:
    """The token the sandbox accepts (and the stacks are given): random for each session."""
    return "sandbox-" + secrets.token_urlsafe(18)


@pytest.fixture(scope="session")
def devrev_sandbox_options() -> dict[str, Any]:
    """Sandbox options (``SandboxOptions`` fields) for the session: handshakes retried fast."""
    return {"verify_retry_delay": 0.2}


@pytest.fixture(scope="session")
def devrev_sandbox_server(
    devrev_token: str, devrev_sandbox_options: dict[str, Any]
) -> Iterator[RunningSandbox]:
    """The session's sandbox on a free loopback port; not reset between tests."""
    from .sandbox import start_sandbox

    with start_sandbox(devrev_token, **devrev_sandbox_options) as running:
        yield running


@pytest.fixture
def devrev_sandbox(
    devrev_sandbox_server: RunningSandbox, devrev_sandbox_options: dict[str, Any]
) -> Iterator[RunningSandbox]:
    """The session's sandbox, with no webhooks, faults or logs and the session's options."""
    import dataclasses

    from .sandbox import SandboxOptions

    # Every option, so one a test changed goes back too.
    options = dataclasses.asdict(SandboxOptions().with_changes(**devrev_sandbox_options))
    control = devrev_sandbox_server.control
    control.reset()
    control.configure(**options)
    yield devrev_sandbox_server
    control.reset()
    control.configure(**options)


@pytest.fixture
def devrev_stack(
    devrev_sandbox: RunningSandbox, devrev_token: str
) -> Iterator[Callable[..., Stack]]:
    """Make a :class:`~pulumi_devrev.testing.Stack` of a program folder, against the sandbox.

    ``devrev_stack(folder, config={"receiverUrl": ...}, stack="test", env=None)``; every
    stack made is closed after the test (its provider host stopped).
    """
    from .testing import Stack

    made: list[Stack] = []

    def make(
        program: str | os.PathLike[str],
        *,
        config: Mapping[str, str] | None = None,
        stack: str = "test",
        env: Mapping[str, str] | None = None,
    ) -> Stack:
        made.append(
            Stack(
                program,
                config=config,
                sandbox=devrev_sandbox,
                token=devrev_token,
                stack=stack,
                env=env,
            )
        )
        return made[-1]

    yield make
    for stack in made:
        stack.close()


@pytest.fixture(scope="session")
def devrev_provider_host(
    devrev_sandbox_server: RunningSandbox, devrev_token: str
) -> Iterator[ProviderHost]:
    """Pulumi's provider host, configured as the engine does it for a stack on the sandbox."""
    from .testing import ProviderHost

    with ProviderHost() as host:
        host.configure({"devrev:token": devrev_token, "devrev:apiUrl": devrev_sandbox_server.url})
        yield host
