"""``make demo``: the quickstart's lifecycle against a local DevRev sandbox, told once.

One list of steps (``STEPS``), two drivers: :class:`Cli`, the real ``pulumi`` (``find_cli``)
through Pulumi's Automation API in a throw-away stack on a local backend; :class:`Host`, where
there is no CLI (or with ``--no-cli``), Pulumi's own provider host through the public
``pulumi_devrev.testing.Stack``. Both against a sandbox started here and the quickstart's
receiver. Every line goes through :func:`say`, which masks the run's random token, webhook
secret and passphrase. Everything started is stopped, and every temporary file removed, on
success, failure, Ctrl-C and SIGTERM. Exit status: 0; 1 when a step fails; 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from process_sweep import sweep
from pulumi import automation as auto
from pulumi_cli import find_cli, offline_env

from pulumi_devrev.redaction import redact

if TYPE_CHECKING:
    from pulumi_devrev.sandbox import RunningSandbox, SandboxControl
    from pulumi_devrev.testing import ResourceResult

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart"
RESOURCE, EXPORTS = "quickstart", ("display_id", "id", "secret", "status")
NO_CLI_ENV, RUN_MARKER = "DEVREV_DEMO_NO_CLI", "PULUMI_DEVREV_DEMO_RUN"
INSTALL_HINT = "run `make pulumi-cli` (needs Go) or see https://www.pulumi.com/docs/install/"
SAMPLE_WORK = {"work": {"id": "don:core:dvrv-us-1:devo/1:issue/1", "display_id": "ISS-1"}}
Command = Literal["preview", "up", "refresh", "destroy"]


@dataclass(frozen=True)
class Step:
    command: Command
    title: str
    receiver_path: str | None = None  # first `pulumi config set receiverUrl <receiver><path>`


STEPS = (
    Step("preview", "pulumi preview: one webhook to create", "/webhooks/devrev"),
    Step("up", "pulumi up: create it; up returns once DevRev has verified the receiver"),
    Step("preview", "a new receiverUrl: preview warns of `unverified`", "/webhooks/devrev-next"),
    Step("up", "pulumi up: the new URL is verified before up returns"),
    Step("refresh", "pulumi refresh: state matches DevRev"),
    Step("destroy", "pulumi destroy: nothing left at DevRev"),
)
SECRETS: list[str] = []
_print_lock = threading.Lock()


def say(text: str = "") -> None:
    """Print one line, from any thread, with every secret of this run masked."""
    with _print_lock:
        print(redact(text, SECRETS, mask="[secret]"), flush=True)


class Failure(Exception):
    """A step did not do what it should."""


class SecretsOnStdin(auto.LocalWorkspace):
    """The SDK's ``set_config`` runs ``pulumi config set KEY --secret ... -- VALUE`` (and
    ``set_all_config``/``set_all_config_json`` put values on argv too), where every local user
    reads it (``ps``, /proc/PID/cmdline). Here a secret goes on stdin, where ``pulumi config
    set`` reads a value its command line lacks."""

    def set_config(
        self, stack_name: str, key: str, value: auto.ConfigValue, *, path: bool = False
    ) -> None:
        if not value.secret:
            return super().set_config(stack_name, key, value, path=path)
        argv = [self.pulumi_command.command, "--non-interactive", "config", "set", key]
        done = subprocess.run(  # noqa: S603 - the CLI find_cli found, fixed arguments
            [*argv, *(["--path"] if path else []), "--secret", "--stack", stack_name],
            input=value.value,
            cwd=self.work_dir,
            env={**os.environ, **self.env_vars},
            capture_output=True,
            text=True,
        )
        if done.returncode:  # as the SDK reports a failed command
            raise auto.CommandError(auto.CommandResult(done.stdout, done.stderr, done.returncode))


class Cli:
    """``pulumi`` through the Automation API, in the repository root (its Pulumi.yaml runs
    examples/quickstart), on a file backend and PULUMI_HOME in a temporary folder."""

    def __init__(self, cli: Path, api_url: str, token: str, secret: str, cleanup: Any) -> None:
        workdir = Path(tempfile.mkdtemp(prefix="pulumi-devrev-demo-"))
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        SECRETS.append(passphrase := secrets.token_urlsafe(24))
        if cli.parent.name != "bin":  # PulumiCommand(root) runs root/bin/pulumi
            (workdir / "bin").mkdir()
            (workdir / "bin" / "pulumi").symlink_to(cli)
        workspace = SecretsOnStdin(
            work_dir=str(ROOT),
            # The token reaches the provider as DEVREV_TOKEN, as in examples/ci: a process's
            # environment is readable by its own user only (/proc/PID/environ), argv by all.
            env_vars={**offline_env(cli, workdir, passphrase, os.environ), "DEVREV_TOKEN": token},
            secrets_provider="passphrase",
            pulumi_command=auto.PulumiCommand(
                root=str(cli.parent.parent if cli.parent.name == "bin" else workdir)
            ),
        )
        name = "demo-" + secrets.token_hex(4)
        # `stack init` writes Pulumi.<stack>.yaml beside Pulumi.yaml; `stack rm` removes it,
        # or this does. Registered last, run first: what the CLI left after an interrupt goes.
        cleanup.callback((ROOT / f"Pulumi.{name}.yaml").unlink, missing_ok=True)
        cleanup.callback(sweep, RUN_MARKER, os.environ[RUN_MARKER])
        say(f"  $ pulumi stack init {name} --secrets-provider passphrase")
        self.stack = auto.Stack.create(name, workspace)
        self.set_config("devrev:apiUrl", api_url)
        say("  $ pulumi config set --secret webhookSecret   (the value on stdin)")
        self.stack.set_config("webhookSecret", auto.ConfigValue(secret, secret=True))

    def set_config(self, key: str, value: str) -> None:
        say(f"  $ pulumi config set {key} {value}")
        self.stack.set_config(key, auto.ConfigValue(value))

    def run(self, command: Command) -> tuple[list[str], dict[str, Any]]:
        """Run ``command``: the lines it printed, and (after ``up``) the stack's exports."""
        say(f"  $ pulumi {command}" + (" --yes --skip-preview" if command != "preview" else ""))
        lines: list[str] = []

        def show(line: str) -> None:
            lines.append(line)
            say(f"    {line}")

        try:
            result = getattr(self.stack, command)(color="never", on_output=show, on_error=show)
        except auto.CommandError as exc:
            raise Failure(f"`pulumi {command}` failed: {(lines or [str(exc)])[-1]}") from None
        if command == "destroy":
            say(f"  $ pulumi stack rm --yes {self.stack.name}")
            self.stack.workspace.remove_stack(self.stack.name)
        outputs = result.outputs.items() if command == "up" else ()
        return lines, {k: "[secret]" if v.secret else v.value for k, v in outputs}


class Host:
    """Pulumi's provider host through ``pulumi_devrev.testing.Stack``: the quickstart folder as
    ``pulumi`` runs it, the token in the provider's environment as with the CLI."""

    def __init__(self, sandbox: RunningSandbox, token: str, secret: str, cleanup: Any) -> None:
        from pulumi_devrev.testing import Stack

        env = {"DEVREV_TOKEN": token}  # devrev:apiUrl comes from the sandbox
        self.stack = Stack(QUICKSTART, config={"webhookSecret": secret}, sandbox=sandbox, env=env)
        cleanup.callback(self.stack.close)

    def set_config(self, key: str, value: str) -> None:
        say(f"  > config {key} = {value}")
        self.stack.config[key] = value

    def run(self, command: Command) -> tuple[list[str], dict[str, Any]]:
        say(f"  > {command}, through Pulumi's provider host (as `pulumi {command}`)")
        result: ResourceResult = getattr(self.stack, command)()[RESOURCE]
        say(f"    {result.operation}: pulumi-python:dynamic/devrev:Webhook {RESOURCE}")
        for line in result.messages:
            say(f"    provider | {line}")
        shown = {**result.shown_outputs, "id": result.id}
        return result.messages, {k: shown.get(k) for k in EXPORTS if command == "up"}


def start_receiver(secret: str, cleanup: Any) -> tuple[str, list[str]]:
    """``examples/quickstart/receiver.py --port 0``: its base URL, and its lines (echoed)."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, a file of this repository
        [sys.executable, str(QUICKSTART / "receiver.py"), "--port", "0"],
        env={**os.environ, "DEVREV_WEBHOOK_SECRET": secret, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # stopped here, not by the terminal's Ctrl-C
    )
    cleanup.callback(process.wait, timeout=5)
    cleanup.callback(process.terminate)
    assert process.stdout is not None
    url, lines = process.stdout.readline().strip(), []
    if not url.startswith("http://"):
        said = [x for x in [url, *process.stdout.read().splitlines()] if x]
        raise Failure(f"the receiver did not start: {said[-1:]}")

    def echo(stream: Any) -> None:
        for raw in stream:  # its own lines, not uvicorn's
            if raw.startswith("receiver: "):
                lines.append(text := raw.rstrip("\n").removeprefix("receiver: "))
                say(f"    receiver | {text}")

    threading.Thread(target=echo, args=(process.stdout,), daemon=True).start()
    return url, lines


def tell(driver: Cli | Host, control: SandboxControl, receiver: str, heard: list[str]) -> None:
    """The story: each step, then what the sandbox saw."""
    webhook_id = ""
    for number, step in enumerate(STEPS, 1):
        say(f"\n==> [{number}/{len(STEPS)}] {step.title}")
        if step.receiver_path:
            driver.set_config("receiverUrl", receiver + step.receiver_path)
        seen = len(control.deliveries(webhook_id)) if webhook_id else 0
        lines, exports = driver.run(step.command)
        if step.command == "preview" and webhook_id and not any("unverified" in x for x in lines):
            raise Failure("the preview of the URL change did not warn of `unverified`")
        if step.command == "up":
            say("    Outputs (`pulumi stack output`):")
            for key in sorted(exports):
                say(f"        {key:<10}  {exports[key]}")
            before, webhook_id = ["active"] if webhook_id else [], str(exports["id"])
            hellos = [d for d in control.deliveries(webhook_id)[seen:] if d["type"] == "verify"]
            for hello in hellos:
                outcome = "challenge echoed" if hello["ok"] else hello["reason"]
                say(f"    sandbox  | verify challenge sent to {hello['url']}: {outcome}")
            status = str((control.webhook(webhook_id) or {}).get("status"))
            # A handshake is sent exactly when a webhook becomes `unverified`.
            path = [*before, *["unverified"][: len(hellos)], status]
            say(f"    webhook status: {' -> '.join(path)}")
            if status != "active":
                raise Failure(f"the webhook is {status}, not active, after `pulumi up`")
            deliver_event(control, webhook_id, heard)
        if step.command == "destroy":
            if control.webhook(webhook_id) is not None:
                raise Failure(f"webhook {webhook_id} still exists after destroy")
            say(f"    webhook deleted: the sandbox no longer holds {webhook_id}")


def deliver_event(control: SandboxControl, webhook_id: str, heard: list[str]) -> None:
    """The sandbox delivers one signed event; the receiver says it took it."""
    count = len(heard)
    sent = control.send_event(webhook_id, "work_created", SAMPLE_WORK)
    if not sent["delivered"]:
        raise Failure(f"the receiver did not accept a signed event: {sent['reason']}")
    for _ in range(60):  # its line first, then the sandbox's
        if any("work_created" in x for x in heard[count:]):
            break
        time.sleep(0.05)
    say(f"    sandbox  | delivered a work_created event: HTTP {sent['status_code']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The quickstart's lifecycle on a local sandbox.")
    default = os.environ.get(NO_CLI_ENV, "") not in ("", "0", "false")
    parser.add_argument("--no-cli", action="store_true", default=default, help="use the host")
    no_cli = parser.parse_args(argv).no_cli
    cli = None if no_cli else find_cli()
    if cli:  # the first line says which driver runs, before anything slow happens
        say(f"Running the quickstart with the pulumi CLI ({cli}), through its Automation API.")
    else:
        why = "--no-cli" if no_cli else "The pulumi CLI is neither on PATH nor built"
        hint = "" if no_cli else f" To get the CLI, {INSTALL_HINT}"
        say(f"{why}: running the same lifecycle through Pulumi's dynamic-provider host.{hint}")
    # The demo's processes get only what it gives them: no DEVREV_* from the user's shell.
    for name in [n for n in os.environ if n.startswith("DEVREV_")]:
        del os.environ[name]
    for name in ("PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_STACK"):
        os.environ.pop(name, None)
    os.environ[RUN_MARKER] = secrets.token_hex(8)  # inherited by every process started
    token, secret = "demo-" + secrets.token_urlsafe(24), secrets.token_urlsafe(18)
    SECRETS.extend([token, secret])

    def terminated(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signum)  # unwinds like Ctrl-C, so cleanup runs

    signal.signal(signal.SIGTERM, terminated)
    status = 1
    with contextlib.ExitStack() as cleanup:
        try:
            from pulumi_devrev.sandbox import start_sandbox

            say("\n==> Starting a local DevRev sandbox and the quickstart receiver")
            sandbox = cleanup.enter_context(start_sandbox(token))
            say(f"    sandbox  (DevRev API)   {sandbox.url}  token: random, not shown")
            receiver, heard = start_receiver(secret, cleanup)
            args = (token, secret, cleanup)
            driver = Cli(cli, sandbox.url, *args) if cli else Host(sandbox, *args)
            tell(driver, sandbox.control, receiver, heard)
            say("\n==> Done: the webhook was created, verified, moved, refreshed and deleted.")
            status = 0
        except KeyboardInterrupt as exc:
            signum = signal.Signals(exc.args[0] if exc.args else signal.SIGINT)
            say(f"\n{signum.name}: stopping every process the demo started.")
            status = 128 + signum
        except (Failure, auto.CommandError) as exc:  # CommandError: stack init or config set
            say(f"\nerror: {str(exc).strip()}")
        except Exception as exc:
            say("\nerror: " + "".join(traceback.format_exception(exc)).rstrip())
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: cleanup goes on
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return status


if __name__ == "__main__":
    sys.exit(main())
