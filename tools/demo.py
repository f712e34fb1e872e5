"""``make demo``: the quickstart's whole lifecycle against a local DevRev sandbox.

What it does, from a fresh clone (``make demo`` creates the virtual environment first):

1. starts the DevRev sandbox (``python -m pulumi_devrev.sandbox --port 0``, with a random
   token made here and never printed) and the quickstart receiver
   (``examples/quickstart/receiver.py --port 0``) on free loopback ports;
2. with the ``pulumi`` CLI (on PATH, else the one ``make pulumi-cli`` built): creates a
   throw-away stack in a temporary local backend (``PULUMI_BACKEND_URL=file://...``, a random
   ``PULUMI_CONFIG_PASSPHRASE``), sets its config (secrets through stdin, never on a command
   line), then runs ``pulumi preview``,
   ``pulumi up``, a ``receiverUrl`` change (``preview`` shows the ``unverified`` line, ``up``
   waits for the new handshake), ``pulumi refresh``, ``pulumi destroy`` and
   ``pulumi stack rm``, from the repository root;
3. without the CLI (or with ``--no-cli``): says so on its first line and runs the same steps
   through Pulumi's own dynamic-provider host with ``pulumi_devrev.testing.Stack`` (the API
   ``docs/testing.md`` shows), which calls it exactly as the engine would.

Nothing secret is printed: every line goes through one writer that masks the token, the
webhook secret and the passphrase, and secret stack outputs show as ``[secret]``. Every
process and temporary directory is removed on success, on failure and on Ctrl-C/SIGTERM.
Exit status: 0 on success, 1 when a step fails, 130/143 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from pulumi_cli import find_cli, offline_env

from pulumi_devrev.errors import redact

if TYPE_CHECKING:
    from pulumi_devrev.sandbox.control import SandboxControl
    from pulumi_devrev.testing import ResourceResult

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart"
RESOURCE = "quickstart"
RESOURCE_TYPE = "pulumi-python:dynamic/devrev:Webhook"
FIRST_PATH, NEXT_PATH = "/webhooks/devrev", "/webhooks/devrev-next"
# How to get the CLI here: built from Pulumi's Go modules into a cache folder.
INSTALL_HINT = (
    "run `make pulumi-cli` (needs Go), or install it: https://www.pulumi.com/docs/install/"
)
NO_CLI_ENV = "DEVREV_DEMO_NO_CLI"
# Every process the demo starts inherits this variable (with a value unique to the run), so
# the last cleanup step can find a stray one even if it was started a moment before an
# interrupt and never recorded.
RUN_MARKER_ENV = "PULUMI_DEVREV_DEMO_RUN"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
SANDBOX_ARGS = ("--host", "127.0.0.1", "--port", "0", "--log-level", "warning")
SAMPLE_WORK = {"work": {"id": "don:core:dvrv-us-1:devo/1:issue/1", "display_id": "ISS-1"}}


class DemoFailure(Exception):
    """A step did not do what it should; the message says which and why."""


class Interrupted(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C does, so cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# ---------------------------------------------------------------------------------------------
# Output: one writer that masks secrets, so no code path can print one by mistake.


class Console:
    """Prints whole lines, from any thread, with every registered secret masked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: list[str] = []

    def protect(self, value: str) -> str:
        """Register ``value`` as secret (it will print as ``[secret]``) and return it."""
        with self._lock:
            self._secrets.append(value)
        return value

    def redact(self, text: str) -> str:
        with self._lock:
            return redact(text, self._secrets, mask="[secret]")

    def line(self, text: str = "") -> None:
        text = self.redact(text)
        with self._lock:
            print(text, flush=True)

    def header(self, text: str) -> None:
        self.line()
        self.line(f"==> {text}")

    def table(self, rows: Mapping[str, Any], indent: str = "    ") -> None:
        width = max((len(key) for key in rows), default=0)
        for key, value in rows.items():
            self.line(f"{indent}{key.ljust(width)}  {value}")


# ---------------------------------------------------------------------------------------------
# Child processes: each in its own session, so the demo decides when (and how) they stop.


@dataclass
class Child:
    """A background process that announces its base URL on its first stdout line."""

    name: str
    process: subprocess.Popen[str]
    console: Console
    echo: bool
    url: str = ""
    lines: list[str] = field(default_factory=list)
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    _first: queue.Queue[str | None] = field(default_factory=queue.Queue)
    _seen: threading.Condition = field(default_factory=threading.Condition)

    def start_reading(self) -> None:
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        first = True
        for raw in self.process.stdout:
            text = raw.rstrip("\n")
            if first:
                self._first.put(text)
                first = False
                continue
            with self._seen:
                self.lines.append(text)
                self._seen.notify_all()
            if self.echo:
                self.console.line(f"    {self.name} | {text.removeprefix(self.name + ': ')}")
        if first:
            self._first.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            self.errors.append(raw.rstrip("\n"))

    def wait_for_url(self) -> str:
        try:
            first = self._first.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            message = f"the {self.name} did not start within {STARTUP_TIMEOUT:.0f}s"
            raise DemoFailure(message) from None
        if first is None or not first.startswith("http"):
            self.process.wait(timeout=STOP_TIMEOUT)
            detail = "; ".join(list(self.errors)[-3:]) or f"exit status {self.process.returncode}"
            raise DemoFailure(f"the {self.name} did not start: {detail}")
        self.url = first.rstrip("/")
        return self.url

    def wait_for_line(
        self, predicate: Callable[[str], bool], *, after: int, timeout: float
    ) -> bool:
        """Wait until a line past the first ``after`` ones matches ``predicate`` (True), or
        ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while not any(predicate(line) for line in self.lines[after:]):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._seen.wait(remaining)
        return True


def stop_process_group(process: subprocess.Popen[Any]) -> None:
    """SIGTERM the child's whole process group (pulumi's plugins too), then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT)
    # Grandchildren may outlive the leader; the group id stays valid while any member lives.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)


def sweep_marked_processes(marker: str) -> None:
    """Kill any process still carrying this run's marker (Linux: read from /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    needle = f"{RUN_MARKER_ENV}={marker}".encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if needle in environ:
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)


# ---------------------------------------------------------------------------------------------
# The run: its secrets, its processes, its cleanup.


@dataclass
class Run:
    console: Console
    cleanup: contextlib.ExitStack
    marker: str = field(default_factory=lambda: secrets.token_hex(8))
    token: str = ""
    webhook_secret: str = ""
    sandbox: Child | None = None
    receiver: Child | None = None
    control: SandboxControl | None = None

    def __post_init__(self) -> None:
        # The sandbox's API token and the webhook's signing secret: random for every run.
        self.token = self.console.protect("demo-" + secrets.token_urlsafe(24))
        self.webhook_secret = self.console.protect(secrets.token_urlsafe(18))
        os.environ[RUN_MARKER_ENV] = self.marker
        self.on_cleanup(sweep_marked_processes, self.marker)

    def on_cleanup(self, action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Run ``action`` at the end, last registered first; its failure stops no other."""

        def guarded() -> None:
            try:
                action(*args, **kwargs)
            except Exception as exc:
                self.console.line(f"warning: cleanup: {type(exc).__name__}: {exc}")

        self.cleanup.callback(guarded)

    @contextlib.contextmanager
    def stopping_on_error(self, process: subprocess.Popen[str]) -> Iterator[None]:
        """Stop ``process`` (and its group) if the block is left by an error or interrupt."""
        try:
            yield
        except BaseException:
            stop_process_group(process)
            raise

    def child_env(self, **extra: str) -> dict[str, str]:
        # DEVREV_* settings of the user's shell must not leak into the demo's processes: the
        # provider reads its token and API URL from the stack config the demo sets.
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEVREV_")}
        env.update(PYTHONUNBUFFERED="1", **extra)
        return env

    def spawn(self, name: str, argv: Sequence[str], env: Mapping[str, str], *, echo: bool) -> Child:
        process = subprocess.Popen(  # noqa: S603 - fixed argv: this interpreter, repo files
            list(argv),
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.on_cleanup(stop_process_group, process)
        child = Child(name, process, self.console, echo)
        child.start_reading()
        return child

    def start_services(self) -> None:
        self.console.header("Starting a local DevRev sandbox and the quickstart receiver")
        sandbox = self.spawn(
            "sandbox",
            [sys.executable, "-m", "pulumi_devrev.sandbox", *SANDBOX_ARGS],
            # The token goes through the environment: command lines are visible to all users.
            self.child_env(DEVREV_TOKEN=self.token),
            echo=False,
        )
        receiver = self.spawn(
            "receiver",
            [sys.executable, str(QUICKSTART / "receiver.py"), "--port", "0"],
            self.child_env(DEVREV_WEBHOOK_SECRET=self.webhook_secret),
            # Its own lines (handshakes answered, events accepted) are part of the story;
            # they are echoed from here on, once the addresses below are printed.
            echo=False,
        )
        self.sandbox, self.receiver = sandbox, receiver
        sandbox.wait_for_url()
        receiver.wait_for_url()
        from pulumi_devrev.sandbox.control import SandboxControl

        self.control = SandboxControl(sandbox.url)
        self.on_cleanup(self.control.close)
        self.console.line(f"    sandbox  (DevRev API)   {sandbox.url}  token: random, not shown")
        self.console.line(f"    receiver (endpoint)     {receiver.url}{FIRST_PATH}")
        receiver.echo = True

    @property
    def first_url(self) -> str:
        assert self.receiver is not None
        return self.receiver.url + FIRST_PATH

    @property
    def next_url(self) -> str:
        assert self.receiver is not None
        return self.receiver.url + NEXT_PATH

    # -- what the sandbox saw: the facts each step is reported with --------------------------

    def handshakes(self, webhook_id: str) -> list[dict[str, Any]]:
        assert self.control is not None
        return [d for d in self.control.deliveries(webhook_id) if d["type"] == "verify"]

    def report_status(self, webhook_id: str, before: str | None, *, handshakes_before: int) -> str:
        """Print what the sandbox saw during an ``up``: handshakes, then the status path."""
        assert self.control is not None
        new = self.handshakes(webhook_id)[handshakes_before:]
        for delivery in new:
            outcome = (
                f"HTTP {delivery['status_code']}, challenge echoed"
                if delivery["ok"]
                else delivery["reason"]
            )
            self.console.line(
                f"    sandbox  | verify challenge #{delivery['attempt']} sent to "
                f"{delivery['url']}: {outcome}"
            )
        view = self.control.webhook(webhook_id)
        if view is None:
            raise DemoFailure(f"the sandbox has no webhook {webhook_id} after `pulumi up`")
        status = str(view["status"])
        # A handshake is sent exactly when a webhook becomes `unverified` (created, or its url
        # or secret changed), so one in this step means the webhook went through that state.
        path = [before] if before else []
        if new:
            path.append("unverified")
        if not path or path[-1] != status:
            path.append(status)
        self.console.line(f"    webhook status: {' -> '.join(path)}")
        if status != "active":
            raise DemoFailure(f"the webhook is {status}, not active, after `pulumi up`")
        return status

    def deliver_sample_event(self, webhook_id: str) -> None:
        """Have the sandbox deliver one signed object event, and see the receiver take it."""
        assert self.control is not None and self.receiver is not None
        seen = len(self.receiver.lines)
        result = self.control.send_event(webhook_id, "work_created", SAMPLE_WORK)
        outcome = f"HTTP {result['status_code']}" if result["delivered"] else result["reason"]
        self.console.line(f"    sandbox  | delivered a work_created event: {outcome}")
        if not result["delivered"]:
            raise DemoFailure(f"the receiver did not accept a signed event: {outcome}")
        # Let the receiver's own line about it print before the next step's header.
        self.receiver.wait_for_line(lambda line: "work_created" in line, after=seen, timeout=3)

    def confirm_deleted(self, webhook_id: str, api_url: str) -> None:
        import httpx

        response = httpx.get(
            f"{api_url}/webhooks.get",
            params={"id": webhook_id},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
            trust_env=False,
        )
        if response.status_code != 404:
            raise DemoFailure(
                f"webhook {webhook_id} still exists after destroy (HTTP {response.status_code})"
            )
        self.console.line(
            f"    webhook deleted: the sandbox answers webhooks.get with 404 for {webhook_id}"
        )


# ---------------------------------------------------------------------------------------------
# With the pulumi CLI


class PulumiCli:
    """Runs ``pulumi`` in the repository root against a throw-away local backend."""

    def __init__(self, run: Run, executable: str) -> None:
        self.run_ = run
        self.console = run.console
        self.executable = executable
        self.stack = "demo-" + secrets.token_hex(4)
        workdir = Path(tempfile.mkdtemp(prefix="pulumi-devrev-demo-"))
        run.on_cleanup(shutil.rmtree, workdir, ignore_errors=True)
        # `pulumi stack init` writes the stack's settings next to Pulumi.yaml; stack rm
        # removes them, and this removes them if the demo stops before that.
        run.on_cleanup(self._remove_stack_settings)
        passphrase = self.console.protect(secrets.token_urlsafe(24))
        # A local backend and PULUMI_HOME in the temporary directory, plugins beside the CLI.
        self.env = offline_env(Path(executable), workdir, passphrase, run.child_env())
        for name in ("PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_STACK"):
            self.env.pop(name, None)

    def _remove_stack_settings(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (ROOT / f"Pulumi.{self.stack}.yaml").unlink()

    def __call__(self, *args: str, stdin: str | None = None, show: bool = True) -> str:
        """Run ``pulumi <args>``; return its output. Secrets go through ``stdin`` only."""
        argv = [self.executable, *args, "--non-interactive", "--color", "never"]
        self.console.line(f"  $ pulumi {' '.join(args)}")
        process = subprocess.Popen(  # noqa: S603 - the pulumi found on PATH, fixed arguments
            argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        with self.run_.stopping_on_error(process):
            if stdin is not None:
                assert process.stdin is not None
                process.stdin.write(stdin)
                process.stdin.close()
            assert process.stdout is not None
            output = []
            for raw in process.stdout:
                output.append(raw)
                if show:
                    self.console.line(f"    {raw.rstrip()}")
            status = process.wait()
        if status != 0:
            command = " ".join(itertools.takewhile(lambda arg: not arg.startswith("-"), args))
            raise DemoFailure(f"`pulumi {command}` failed with exit status {status}")
        return "".join(output)

    def outputs(self) -> dict[str, Any]:
        """``pulumi stack output --json``: secret outputs come back as "[secret]"."""
        text = self("stack", "output", "--json", "--stack", self.stack, show=False)
        data: dict[str, Any] = json.loads(text)
        return data


def run_with_cli(run: Run, executable: str) -> None:
    pulumi = PulumiCli(run, executable)
    stack = ("--stack", pulumi.stack)
    total = 7
    assert run.sandbox is not None
    api_url = run.sandbox.url

    run.console.header(f"[1/{total}] Create a throw-away stack and set its config")
    pulumi("stack", "init", pulumi.stack, "--secrets-provider", "passphrase")
    pulumi("config", "set", *stack, "devrev:apiUrl", api_url)
    pulumi("config", "set", *stack, "--secret", "devrev:token", stdin=run.token)
    pulumi("config", "set", *stack, "receiverUrl", run.first_url)
    pulumi("config", "set", *stack, "--secret", "webhookSecret", stdin=run.webhook_secret)

    run.console.header(f"[2/{total}] pulumi preview: one webhook to create")
    pulumi("preview", *stack)

    run.console.header(f"[3/{total}] pulumi up: create it and wait for DevRev's challenge")
    pulumi("up", *stack, "--yes", "--skip-preview")
    outputs = pulumi.outputs()
    show_outputs(run.console, outputs)
    if "id" not in outputs:
        raise DemoFailure("`pulumi up` succeeded but the stack exports no webhook id")
    webhook_id = str(outputs["id"])
    # A new webhook: every handshake the sandbox sent it belongs to this step.
    run.report_status(webhook_id, None, handshakes_before=0)
    run.deliver_sample_event(webhook_id)

    run.console.header(f"[4/{total}] Point the webhook at another URL: preview shows the pause")
    pulumi("config", "set", *stack, "receiverUrl", run.next_url)
    preview = pulumi("preview", *stack)
    if "unverified" not in preview:
        run.console.line("    note: this preview did not show the provider's `unverified` line")

    run.console.header(f"[5/{total}] pulumi up: the new URL is verified before up returns")
    before = len(run.handshakes(webhook_id))
    pulumi("up", *stack, "--yes", "--skip-preview")
    show_outputs(run.console, pulumi.outputs())
    run.report_status(webhook_id, "active", handshakes_before=before)
    run.deliver_sample_event(webhook_id)

    run.console.header(f"[6/{total}] pulumi refresh: state matches DevRev")
    pulumi("refresh", *stack, "--yes", "--skip-preview")

    run.console.header(f"[7/{total}] pulumi destroy, then remove the stack")
    pulumi("destroy", *stack, "--yes", "--skip-preview")
    run.confirm_deleted(webhook_id, api_url)
    pulumi("stack", "rm", "--yes", pulumi.stack)


def show_outputs(console: Console, outputs: Mapping[str, Any]) -> None:
    console.line("    Outputs (`pulumi stack output`):")
    console.table({k: outputs[k] for k in sorted(outputs)}, indent="        ")


# ---------------------------------------------------------------------------------------------
# Without the pulumi CLI: the engine's calls to Pulumi's own provider host


def run_without_cli(run: Run) -> None:
    from pulumi_devrev.testing import Stack

    assert run.sandbox is not None
    # The quickstart folder as `pulumi` runs it: its program under the project named in its
    # Pulumi.yaml, the provider in Pulumi's own host configured with the whole stack config.
    stack = Stack(
        QUICKSTART,
        config={
            "devrev:apiUrl": run.sandbox.url,
            "devrev:token": run.token,
            "receiverUrl": run.first_url,
            "webhookSecret": run.webhook_secret,
        },
        stack="demo",
    )
    run.on_cleanup(stack.close)
    total = 6
    console = run.console

    console.header(f"[1/{total}] preview (as `pulumi preview`): one webhook to create")
    show_step(console, stack.preview()[RESOURCE])

    console.header(f"[2/{total}] up (as `pulumi up`): create it and wait for DevRev's challenge")
    console.line(plan_line("create"))
    created = stack.up()[RESOURCE]
    show_step(console, created, announced=True)
    show_outputs(console, stack_outputs(created))
    webhook_id = created.id or ""
    run.report_status(webhook_id, None, handshakes_before=0)
    run.deliver_sample_event(webhook_id)

    console.header(f"[3/{total}] Point the webhook at another URL: preview shows the pause")
    console.line(f"  $ pulumi config set receiverUrl {run.next_url}")
    stack.config["receiverUrl"] = run.next_url
    preview = stack.preview()[RESOURCE]
    show_step(console, preview)
    if not any("unverified" in line for line in preview.messages):
        raise DemoFailure("the preview of the URL change did not warn about `unverified`")

    console.header(f"[4/{total}] up (as `pulumi up`): the new URL is verified before up returns")
    before = len(run.handshakes(webhook_id))
    console.line(plan_line("update"))
    moved = stack.up()[RESOURCE]
    show_step(console, moved, announced=True)
    show_outputs(console, stack_outputs(moved))
    run.report_status(webhook_id, "active", handshakes_before=before)
    run.deliver_sample_event(webhook_id)

    console.header(f"[5/{total}] refresh (as `pulumi refresh`): state matches DevRev")
    refreshed = stack.refresh()[RESOURCE]
    show_step(console, refreshed)
    drift = "drift found and recorded" if refreshed.changes else "no drift"
    console.line(f"    {drift}; DevRev reports the webhook {refreshed.outputs.get('status')}")

    console.header(f"[6/{total}] destroy (as `pulumi destroy`)")
    show_step(console, stack.destroy()[RESOURCE])
    run.confirm_deleted(webhook_id, run.sandbox.url)


def stack_outputs(resource: ResourceResult) -> dict[str, Any]:
    """What the quickstart exports, as `pulumi stack output` shows it (secrets masked)."""
    shown = resource.shown_outputs
    return {
        "display_id": shown.get("display_id"),
        "id": resource.id,
        "secret": shown.get("secret"),
        "status": shown.get("status"),
    }


def plan_line(operation: str) -> str:
    """One row of the plan, as `pulumi preview` and `pulumi up` list resources."""
    symbol = {"create": "+", "update": "~", "delete": "-", "deleted": "-", "refresh": "~"}
    verb = {"same": "no change", "refresh": "refreshed", "deleted": "gone at refresh"}
    return (
        f"    {symbol.get(operation, ' ')} {RESOURCE_TYPE}  {RESOURCE}  "
        f"{verb.get(operation, operation)}"
    )


def show_step(console: Console, step: ResourceResult, *, announced: bool = False) -> None:
    """The plan row (unless printed before the call) and what the provider printed."""
    if not announced:
        console.line(plan_line(step.operation))
    # Lines the provider printed: the CLI shows them as the resource's diagnostics.
    for line in step.messages:
        console.line(f"    provider | {line}")


# ---------------------------------------------------------------------------------------------


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the quickstart's lifecycle against a local DevRev sandbox."
    )
    parser.add_argument(
        "--no-cli",
        action="store_true",
        default=os.environ.get(NO_CLI_ENV, "") not in ("", "0", "false"),
        help="use Pulumi's provider host even when the pulumi CLI is installed "
        f"(also: {NO_CLI_ENV}=1)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console()
    found = None if args.no_cli else find_cli()
    executable = str(found) if found else None
    # The first line says which path runs, before anything slow happens.
    if executable:
        console.line(f"Running the quickstart with the pulumi CLI ({executable}).")
    elif args.no_cli:
        console.line(
            "Running the quickstart without the pulumi CLI (--no-cli): the same lifecycle "
            "through Pulumi's dynamic-provider host."
        )
    else:
        console.line(
            "The pulumi CLI is neither on PATH nor built: running the same lifecycle through "
            f"Pulumi's dynamic-provider host instead. To get the CLI, {INSTALL_HINT}"
        )

    try:
        from pulumi_devrev.sandbox import start_sandbox  # noqa: F401 - the package and its extra
    except ImportError as exc:
        console.line(
            f"error: {exc.name or 'pulumi_devrev'} cannot be imported by {sys.executable}; "
            "run `make demo`, which creates the virtual environment .venv first"
        )
        return 1

    signal.signal(signal.SIGTERM, _raise_interrupted)
    cleanup = contextlib.ExitStack()
    status = 1
    try:
        run = Run(console, cleanup)
        run.start_services()
        if executable:
            run_with_cli(run, executable)
        else:
            run_without_cli(run)
        console.header("Done: the webhook was created, verified, moved, refreshed and deleted.")
        status = 0
    except KeyboardInterrupt:
        console.line("\nInterrupted: stopping every process the demo started.")
        status = 130
    except Interrupted as exc:
        console.line(f"\n{exc}: stopping every process the demo started.")
        status = 128 + exc.signum
    except DemoFailure as exc:
        console.line(f"\nerror: {exc}")
    except Exception as exc:
        console.line(f"\nerror: {type(exc).__name__}: {exc}")
        console.line("".join(traceback.format_exception(exc)).rstrip())
    finally:
        # A second Ctrl-C must not cut the cleanup short; each step below is bounded.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cleanup.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
