"""Engine emulation: the engine's calls for ``preview``, ``up``, ``refresh`` and ``destroy``.

- :class:`Deployment` makes the calls for one resource and keeps its state (id, inputs,
  outputs) in between;
- :class:`Stack` runs a whole program folder (its ``__main__.py``, the project name from its
  ``Pulumi.yaml``) with stack config, one :class:`Deployment` per resource, and reports each
  command as a :class:`StackResult`: per-resource operations and outputs, the provider's
  messages and, against a sandbox, the DevRev calls it made.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .host import ProviderHost
from .program import PROVIDER_KEY, Registration, capture_program

if TYPE_CHECKING:
    from ..sandbox import RunningSandbox

Operation = Literal["create", "update", "same", "refresh", "deleted", "delete", "read"]


class CheckFailed(Exception):
    """``Check`` returned failures: the deployment stops before any API call, as the CLI does."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{prop}: {reason}" for prop, reason in failures))


@dataclass
class StepResult:
    """What one command did to the resource, as `pulumi` would summarize it."""

    operation: Operation
    """``create``, ``update``, ``same``, ``refresh``, ``deleted`` (gone at refresh), ``delete``,
    ``read`` (a resource read by id)."""
    changes: bool | None = None
    output: list[str] = field(default_factory=list)
    """Lines the provider printed during the command: shown by the CLI."""
    seconds: float = 0.0
    """Time spent in the provider's gRPC calls."""


@dataclass
class Deployment:
    """The engine's calls for one dynamic resource across commands, with its state in between.

    ``preview`` calls ``Check`` and (for an existing resource) ``Diff``, never ``Create`` or
    ``Update``; ``up`` goes on to ``Create`` or ``Update``; ``refresh`` calls ``Read``;
    ``destroy`` calls ``Delete`` with the outputs in state.

    Each command is one pass, as the CLI runs it with ``--skip-preview``. Checked against the
    real engine (tests/e2e): ``pulumi up --yes`` and ``pulumi refresh --yes`` without that
    flag first run a preview pass, so a plain ``pulumi refresh`` calls ``Read`` twice (two
    DevRev reads per webhook), as does ``up`` for a resource read with ``DevRevWebhook.get``;
    the provider's messages are shown on the stack's line, not the webhook's.
    """

    host: ProviderHost
    id: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    registration: Registration | None = None

    @property
    def _urn(self) -> str:
        return self.registration.urn if self.registration else ""

    def _begin(self) -> float:
        self.host.output(clear=True, wait=0)
        return time.perf_counter()

    def _end(self, operation: Operation, changes: bool | None, started: float) -> StepResult:
        seconds = time.perf_counter() - started
        return StepResult(operation, changes, self.host.output(clear=True), seconds)

    def _check(self, reg: Registration) -> dict[str, Any]:
        inputs, failures = self.host.check(self.inputs, reg.inputs, urn=reg.urn)
        if failures:
            raise CheckFailed(failures)
        return inputs

    def preview(self, reg: Registration) -> StepResult:
        started = self._begin()
        checked = self._check(reg)
        if self.id is None:
            return self._end("create", True, started)
        changes = self.host.diff(
            self.id, self.outputs, checked, old_inputs=self.inputs, urn=reg.urn
        )
        return self._end("update" if changes or changes is None else "same", changes, started)

    def up(self, reg: Registration) -> StepResult:
        started = self._begin()
        self.registration = reg
        checked = self._check(reg)
        if self.id is None:
            self.id, self.outputs = self.host.create(checked, urn=reg.urn)
            self.inputs = checked
            return self._end("create", True, started)
        changes = self.host.diff(
            self.id, self.outputs, checked, old_inputs=self.inputs, urn=reg.urn
        )
        if changes is False:
            self.inputs = checked
            return self._end("same", False, started)
        self.outputs = self.host.update(
            self.id, self.outputs, checked, old_inputs=self.inputs, urn=reg.urn
        )
        self.inputs = checked
        return self._end("update", True, started)

    def read(self, reg: Registration) -> StepResult:
        """A resource read by id (``ResourceOptions(id=...)``): ``Read``, nothing managed."""
        started = self._begin()
        self.registration = reg
        new_id, self.outputs, _ = self.host.read(
            reg.read_id, {}, {PROVIDER_KEY: reg.provider_blob}, urn=reg.urn
        )
        self.id = new_id or None
        return self._end("read", False, started)

    def refresh(self) -> StepResult:
        if self.id is None:
            return StepResult("same", False)
        started = self._begin()
        new_id, outputs, inputs = self.host.read(self.id, self.outputs, self.inputs, urn=self._urn)
        if not new_id:
            self.id, self.inputs, self.outputs = None, {}, {}
            return self._end("deleted", True, started)
        changed = {k: v for k, v in outputs.items() if self.outputs.get(k) != v}
        self.outputs = outputs
        if inputs is not None:
            self.inputs = inputs
        return self._end("refresh", bool(changed), started)

    def destroy(self) -> StepResult:
        if self.id is None:
            return StepResult("same", False)
        started = self._begin()
        self.host.delete(self.id, self.outputs, old_inputs=self.inputs, urn=self._urn)
        self.id, self.inputs, self.outputs = None, {}, {}
        return self._end("delete", True, started)

    def shown_outputs(self) -> dict[str, Any]:
        """Outputs as `pulumi stack output` shows them: secret ones masked."""
        secret = self.registration.secret_outputs(self.outputs) if self.registration else set()
        return {
            k: "[secret]" if k in secret else v
            for k, v in self.outputs.items()
            if k != PROVIDER_KEY
        }


# ---------------------------------------------------------------------------------------------
# A whole program folder


@dataclass
class ResourceResult:
    """One resource after a command."""

    name: str
    operation: Operation
    id: str | None
    outputs: dict[str, Any]
    """The outputs in state, secret values readable (``__provider`` left out)."""
    shown_outputs: dict[str, Any]
    """The same as `pulumi stack output` would show them: secret values as ``[secret]``."""
    messages: list[str]
    """What the provider printed for this resource."""
    changes: bool | None = None


@dataclass
class StackResult:
    """What one command did to the stack."""

    command: Literal["preview", "up", "refresh", "destroy"]
    resources: dict[str, ResourceResult]
    """By resource name, in the order the command handled them."""
    requests: list[dict[str, Any]]
    """The DevRev API requests the command made, from the sandbox's request log (entries as
    :meth:`~pulumi_devrev.sandbox.SandboxControl.requests` gives them); empty without a
    sandbox."""

    @property
    def calls(self) -> list[str]:
        """The DevRev operations called, in order, e.g. ``["webhooks.create"]``."""
        return [str(entry["path"]).lstrip("/") for entry in self.requests]

    @property
    def operations(self) -> dict[str, Operation]:
        """Resource name to operation, e.g. ``{"issues-to-slack": "create"}``."""
        return {name: r.operation for name, r in self.resources.items()}

    @property
    def messages(self) -> list[str]:
        """Every line the provider printed during the command."""
        return [line for r in self.resources.values() for line in r.messages]

    def __getitem__(self, name: str) -> ResourceResult:
        return self.resources[name]


class Stack:
    """A Pulumi program folder deployed through the real provider host, without the CLI.

    ``program`` is a folder with a ``Pulumi.yaml`` (its ``name`` is the project, its ``main``
    the program's folder if set) and a ``__main__.py``. ``config`` holds the stack config:
    keys without a namespace belong to the project (``receiverUrl`` is
    ``<project>:receiverUrl``); ``devrev:token`` and ``devrev:apiUrl`` default to the
    ``sandbox``'s address and ``token`` when a sandbox is given. Change ``config`` between
    commands as ``pulumi config set`` would.

    Each command runs the program (``preview`` and ``up``) under Pulumi's mocks, then makes
    the engine's calls for each resource through ``python -m pulumi.dynamic`` started in the
    program's folder and configured with the whole stack config. As with the engine,
    ``refresh`` and ``destroy`` do not run the program and use the config of the last ``up``;
    a host is started again whenever the config it must be given changes. Resources are
    handled one after the other, as ``pulumi up --skip-preview`` would; a resource removed
    from the program is deleted by the next ``up``.

    A program's values taken from another resource's outputs are the mocks' (its inputs) and
    stack exports are not evaluated: read outputs from :attr:`outputs` or a result.
    """

    def __init__(
        self,
        program: str | os.PathLike[str],
        *,
        config: Mapping[str, str] | None = None,
        sandbox: RunningSandbox | None = None,
        token: str | None = None,
        stack: str = "test",
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.folder = Path(program).resolve()
        self.project, self.program_dir = _read_project(self.folder)
        self.stack = stack
        self.config: dict[str, str] = dict(config or {})
        self.sandbox = sandbox
        self._defaults: dict[str, str] = {}
        if sandbox is not None:
            self._defaults["devrev:apiUrl"] = sandbox.url
        if token is not None:
            self._defaults["devrev:token"] = token
        self._env = dict(env or {})
        self._host: ProviderHost | None = None
        self._deployments: dict[str, Deployment] = {}
        self._last_up_config: dict[str, str] | None = None

    # -- state -------------------------------------------------------------------------------

    @property
    def resources(self) -> dict[str, Deployment]:
        """The resources in state, by name (those read by id included)."""
        return {name: d for name, d in self._deployments.items() if d.id is not None}

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        """The outputs in state, by resource name (secret values readable)."""
        return {name: _plain(d.outputs) for name, d in self.resources.items()}

    def stack_config(self) -> dict[str, str]:
        """The whole stack config as the engine passes it: keys namespaced."""
        config = dict(self._defaults)
        for key, value in self.config.items():
            config[key if ":" in key else f"{self.project}:{key}"] = value
        return config

    # -- the commands ------------------------------------------------------------------------

    def preview(self) -> StackResult:
        """``pulumi preview``: ``Check`` and ``Diff`` only, no change made."""
        config = self.stack_config()
        registrations = self._run_program(config, preview=True)
        with self._command("preview", config) as (host, results):
            for reg in registrations:
                # A preview records nothing: a new resource (or one read by id) is looked at
                # through a deployment of its own.
                known = self._deployments.get(reg.name)
                deployment = known if known is not None and not reg.read_id else Deployment(host)
                deployment.host = host
                step = deployment.read(reg) if reg.read_id else deployment.preview(reg)
                results[reg.name] = self._result(reg.name, step, deployment)
            for name in self._removed(registrations):
                results[name] = self._result(name, StepResult("delete", True), None)
        return results.finish()

    def up(self) -> StackResult:
        """``pulumi up --skip-preview``: create, update or delete until state matches."""
        config = self.stack_config()
        registrations = self._run_program(config, preview=False)
        with self._command("up", config) as (host, results):
            for reg in registrations:
                deployment = self._deployments.setdefault(reg.name, Deployment(host))
                deployment.host = host
                step = deployment.read(reg) if reg.read_id else deployment.up(reg)
                results[reg.name] = self._result(reg.name, step, deployment)
            for name in reversed(self._removed(registrations)):
                results[name] = self._result(name, self._drop(name, host), None)
            self._last_up_config = config
        return results.finish()

    def refresh(self) -> StackResult:
        """``pulumi refresh --skip-preview``: ``Read`` every resource, record what holds now."""
        with self._command("refresh", self._recorded_config()) as (host, results):
            for name, deployment in list(self._deployments.items()):
                deployment.host = host
                step = deployment.refresh()
                results[name] = self._result(name, step, deployment)
                if deployment.id is None:
                    del self._deployments[name]
        return results.finish()

    def destroy(self) -> StackResult:
        """``pulumi destroy --skip-preview``: ``Delete`` every managed resource, newest first."""
        with self._command("destroy", self._recorded_config()) as (host, results):
            for name in reversed(list(self._deployments)):
                results[name] = self._result(name, self._drop(name, host), None)
        return results.finish()

    def close(self) -> None:
        """Stop the provider host (state is kept: a later command starts a new one)."""
        if self._host is not None:
            self._host.close()
            self._host = None

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers -----------------------------------------------------------------------------

    def _recorded_config(self) -> dict[str, str]:
        return self._last_up_config if self._last_up_config is not None else self.stack_config()

    def _drop(self, name: str, host: ProviderHost) -> StepResult:
        """Take a resource out of state: ``Delete`` it, unless it was only read by id."""
        deployment = self._deployments.pop(name)
        deployment.host = host
        if deployment.registration is not None and deployment.registration.read_id:
            return StepResult("delete", True)  # forgotten only: it was never managed
        return deployment.destroy()

    def _removed(self, registrations: list[Registration]) -> list[str]:
        wanted = {reg.name for reg in registrations}
        return [name for name in self._deployments if name not in wanted]

    def _run_program(self, config: Mapping[str, str], *, preview: bool) -> list[Registration]:
        main = self.program_dir / "__main__.py"

        def program() -> None:
            runpy.run_path(str(main), run_name="__main__")

        with _in_folder(self.program_dir):
            return capture_program(
                program, config=config, preview=preview, project=self.project, stack=self.stack
            )

    def _provider_host(self, config: dict[str, str]) -> ProviderHost:
        if self._host is not None and self._host.configured != config:
            self.close()
        if self._host is None:
            host = ProviderHost(cwd=self.program_dir, env=self._env, project=self.project)
            try:
                host.configure(config)
            except BaseException:
                host.close()
                raise
            self._host = host
        return self._host

    @contextlib.contextmanager
    def _command(
        self, command: Literal["preview", "up", "refresh", "destroy"], config: dict[str, str]
    ) -> Iterator[tuple[ProviderHost, _Collector]]:
        control = self.sandbox.control if self.sandbox is not None else None
        seen = max((int(e["seq"]) for e in control.requests()), default=0) if control else 0
        results = _Collector(command, control, seen)
        yield self._provider_host(config), results

    def _result(self, name: str, step: StepResult, deployment: Deployment | None) -> ResourceResult:
        if deployment is None:
            return ResourceResult(name, step.operation, None, {}, {}, step.output, step.changes)
        return ResourceResult(
            name,
            step.operation,
            deployment.id,
            _plain(deployment.outputs),
            deployment.shown_outputs(),
            step.output,
            step.changes,
        )


class _Collector(dict[str, ResourceResult]):
    def __init__(self, command: Any, control: Any, seen: int) -> None:
        super().__init__()
        self.command, self.control, self.seen = command, control, seen

    def finish(self) -> StackResult:
        requests = (
            [e for e in self.control.requests() if int(e["seq"]) > self.seen]
            if self.control is not None
            else []
        )
        return StackResult(self.command, dict(self), requests)


def _plain(outputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outputs.items() if k != PROVIDER_KEY}


def _read_project(folder: Path) -> tuple[str, Path]:
    """The project name and the program's folder, from ``folder/Pulumi.yaml``."""
    import yaml  # type: ignore[import-untyped]

    path = folder / "Pulumi.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"{folder} has no Pulumi.yaml: give the folder of a Pulumi project")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str) or not name:
        raise ValueError(f"{path} names no project (`name:`)")
    main = data.get("main")
    program_dir = (folder / main).resolve() if isinstance(main, str) and main else folder
    if not (program_dir / "__main__.py").is_file():
        raise FileNotFoundError(f"{program_dir} has no __main__.py to run")
    return name, program_dir


@contextlib.contextmanager
def _in_folder(folder: Path) -> Iterator[None]:
    """Run in ``folder`` with it first on ``sys.path``, as Pulumi's language host does."""
    previous = Path.cwd()
    sys.path.insert(0, str(folder))
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(folder))
