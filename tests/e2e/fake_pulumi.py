"""A stand-in ``pulumi`` executable for testing ``tools/demo.py``'s CLI path without the CLI.

It is not evidence that the real CLI works with the quickstart (``test_real_cli.py`` is, where
``pulumi`` is installed). It checks the demo's side of the conversation:

- every command and flag the demo uses is one Pulumi documents for that command (the tables
  below, from the CLI reference pages ``pulumi_stack_init``, ``pulumi_config_set``,
  ``pulumi_up``...), so a typo fails here rather than on a user's machine;
- it runs where Pulumi would (the directory holding ``Pulumi.yaml``), with a ``file://``
  backend and a passphrase, and reads secret config values from stdin as the real
  ``pulumi config set`` does when stdin is not a terminal;
- ``preview``/``up``/``refresh``/``destroy`` run the project's program and make the engine's
  calls to the SDK's real dynamic-provider host (``pulumi_devrev.testing``), keeping state in
  the backend directory between invocations;
- ``stack output --json`` prints the quickstart's exports, secrets as ``"[secret]"``.

Each call is appended to ``$FAKE_PULUMI_LOG`` (arguments, working directory, stdin, the
``PULUMI_*`` environment); ``FAKE_PULUMI_FAIL=<command>`` makes that command fail.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

import yaml

# Flags per command (value-taking ones map to True), as documented by Pulumi's CLI reference.
GLOBAL_FLAGS = {
    "--non-interactive": False,
    "--color": True,
    "--cwd": True,
    "-C": True,
    "--emoji": False,
    "--logtostderr": False,
    "--verbose": True,
    "-v": True,
}
STACK = {"--stack": True, "-s": True}
COMMANDS: dict[tuple[str, ...], dict[str, bool]] = {
    ("stack", "init"): {
        "--secrets-provider": True,
        "--copy-config-from": True,
        "--no-select": False,
    },
    ("config", "set"): {
        **STACK,
        "--secret": False,
        "--plaintext": False,
        "--path": False,
        "--type": True,
        "--config-file": True,
    },
    ("preview",): {**STACK, "--diff": False, "--refresh": False, "--json": False},
    ("up",): {**STACK, "--yes": False, "-y": False, "--skip-preview": False, "-f": False},
    ("refresh",): {**STACK, "--yes": False, "-y": False, "--skip-preview": False, "-f": False},
    ("destroy",): {**STACK, "--yes": False, "-y": False, "--skip-preview": False, "-f": False},
    ("stack", "output"): {**STACK, "--json": False, "-j": False, "--show-secrets": False},
    ("stack", "rm"): {
        **STACK,
        "--yes": False,
        "-y": False,
        "--force": False,
        "-f": False,
        "--preserve-config": False,
    },
}


class Usage(Exception):
    pass


def parse(argv: list[str]) -> tuple[tuple[str, ...], dict[str, str | bool], list[str]]:
    """Split ``argv`` into (command, flags, positional arguments); reject unknown flags."""
    command = next((c for c in COMMANDS if tuple(argv[: len(c)]) == c), None)
    if command is None:
        raise Usage(f"unknown command: pulumi {' '.join(argv[:2])}")
    known = {**GLOBAL_FLAGS, **COMMANDS[command]}
    flags: dict[str, str | bool] = {}
    positional: list[str] = []
    rest = argv[len(command) :]
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            positional.extend(rest)
            break
        if not arg.startswith("-"):
            positional.append(arg)
            continue
        name, _, inline = arg.partition("=")
        if name not in known:
            raise Usage(f"unknown flag: {name} for pulumi {' '.join(command)}")
        if known[name]:
            flags[name] = inline or rest.pop(0)
        else:
            flags[name] = True
    return command, flags, positional


class Backend:
    """Stacks in the ``file://`` backend directory: config and the one resource's state."""

    def __init__(self) -> None:
        url = os.environ.get("PULUMI_BACKEND_URL", "")
        if not url.startswith("file://"):
            raise Usage("this stand-in only knows file:// backends")
        if not os.environ.get("PULUMI_CONFIG_PASSPHRASE"):
            raise Usage("passphrase secrets provider: PULUMI_CONFIG_PASSPHRASE is not set")
        self.root = Path(url.removeprefix("file://"))

    def path(self, stack: str) -> Path:
        return self.root / f"{stack}.json"

    def load(self, stack: str) -> dict[str, Any]:
        path = self.path(stack)
        if not path.exists():
            raise Usage(f"no stack named '{stack}' found")
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def save(self, stack: str, data: dict[str, Any]) -> None:
        self.path(stack).write_text(json.dumps(data))


def project() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(Path("Pulumi.yaml").read_text())
    return data


def run_engine(operation: str, state: dict[str, Any], stack: str) -> list[str]:
    """Run the program (for preview/up) and make the engine's calls; update ``state``."""
    from pulumi_devrev.testing import Deployment, ProviderHost, capture_program

    settings = project()
    name = settings["name"]
    main = Path(settings.get("main", ".")).resolve()
    config = {
        key if ":" in key else f"{name}:{key}": entry["value"]
        for key, entry in state["config"].items()
    }
    lines: list[str] = []
    with ProviderHost(cwd=main, project=name) as host:
        host.configure(config)
        resource = state.get("resource") or {}
        deployment = Deployment(
            host,
            id=resource.get("id"),
            inputs=resource.get("inputs", {}),
            outputs=resource.get("outputs", {}),
        )
        if operation in ("preview", "up"):

            def program() -> None:
                runpy.run_path(str(main / "__main__.py"), run_name="__main__")

            [registration] = capture_program(
                program,
                config=config,
                project=name,
                stack=stack,
                preview=operation == "preview",
            )
            step = getattr(deployment, operation)(registration)
            secret_outputs = registration.additional_secret_outputs
        else:
            step = getattr(deployment, operation)()
            secret_outputs = resource.get("secret_outputs", [])
        lines.append(f"    {step.operation} {registration_name(settings)}")
        lines.extend(f"    {line}" for line in step.output)
        if operation != "preview":
            state["resource"] = (
                {
                    "id": deployment.id,
                    "inputs": deployment.inputs,
                    "outputs": deployment.outputs,
                    "secret_outputs": secret_outputs,
                }
                if deployment.id
                else None
            )
    return lines


def registration_name(settings: dict[str, Any]) -> str:
    return f"pulumi-python:dynamic/devrev:Webhook ({settings['name']})"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdin = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    log = os.environ.get("FAKE_PULUMI_LOG")
    if log:
        record = {
            "args": argv,
            "cwd": os.getcwd(),
            "stdin": stdin,
            "env": {k: v for k, v in os.environ.items() if k.startswith("PULUMI_")},
        }
        with open(log, "a") as handle:
            handle.write(json.dumps(record) + "\n")
    try:
        command, flags, positional = parse(argv)
        if not Path("Pulumi.yaml").exists():
            raise Usage("no Pulumi.yaml project file found in the working directory")
        if os.environ.get("FAKE_PULUMI_FAIL") == " ".join(command):
            raise Usage("simulated failure of the program")
        return dispatch(command, flags, positional, stdin)
    except Usage as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 255


def dispatch(
    command: tuple[str, ...], flags: dict[str, str | bool], positional: list[str], stdin: str | None
) -> int:
    backend = Backend()
    stack = str(flags.get("--stack") or flags.get("-s") or (positional[0] if positional else ""))
    if command == ("stack", "init"):
        backend.save(stack, {"config": {}, "resource": None})
        # The real CLI writes the stack's settings (the passphrase salt) next to Pulumi.yaml.
        Path(f"Pulumi.{stack}.yaml").write_text("encryptionsalt: v1:stand-in\n")
        print(f"Created stack '{stack}'")
        return 0
    state = backend.load(stack)
    if command == ("config", "set"):
        key = positional[0]
        if len(positional) > 1:
            value = positional[1]
        elif stdin is not None:  # not a terminal: read it all, like `pulumi config set`
            value = stdin.removesuffix("\n")
        else:
            raise Usage("config value must be specified in non-interactive mode")
        state["config"][key] = {"value": value, "secret": bool(flags.get("--secret"))}
    elif command in (("preview",), ("up",), ("refresh",), ("destroy",)):
        if command != ("preview",) and not (flags.get("--yes") or flags.get("-y")):
            raise Usage("--yes must be passed in to proceed when running in non-interactive mode")
        print("\n".join(run_engine(command[0], state, stack)))
    elif command == ("stack", "output"):
        resource = state.get("resource") or {}
        outputs = dict(resource.get("outputs", {}))
        shown = {
            "id": resource.get("id"),
            "display_id": outputs.get("display_id"),
            "status": outputs.get("status"),
            "secret": outputs.get("secret"),
        }
        if not flags.get("--show-secrets"):
            for name in resource.get("secret_outputs", []):
                if name in shown:
                    shown[name] = "[secret]"
        print(json.dumps(shown, indent=2))
    elif command == ("stack", "rm"):
        if state.get("resource") and not (flags.get("--force") or flags.get("-f")):
            raise Usage(f"'{stack}' still has resources; use --force")
        backend.path(stack).unlink()
        if not flags.get("--preserve-config"):
            Path(f"Pulumi.{stack}.yaml").unlink(missing_ok=True)
        print(f"Stack '{stack}' has been removed!")
        return 0
    backend.save(stack, state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
