"""Fixtures of the real-engine suite: the CLI, a receiver, and a fresh stack per test."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import Stack, offline_env, require_cli, write_project
from tests.e2e.helpers import quickstart_receiver
from tests.support import TOKEN, api_calls

PROGRAMS = Path(__file__).parent / "programs"
# The secret the session's receiver checks signatures with; webhooks that must reach
# `active` are created with it (config `webhookSecret`).
SECRET = "e2e-receiver-secret-01"


@pytest.fixture(scope="session")
def cli() -> Path:
    return require_cli()


@pytest.fixture(scope="session")
def receiver() -> Iterator[str]:
    """``examples/quickstart/receiver.py``: base URL; deliveries go to ``/webhooks/devrev``."""
    with quickstart_receiver(DEVREV_WEBHOOK_SECRET=SECRET) as base:
        yield base


def new_stack(cli: Path, workspace: Path, sandbox: Any, program: str = "webhooks") -> Stack:
    """A project folder running ``programs/<program>.py`` and a new stack configured for
    the sandbox (``devrev:token`` and ``webhookSecret`` set as secrets)."""
    project = write_project(workspace / "project", "e2e-" + program, "")
    shutil.copyfile(PROGRAMS / f"{program}.py", project / "__main__.py")
    stack = Stack(cli, project, f"s{uuid.uuid4().hex[:8]}", offline_env(cli, workspace))
    stack.init()
    stack.config_all(
        {"devrev:apiUrl": sandbox.url}, {"devrev:token": TOKEN, "webhookSecret": SECRET}
    )
    return stack


@pytest.fixture
def stack(cli: Path, tmp_path: Path, sandbox: Any, control: Any) -> Stack:
    return new_stack(cli, tmp_path, sandbox)


def devrev_calls(control: Any) -> list[str]:
    """DevRev API calls since the last ``control.clear_requests()``, e.g.
    ``["/webhooks.create"]``."""
    return api_calls(control.requests())
