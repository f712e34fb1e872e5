"""Running ``tools/demo.py`` and watching what it leaves behind.

Every demo run gets a unique marker variable in its environment. Every process it starts
inherits it, so after the run a scan of ``/proc`` finds any process left behind, however it
was started, and the environments of the demo's children tell the test the token and the
webhook secret the demo generated (which the demo never prints, and must not).
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tools.process_sweep import marked_processes, sweep

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tools" / "demo.py"
MARKER_ENV = "E2E_DEMO_MARKER"
# Values the demo's children get through their environment and the demo must never print.
SECRET_ENV = ("DEVREV_TOKEN", "DEVREV_WEBHOOK_SECRET", "PULUMI_CONFIG_PASSPHRASE")

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/environ").exists(),
    reason="reads child processes' environments from /proc (Linux)",
)


def processes_with_marker(marker: str) -> dict[int, dict[str, str]]:
    """Live processes whose environment carries ``MARKER_ENV=marker``, with that environment."""
    return marked_processes(MARKER_ENV, marker)


def accepts_connections(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class DemoRun:
    """One finished run of ``tools/demo.py``."""

    returncode: int
    lines: list[str]
    marker: str
    secrets: dict[str, str] = field(default_factory=dict)
    """Secret values seen in the children's environments while the demo ran."""

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def ports(self) -> set[int]:
        """Every loopback port the demo announced (sandbox, receiver, provider host)."""
        return {int(port) for port in re.findall(r"127\.0\.0\.1:(\d+)", self.output)}

    def leftovers(self, wait: float = 3.0) -> dict[int, dict[str, str]]:
        """Processes of this run still alive after ``wait`` seconds (ideally none)."""
        deadline = time.monotonic() + wait
        while True:
            alive = processes_with_marker(self.marker)
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)

    def assert_nothing_left(self) -> None:
        alive = self.leftovers()
        assert not alive, f"processes left behind: {sorted(alive)}"
        open_ports = sorted(port for port in self.ports() if accepts_connections(port))
        assert not open_ports, f"ports still accepting connections: {open_ports}"

    def assert_no_secret_printed(self) -> None:
        assert self.secrets, "the test saw no secret in the children's environments"
        for name, value in self.secrets.items():
            assert value not in self.output, f"the demo printed {name}"

    def index(self, pattern: str, start: int = 0) -> int:
        """Index of the first line at or after ``start`` matching ``pattern``."""
        for number, line in enumerate(self.lines[start:], start):
            if re.search(pattern, line):
                return number
        raise AssertionError(f"no line matching {pattern!r} after line {start}:\n{self.output}")


def run_demo(
    *args: str,
    env: Mapping[str, str] | None = None,
    interrupt_at: str | None = None,
    interrupt_with: signal.Signals = signal.SIGINT,
    timeout: float = 90.0,
) -> DemoRun:
    """Run the demo to the end (or send ``interrupt_with`` when a line contains
    ``interrupt_at``), collecting its output and the secrets its children were given."""
    marker = uuid.uuid4().hex
    environ = dict(os.environ if env is None else env)
    environ[MARKER_ENV] = marker
    process = subprocess.Popen(
        [sys.executable, str(DEMO), *args],
        cwd=ROOT,
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.put(raw.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    run = DemoRun(returncode=-1, lines=[], marker=marker)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"the demo did not finish in {timeout:.0f}s") from None
            if line is None:
                break
            run.lines.append(line)
            _collect_secrets(run)
            if interrupt_at is not None and interrupt_at in line:
                process.send_signal(interrupt_with)
                interrupt_at = None
        run.returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
            sweep(MARKER_ENV, marker)
    return run


def _collect_secrets(run: DemoRun) -> None:
    for env in processes_with_marker(run.marker).values():
        for name in SECRET_ENV:
            if env.get(name):
                run.secrets[name] = env[name]


def demo_env(**changes: str | None) -> dict[str, str]:
    """The test's environment with ``changes`` applied (``None`` removes a variable)."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def path_without_pulumi() -> str:
    """PATH minus every directory holding a ``pulumi`` executable."""
    keep = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not os.access(os.path.join(entry, "pulumi"), os.X_OK)
    ]
    return os.pathsep.join(keep)


def config_for(project: str, **values: str) -> dict[str, str]:
    """Stack config as the engine passes it: the project's keys namespaced."""
    return {f"{project}:{key}": value for key, value in values.items()}


QUICKSTART = ROOT / "examples" / "quickstart"


def made_by_hand(
    sandbox: Any, url: str, secret: str, event_types: Sequence[str] = ("work_created",)
) -> str:
    """A webhook made outside any stack (in DevRev's UI, say), straight through DevRev's API;
    its id."""
    import httpx

    from tests.support import TOKEN

    response = httpx.post(
        f"{sandbox.url}/webhooks.create",
        json={"url": url, "event_types": list(event_types), "secret": secret},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 201, response.text
    webhook_id: str = response.json()["webhook"]["id"]
    return webhook_id


@contextlib.contextmanager
def quickstart_receiver(**env: str) -> Iterator[str]:
    """``examples/quickstart/receiver.py --port 0`` as a subprocess; yields its base URL."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DEVREV_WEBHOOK_")}
    environ.update(env)
    process = subprocess.Popen(
        [sys.executable, str(QUICKSTART / "receiver.py"), "--port", "0"],
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"the receiver did not start: {url!r}"
        # Keep its pipe drained so logging never blocks it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def install_logging_pulumi(bin_dir: Path, real_cli: Path) -> Path:
    """A ``pulumi`` at ``bin_dir/pulumi`` that appends each call to ``$PULUMI_CALL_LOG``
    (arguments, working directory, stdin, the ``PULUMI_*`` and ``DEVREV_*`` environment) and
    then runs the real CLI with the same arguments and stdin; ``PULUMI_FAIL_COMMAND=<command>``
    makes that command (its first argument that is no flag) fail instead, as a broken step
    would."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "pulumi"
    wrapper.write_text(
        f"""#!{sys.executable}
import json, os, subprocess, sys
args = sys.argv[1:]
stdin = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
env = {{k: v for k, v in os.environ.items() if k.startswith(("PULUMI_", "DEVREV_"))}}
with open(os.environ["PULUMI_CALL_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "cwd": os.getcwd(), "stdin": stdin, "env": env}}) + "\\n")
if [a for a in args if not a.startswith("-")][:1] == [os.environ.get("PULUMI_FAIL_COMMAND")]:
    print("error: failed on purpose (PULUMI_FAIL_COMMAND)", file=sys.stderr)
    sys.exit(1)
sys.exit(subprocess.run([{str(real_cli)!r}, *args], input=stdin, text=True).returncode)
"""
    )
    wrapper.chmod(0o755)
    return wrapper
