"""What a failing `pulumi up` shows, through the real Pulumi CLI and engine.

The engine puts the first line of a provider error on the resource's progress line
(``hook **creating failed** error: ...``) and the whole of it under Diagnostics. That first
line must be the one-line message (operation, HTTP status, DevRev's reference id, what to do),
not ``Traceback (most recent call last):``; the internal traceback is there only when the user
asks for it with PULUMI_DEVREV_TRACEBACK=1.

The CLI runs in its default display (no --diff), as a user runs it. One stack serves the whole
module, to keep the number of CLI runs down: each test sets the config it depends on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pulumi_devrev.provider import TRACEBACK_ENV
from tests.e2e.cli import PASSPHRASE, Run, Stack
from tests.e2e.conftest import SECRET, devrev_calls, new_stack
from tests.support import OTHER_TOKEN, TOKEN, closed_port_url

INTERNALS = ("client.py", "tenacity", "concurrent/futures")
NEVER_PRINTED = (TOKEN, OTHER_TOKEN, SECRET, PASSPHRASE)
PLAIN_HOOK = {"url": "http://127.0.0.1:9/hook", "secret_config": "webhookSecret"}


@pytest.fixture(scope="module")
def failing(cli: Path, tmp_path_factory: pytest.TempPathFactory, sandbox: Any) -> Stack:
    stack = new_stack(cli, tmp_path_factory.mktemp("failures"), sandbox)
    # The shortest deadline there is, retries included: failures that are retried end fast.
    stack.config("devrev:operationTimeout", "1")
    return stack


def configure(
    stack: Stack,
    sandbox: Any,
    *,
    token: str = TOKEN,
    api_url: str | None = None,
    hook: dict[str, Any] | None = None,
) -> None:
    stack.config("devrev:token", token, secret=True)
    stack.config("devrev:apiUrl", api_url or sandbox.url)
    stack.config_json("webhooks", {"hook": hook or PLAIN_HOOK})


def failed_up(stack: Stack, **env: str) -> Run:
    up = stack.run("up", "--yes", check=False, env=env)
    assert up.returncode != 0, up.output
    for secret in NEVER_PRINTED:
        assert secret not in up.output
    return up


def first_error(up: Run) -> str:
    """The first thing the user reads of the failure, checked to be the same line on the
    progress line and at the top of the resource's Diagnostics; nothing of a traceback
    before it, and none of the provider's internals anywhere."""
    output = up.output
    first = next((line for line in output.splitlines() if "error: " in line), None)
    assert first is not None, output
    assert "hook" in first, output  # the failing resource's line, before the stack's
    message = first.split("error: ", 1)[1]
    progress = re.search(r"\bhook \*\*creating failed\*\* error: (.*)", output)
    assert progress is not None and progress.group(1) == message, output
    diagnostics = output[output.index("Diagnostics:") :]
    assert re.search(r"Webhook \(hook\):\n\s+error: " + re.escape(message) + "\n", diagnostics)
    assert "Traceback" not in output[: output.index(message) + len(message)]
    for internal in INTERNALS:
        assert internal not in output, (internal, output)
    assert f"{TRACEBACK_ENV}=1" in diagnostics  # how to get the rest
    return message


def test_a_wrong_token_reads_as_http_401_and_the_detail_variable_shows_the_traceback(
    failing: Stack, sandbox: Any, control: Any
) -> None:
    configure(failing, sandbox, token=OTHER_TOKEN)

    message = first_error(failed_up(failing))
    assert message == (
        "pulumi_devrev.errors.AuthenticationError: webhooks.create failed: "
        "HTTP 401 unauthenticated: the token is not valid"
    )

    # The variable reaches the provider host through the CLI's environment.
    detailed = failed_up(failing, **{TRACEBACK_ENV: "1"}).output
    assert "Traceback (most recent call last):" in detailed
    for internal in ("client.py", "tenacity"):
        assert internal in detailed
    assert message in detailed
    assert devrev_calls(control) == ["/webhooks.create"] * 2


def test_a_server_error_reads_as_one_line_with_devrevs_reference_id(
    failing: Stack, sandbox: Any, control: Any
) -> None:
    configure(failing, sandbox)
    control.inject("/webhooks.create", status=500, count=10)

    message = first_error(failed_up(failing))
    assert message.startswith(
        "pulumi_devrev.errors.ServerError: webhooks.create failed: HTTP 500 internal_error"
    )
    assert re.search(r"\[reference id [0-9a-f]+\]$", message), message


def test_an_unreachable_api_reads_as_one_line_naming_it(
    failing: Stack, sandbox: Any, control: Any
) -> None:
    api_url = closed_port_url().removesuffix("/hook")
    configure(failing, sandbox, api_url=api_url)

    message = first_error(failed_up(failing))
    assert message.startswith(
        "pulumi_devrev.errors.TransportError: webhooks.create failed: ConnectError"
    )
    assert f"({api_url})" in message and "gave up after" in message


def test_a_verification_timeout_reads_as_one_line_with_the_challenge_to_echo(
    failing: Stack, sandbox: Any, control: Any
) -> None:
    endpoint = closed_port_url()  # never answers DevRev's challenge
    hook = {**PLAIN_HOOK, "url": endpoint, "wait_for_active": True, "verification_timeout": 1}
    configure(failing, sandbox, hook=hook)

    message = first_error(failed_up(failing))
    assert message.startswith("pulumi_devrev.errors.VerificationTimeout: DevRev webhook ")
    for part in ("is still unverified after 1s", endpoint, '{"challenge": ', "deleted again"):
        assert part in message, part
