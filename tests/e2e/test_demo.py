"""``make demo`` (tools/demo.py) as a user runs it: a subprocess, from the repository root.

Each test reads the demo's output the way a user does, and checks afterwards, from the outside,
that no process it started is still alive, no port it opened still answers, and neither the
token nor the webhook secret (learned from its children's environments) was printed.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tests.e2e.cli import require_cli
from tests.e2e.helpers import (
    ROOT,
    demo_env,
    install_logging_pulumi,
    needs_proc,
    path_without_pulumi,
    run_demo,
)

pytestmark = needs_proc


def test_without_the_cli_the_whole_lifecycle_runs_through_the_provider_host() -> None:
    run = run_demo("--no-cli", timeout=60)

    assert run.returncode == 0, run.output
    assert "dynamic-provider host" in run.lines[0]
    # The story a user reads, in order: created and verified, the preview warns that the URL
    # change pauses deliveries, the update goes through `unverified` back to `active`, and
    # destroy leaves nothing at DevRev.
    created = run.index(r"webhook status: (unverified -> )?active$")
    warned = run.index(r"provider \| .*changing its url makes it `unverified`", created)
    moved = run.index(r"webhook status: active -> unverified -> active$", warned)
    run.index(r"webhook deleted: the sandbox answers webhooks\.get with 404", moved)
    # The signing secret is a stack output, shown masked like `pulumi stack output` does.
    assert run.index(r"^\s+secret\s+\[secret\]$") < moved
    run.assert_no_secret_printed()
    run.assert_nothing_left()


def test_without_the_cli_the_first_line_says_so_and_how_to_get_it(tmp_path: Path) -> None:
    # Interrupted once its first line is out: only the announcement is under test here.
    # No pulumi on PATH, and an empty cache folder: no `make pulumi-cli` build either.
    env = demo_env(
        PATH=path_without_pulumi(), XDG_CACHE_HOME=str(tmp_path), DEVREV_DEMO_NO_CLI=None
    )
    run = run_demo(env=env, interrupt_at="Starting a local DevRev sandbox", timeout=60)

    assert run.lines[0].startswith("The pulumi CLI is neither on PATH nor built")
    assert "make pulumi-cli" in run.lines[0]
    assert run.returncode == 130
    run.assert_nothing_left()


@pytest.mark.parametrize(
    ("signum", "during"),
    [
        (signal.SIGINT, "[2/6] up"),  # Ctrl-C while the provider waits for the handshake
        (signal.SIGTERM, "[4/6] up"),  # a supervisor stopping it during the URL change
    ],
    ids=["ctrl-c-while-creating", "sigterm-while-moving"],
)
def test_an_interrupted_demo_stops_every_process_it_started(
    signum: signal.Signals, during: str
) -> None:
    run = run_demo("--no-cli", interrupt_at=during, interrupt_with=signum, timeout=60)

    assert run.returncode == 128 + signum, run.output
    assert "stopping every process the demo started" in run.output
    assert "Done:" not in run.output
    run.assert_no_secret_printed()
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


def test_the_cli_path_drives_documented_commands_with_secrets_only_on_stdin(
    tmp_path: Path,
) -> None:
    # The real CLI and engine, behind a wrapper that records each call.
    env, tmp_dir, log = cli_env(tmp_path)

    run = run_demo(env=env, timeout=120)

    assert run.returncode == 0, run.output
    assert run.lines[0] == f"Running the quickstart with the pulumi CLI ({tmp_path}/bin/pulumi)."
    created = run.index(r"webhook status: unverified -> active$")
    warned = run.index(r"changing its url makes it `unverified`", created)
    moved = run.index(r"webhook status: active -> unverified -> active$", warned)
    run.index(r"webhook deleted: the sandbox answers webhooks\.get with 404", moved)
    assert run.index(r"^\s+secret\s+\[secret\]$") < moved
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    # The documented lifecycle, in order, each command run once where expected.
    commands = [" ".join(a for a in c["args"][:2] if not a.startswith("-")) for c in calls]
    assert commands == [
        "stack init",
        *["config set"] * 4,
        "preview",
        "up",
        "stack output",
        "config set",
        "preview",
        "up",
        "stack output",
        "refresh",
        "destroy",
        "stack rm",
    ]
    secret_values = set(run.secrets.values())
    for call in calls:
        assert call["cwd"] == str(ROOT)  # the root Pulumi.yaml: the quickstart project
        assert not secret_values & set(call["args"]), f"a secret on a command line: {call}"
        assert call["env"]["PULUMI_BACKEND_URL"].startswith(f"file://{tmp_dir}/")
    keys = {"devrev:apiUrl", "devrev:token", "receiverUrl", "webhookSecret"}
    sets = {
        next(arg for arg in c["args"] if arg in keys): c
        for c in calls
        if c["args"][:2] == ["config", "set"]
    }
    assert sets["devrev:token"]["stdin"] == run.secrets["DEVREV_TOKEN"]
    assert sets["webhookSecret"]["stdin"] == run.secrets["DEVREV_WEBHOOK_SECRET"]
    assert (
        "--secret" in sets["devrev:token"]["args"] and "--secret" in sets["webhookSecret"]["args"]
    )
    run.assert_no_secret_printed()
    run.assert_nothing_left()
    assert list(tmp_dir.iterdir()) == []
    assert list(ROOT.glob("Pulumi.demo-*.yaml")) == []


def test_a_failing_step_exits_non_zero_and_cleans_up(tmp_path: Path) -> None:
    env, tmp_dir, log = cli_env(tmp_path, PULUMI_FAIL_COMMAND="preview")

    run = run_demo(env=env, timeout=60)

    assert run.returncode == 1, run.output
    assert "error: `pulumi preview` failed" in run.output
    stack = json.loads(log.read_text().splitlines()[0])["args"][2]
    # Everything is gone: processes, ports, the temporary backend and PULUMI_HOME, and the
    # stack settings file `pulumi stack init` wrote into the repository.
    run.assert_no_secret_printed()
    run.assert_nothing_left()
    assert list(tmp_dir.iterdir()) == []
    assert not (ROOT / f"Pulumi.{stack}.yaml").exists()
