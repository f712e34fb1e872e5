"""``make demo`` (tools/demo.py) as a user runs it: a subprocess, from the repository root,
through each of its two drivers: the real CLI (Pulumi's Automation API) and, without it, the
provider host (``pulumi_devrev.testing.Stack``).

Each test reads the demo's output the way a user does, and checks afterwards, from the outside,
that no process it started is still alive, no port it opened still answers, and neither the
token nor the webhook secret (learned from its children's environments) was printed.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import require_cli
from tests.e2e.helpers import (
    ROOT,
    DemoRun,
    demo_env,
    install_logging_pulumi,
    needs_proc,
    path_without_pulumi,
    run_demo,
)

pytestmark = needs_proc


def assert_the_story(run: DemoRun) -> None:
    """The story a user reads, in order, whichever driver told it: created and verified, the
    preview warns that the URL change pauses deliveries, the update goes through `unverified`
    back to `active`, and destroy leaves nothing at DevRev."""
    assert run.returncode == 0, run.output
    created = run.index(r"webhook status: unverified -> active$")
    warned = run.index(r"changing its url makes it `unverified`", created)
    moved = run.index(r"webhook status: active -> unverified -> active$", warned)
    run.index(r"webhook deleted: the sandbox no longer holds ", moved)
    run.index(r"^==> Done: ", moved)
    # The signing secret is a stack output, shown masked like `pulumi stack output` does.
    assert run.index(r"^\s+secret\s+\[secret\]$") < moved
    run.assert_no_secret_printed()
    run.assert_nothing_left()


def test_without_the_cli_the_whole_lifecycle_runs_through_the_provider_host() -> None:
    run = run_demo("--no-cli", timeout=60)

    assert "dynamic-provider host" in run.lines[0]
    assert_the_story(run)
    # The token reached the provider host through its environment, as with the CLI.
    assert set(run.secrets) >= {"DEVREV_TOKEN", "DEVREV_WEBHOOK_SECRET"}


def test_without_the_cli_the_first_line_says_so_and_how_to_get_it(tmp_path: Path) -> None:
    # Interrupted once its first line is out: only the announcement is under test here.
    # No pulumi on PATH, and an empty cache folder: no `make pulumi-cli` build either.
    env = demo_env(
        PATH=path_without_pulumi(), XDG_CACHE_HOME=str(tmp_path), DEVREV_DEMO_NO_CLI=None
    )
    run = run_demo(env=env, interrupt_at="Starting a local DevRev sandbox", timeout=60)

    assert run.lines[0].startswith("The pulumi CLI is neither on PATH nor built")
    assert "dynamic-provider host" in run.lines[0] and "make pulumi-cli" in run.lines[0]
    assert run.returncode == 130
    run.assert_nothing_left()


def cli_env(tmp_path: Path, **extra: str) -> tuple[dict[str, str], Path, Path]:
    """An environment whose PATH finds a logging wrapper around the real CLI first; its
    TMPDIR and call log."""
    wrapper = install_logging_pulumi(tmp_path / "bin", require_cli())
    tmp_dir, log = tmp_path / "tmp", tmp_path / "calls.jsonl"
    tmp_dir.mkdir()
    env = demo_env(
        PATH=f"{wrapper.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        TMPDIR=str(tmp_dir),
        PULUMI_CALL_LOG=str(log),
        DEVREV_DEMO_NO_CLI=None,
        **extra,
    )
    return env, tmp_dir, log


def command(call: dict[str, Any]) -> str:
    """``stack init``, ``config set``, ``up``...: the command of a logged call."""
    words = [arg for arg in call["args"] if not arg.startswith("-")]
    return " ".join(words[:2] if words[0] in ("stack", "config") else words[:1])


def assert_nothing_left_in(tmp_dir: Path) -> None:
    # The temporary backend and PULUMI_HOME, and the stack settings `pulumi stack init`
    # wrote into the repository: all gone.
    assert list(tmp_dir.iterdir()) == []
    assert list(ROOT.glob("Pulumi.demo-*.yaml")) == []


@pytest.mark.parametrize(
    ("signum", "during", "cli"),
    [
        # Ctrl-C while the provider host waits for the handshake
        (signal.SIGINT, "[2/6] pulumi up", False),
        # a supervisor stopping it while `pulumi up` runs: the CLI and its plugins go too
        (signal.SIGTERM, "Updating (demo-", True),
    ],
    ids=["ctrl-c-while-the-host-creates", "sigterm-while-the-cli-creates"],
)
def test_an_interrupted_demo_stops_every_process_it_started(
    tmp_path: Path, signum: signal.Signals, during: str, cli: bool
) -> None:
    env, tmp_dir, _ = cli_env(tmp_path) if cli else (None, None, None)

    run = run_demo(
        *([] if cli else ["--no-cli"]), env=env, interrupt_at=during, interrupt_with=signum
    )

    assert run.returncode == 128 + signum, run.output
    assert f"{signum.name}: stopping every process the demo started" in run.output
    assert "Done:" not in run.output
    run.assert_no_secret_printed()
    run.assert_nothing_left()
    if tmp_dir is not None:
        assert_nothing_left_in(tmp_dir)


def test_the_cli_path_runs_the_lifecycle_with_no_secret_on_a_command_line(tmp_path: Path) -> None:
    # The real CLI and engine, driven by the Automation API, behind a wrapper that records
    # each call.
    env, tmp_dir, log = cli_env(tmp_path)

    run = run_demo(env=env, timeout=180)

    assert run.lines[0] == (
        f"Running the quickstart with the pulumi CLI ({tmp_path}/bin/pulumi), "
        "through its Automation API."
    )
    assert_the_story(run)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    calls = [call for call in calls if command(call) != "version"]  # PulumiCommand's check
    lifecycle = ["stack init", "preview", "up", "refresh", "destroy", "stack rm"]
    assert [command(c) for c in calls if command(c) in lifecycle] == [
        "stack init",
        "preview",
        "up",
        "preview",
        "up",
        "refresh",
        "destroy",
        "stack rm",
    ]
    sets = [c for c in calls if command(c) == "config set"]
    keys = [[a for a in c["args"] if not a.startswith("-")][2] for c in sets]
    assert keys == [
        "devrev:apiUrl",
        "webhookSecret",
        "receiverUrl",
        "receiverUrl",
    ]
    token, secret = run.secrets["DEVREV_TOKEN"], run.secrets["DEVREV_WEBHOOK_SECRET"]
    for call in calls:
        assert call["cwd"] == str(ROOT)  # the root Pulumi.yaml: the quickstart project
        assert not {token, secret} & set(call["args"]), f"a secret on a command line: {call}"
        assert not any(token in arg or secret in arg for arg in call["args"])
        assert call["env"]["PULUMI_BACKEND_URL"].startswith(f"file://{tmp_dir}/")
        # The token reaches the provider through the environment only, never config.
        assert call["env"]["DEVREV_TOKEN"] == token
        assert "devrev:token" not in call["args"]
    # The webhook secret went in through stdin, as a Pulumi secret.
    [secret_set] = [c for c in sets if "webhookSecret" in c["args"]]
    assert secret_set["stdin"] == secret and "--secret" in secret_set["args"]
    assert all(c["stdin"] in ("", None) for c in calls if c is not secret_set)
    assert_nothing_left_in(tmp_dir)


def test_a_failing_step_exits_non_zero_and_cleans_up(tmp_path: Path) -> None:
    env, tmp_dir, _ = cli_env(tmp_path, PULUMI_FAIL_COMMAND="preview")

    run = run_demo(env=env, timeout=90)

    assert run.returncode == 1, run.output
    assert "error: `pulumi preview` failed" in run.output
    assert "Done:" not in run.output
    run.assert_no_secret_printed()
    run.assert_nothing_left()
    assert_nothing_left_in(tmp_dir)
