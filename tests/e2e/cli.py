"""The real Pulumi CLI, run as a user runs it: ``pulumi`` in a project folder.

Where the CLI comes from: ``pulumi`` on PATH first, else the build ``make pulumi-cli`` left
in its cache folder (``tools/pulumi-cli/build.sh``). With ``CI=true`` a missing CLI fails the
suite; elsewhere the tests that need it skip, saying how to get it.

Every run is offline and private: a local file backend in a temporary folder, a passphrase,
a temporary ``PULUMI_HOME``, no update check and no plugin downloads.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tools.pulumi_cli import cached_cli_dir, find_cli
from tools.pulumi_cli import offline_env as tools_offline_env

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "e2e-passphrase-not-a-secret"
# The virtual environment the tests run in: it has pulumi-devrev installed (editable).
VENV = Path(sys.prefix)
# The commands a deployment pipeline runs (examples/ci/: preview on a pull request, up on the
# main branch), as ``Stack.preview()`` and ``Stack.up()`` run them; tests/e2e/test_ci_examples.py
# checks that the example pipelines run exactly these.
PIPELINE_PREVIEW = ("preview", "--diff")
PIPELINE_UP = ("up", "--yes", "--diff", "--skip-preview")


def require_tool(found: Path | None, missing: str) -> Path:
    """A tool the suite builds (`make pulumi-cli`, `make actionlint`), or a skip that says
    ``missing`` (a failure under ``CI=true``, where the tool must have been built)."""
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    return found


def require_cli() -> Path:
    """The CLI, or a skip (a failure under ``CI=true``) that says how to get it."""
    return require_tool(
        find_cli(),
        f"the Pulumi CLI is neither on PATH nor at {cached_cli_dir()}: "
        "run `make pulumi-cli` (builds it from Pulumi's Go modules)",
    )


def offline_env(cli: Path, workspace: Path, **extra: str) -> dict[str, str]:
    """The environment of every CLI run: offline and private (tools.pulumi_cli.offline_env),
    the suite's virtual environment on PATH, and nothing from the shell's Pulumi or DevRev
    settings."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PULUMI_", "DEVREV_"))
        # Each CLI command starts two Python processes (the program and the provider host):
        # let them reuse compiled bytecode instead of compiling pulumi_devrev every time.
        and key not in ("VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    }
    base["PATH"] = os.pathsep.join([str(VENV / "bin"), base.get("PATH", "")])
    env = tools_offline_env(cli, workspace, PASSPHRASE, base)
    env.update(PULUMI_SKIP_CONFIRMATIONS="true", NO_COLOR="1", **extra)
    return env


@dataclass
class Run:
    """One finished CLI command."""

    args: Sequence[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> Run:
        if self.returncode != 0:
            raise AssertionError(
                f"`pulumi {' '.join(self.args)}` exited {self.returncode}:\n{self.output}"
            )
        return self


class Stack:
    """A stack of a project folder, driven through the real CLI."""

    def __init__(self, cli: Path, project_dir: Path, name: str, env: Mapping[str, str]):
        self.cli = cli
        self.project_dir = project_dir
        self.name = name
        self.env = dict(env)

    def run(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 120.0,
        env: Mapping[str, str] | None = None,
    ) -> Run:
        full = self._argv(args)
        completed = subprocess.run(
            [str(self.cli), *full],
            cwd=self.project_dir,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        run = Run(full, completed.returncode, completed.stdout, completed.stderr)
        return run.check() if check else run

    def _argv(self, args: Sequence[str]) -> list[str]:
        """``args`` aimed at this stack: ``--stack NAME`` added (before a ``--``), except to
        the commands that take no stack."""
        full = list(args)
        if full[:2] != ["stack", "init"] and full[:1] != ["version"]:
            at = full.index("--") if "--" in full else len(full)
            full[at:at] = ["--stack", self.name]
        return full

    def init(self) -> Stack:
        self.run("stack", "init", self.name)
        return self

    def config(self, key: str, value: str, *, secret: bool = False) -> None:
        flags = ["--secret"] if secret else ["--plaintext"]
        self.run("config", "set", key, *flags, "--", value)

    def config_all(self, plain: Mapping[str, str], secret: Mapping[str, str]) -> None:
        """Several config values in one command."""
        args = [f"--plaintext={key}={value}" for key, value in plain.items()]
        args += [f"--secret={key}={value}" for key, value in secret.items()]
        self.run("config", "set-all", *args)

    def config_json(self, key: str, value: Any) -> None:
        self.config(key, json.dumps(value))

    def preview(self, *extra: str, check: bool = True) -> Run:
        return self.run(*PIPELINE_PREVIEW, *extra, check=check)

    def up(self, *extra: str, preview: bool = False, check: bool = True) -> Run:
        """``pulumi up --yes``; without its own preview pass unless ``preview`` (what a preview
        shows is tested with :meth:`preview`; skipping it keeps the suite fast)."""
        if preview:  # as a user runs it by hand: the preview pass, then the update
            return self.run("up", "--yes", "--diff", *extra, check=check)
        return self.run(*PIPELINE_UP, *extra, check=check)

    def refresh(self, *extra: str, check: bool = True) -> Run:
        return self.run("refresh", "--yes", "--diff", *extra, check=check)

    def destroy(self, *extra: str, check: bool = True) -> Run:
        return self.run("destroy", "--yes", *extra, check=check)

    def outputs(self, *, show_secrets: bool = False) -> dict[str, Any]:
        extra = ["--show-secrets"] if show_secrets else []
        found: dict[str, Any] = json.loads(self.run("stack", "output", "--json", *extra).stdout)
        return found

    def export_text(self, *, show_secrets: bool = False) -> str:
        """``pulumi stack export`` as printed: the state, secrets encrypted unless asked."""
        return self.run("stack", "export", *(["--show-secrets"] if show_secrets else [])).stdout

    def export(self, *, show_secrets: bool = False) -> dict[str, Any]:
        exported: dict[str, Any] = json.loads(self.export_text(show_secrets=show_secrets))
        return exported

    def resources(self) -> dict[str, dict[str, Any]]:
        """The stack's resources from ``pulumi stack export``, by resource name."""
        found: dict[str, dict[str, Any]] = {}
        for resource in self.export()["deployment"].get("resources", []):
            found[resource["urn"].rsplit("::", 1)[-1]] = resource
        return found

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start a command without waiting (for interrupting it)."""
        return subprocess.Popen(
            [str(self.cli), *self._argv(args)],
            cwd=self.project_dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )


def interrupt(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    """SIGINT to the CLI, as Ctrl-C does; the output once it has exited."""
    process.send_signal(signal.SIGINT)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


def write_project(directory: Path, name: str, program: str) -> Path:
    """A Python project folder: Pulumi.yaml on the suite's virtual environment, and
    ``__main__.py``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(
        textwrap.dedent(
            f"""\
            name: {name}
            runtime:
              name: python
              options:
                toolchain: pip
                virtualenv: {VENV}
            """
        )
    )
    (directory / "__main__.py").write_text(program)
    return directory
