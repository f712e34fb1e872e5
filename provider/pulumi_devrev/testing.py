"""Drive ``DevRevWebhook`` through Pulumi's real dynamic-provider host, without the CLI.

``pulumi up`` runs a dynamic resource's provider in ``python -m pulumi.dynamic``, a gRPC server
the engine starts and calls (``Configure``, ``Check``, ``Diff``, ``Create``...). This module
starts that same host and calls it the way the engine does, so tests and the no-CLI demo take
the exact code path of a real deployment:

- :func:`capture_program` runs a Pulumi program under ``pulumi.runtime.set_mocks`` and returns
  what the SDK would send the engine for each resource (inputs, ``__provider``, options);
- :class:`ProviderHost` is the host process and its gRPC stub;
- :class:`Deployment` mimics the engine's calls for ``preview``, ``up``, ``refresh`` and
  ``destroy`` of one resource, keeping its state (id, inputs, outputs) in between.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

__all__ = [
    "CheckFailed",
    "Deployment",
    "ProviderError",
    "ProviderHost",
    "Registration",
    "StepResult",
    "capture_program",
]

UNKNOWN = rpc.UNKNOWN
PROVIDER_KEY = "__provider"


class ProviderError(Exception):
    """A provider method raised; ``message`` is the exception's own line, as users see it."""

    def __init__(self, method: str, details: str) -> None:
        self.method = method
        self.details = details
        lines = [ln for ln in details.strip().splitlines() if ln.strip()] or [""]
        # The engine shows the first line. pulumi-devrev's own errors put theirs there
        # ("module.Class: message", see provider.for_the_engine); anything else arrives as a
        # traceback, whose last line is that. Hosts before 3.2xx let gRPC report
        # "Exception calling application: message".
        line = lines[0]
        if line.startswith("Traceback (most recent call last):"):
            line = lines[-1]
        line = line.removeprefix("Exception calling application: ")
        head, sep, rest = line.partition(": ")
        self.message = rest if sep and "." in head and " " not in head else line
        super().__init__(f"{method}: {self.message}")


class CheckFailed(Exception):
    """``Check`` returned failures: the deployment stops before any API call, as the CLI does."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{prop}: {reason}" for prop, reason in failures))


# ---------------------------------------------------------------------------------------------
# Capturing what a program registers


@dataclass
class Registration:
    """One resource as the SDK registers it with the engine."""

    type: str
    name: str
    inputs: dict[str, Any]
    """Plain values (the engine strips secret markers before calling a provider); values not
    known during preview are ``pulumi.output.Unknown``."""
    secret_inputs: set[str] = field(default_factory=set)
    additional_secret_outputs: list[str] = field(default_factory=list)
    read_id: str = ""
    """Set for a resource read with ``ResourceOptions(id=...)`` (e.g. ``DevRevWebhook.get``):
    the engine calls ``Read`` for it instead of creating anything."""

    @property
    def provider_blob(self) -> str:
        return str(self.inputs[PROVIDER_KEY])

    @property
    def urn(self) -> str:
        return f"urn:pulumi:stack::project::{self.type}::{self.name}"

    def secret_outputs(self, outputs: Mapping[str, Any]) -> set[str]:
        """Output keys the engine stores encrypted: named as secret, or secret as inputs."""
        return {
            k for k in outputs if k in self.additional_secret_outputs or k in self.secret_inputs
        }


def capture_program(
    program: Callable[[], None],
    *,
    config: Mapping[str, str] | None = None,
    preview: bool = False,
    project: str = "project",
    stack: str = "stack",
) -> list[Registration]:
    """Run ``program`` under Pulumi's mocks and return every custom resource it registered
    or read.

    It runs in a thread of its own so Pulumi's context variables (root stack, config) start
    fresh each time. ``config`` uses namespaced keys (``project:key``).
    """
    from pulumi.runtime import Mocks, set_mocks
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

    registrations: list[Registration] = []
    errors: list[BaseException] = []

    class _Mocks(Mocks):
        def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
            return (f"{args.name}-id", dict(args.inputs))

        def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
            return ({}, None)

    class _Monitor(MockMonitor):
        def RegisterResource(self, request: Any) -> Any:
            if request.custom:
                raw = rpc.deserialize_properties(request.object, keep_unknowns=True)
                secret = {k for k, v in raw.items() if rpc.is_rpc_secret(v)}
                registrations.append(
                    Registration(
                        type=request.type,
                        name=request.name,
                        inputs=_unwrap_secrets(raw),
                        secret_inputs=secret,
                        additional_secret_outputs=list(request.additionalSecretOutputs),
                    )
                )
            return super().RegisterResource(request)  # type: ignore[no-untyped-call]

        def ReadResource(self, request: Any) -> Any:
            raw = rpc.deserialize_properties(request.properties, keep_unknowns=True)
            registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    inputs=_unwrap_secrets(raw),
                    secret_inputs={k for k, v in raw.items() if rpc.is_rpc_secret(v)},
                    additional_secret_outputs=list(request.additionalSecretOutputs),
                    read_id=request.id,
                )
            )
            return super().ReadResource(request)  # type: ignore[no-untyped-call]

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            mocks = _Mocks()
            set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=_Monitor(mocks))
            set_all_config(dict(config or {}))
            program()
            from pulumi.runtime.stack import wait_for_rpcs

            loop.run_until_complete(wait_for_rpcs())
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)
        finally:
            loop.close()

    worker = threading.Thread(target=run, name="pulumi-program")
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return registrations


def _unwrap_secrets(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return _unwrap_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# The provider host


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Properties as the engine sends them: plain JSON values, unknowns as the sentinel."""
    from pulumi.output import Unknown

    def plain(value: Any) -> Any:
        if isinstance(value, Unknown):
            return UNKNOWN
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items() if v is not None}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    struct = struct_pb2.Struct()
    struct.update({k: plain(v) for k, v in props.items() if v is not None})
    return struct


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


class ProviderHost:
    """``python -m pulumi.dynamic`` as the engine starts it, and a stub to call it.

    The environment is inherited without ``DEVREV_*`` variables (pass them in ``env`` to test
    environment-based settings), so a test sees only the settings it gives.
    """

    def __init__(
        self,
        *,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        project: str = "project",
        timeout: float = 120.0,
    ) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("DEVREV_")}
        environ.update(env or {})
        environ["PULUMI_PROJECT"] = project
        self.timeout = timeout
        self._lines: list[str] = []
        self._lock = threading.Lock()
        # Unbuffered pipes read with os.read, so output() can tell when everything the host
        # wrote has been collected (see _drain).
        self._process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:1"],
            cwd=cwd,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        port_line = _read_line(self._process.stdout.fileno())
        if not port_line.isdigit():
            self._process.kill()
            raise RuntimeError(f"the provider host did not start: {port_line!r}")
        self.port = int(port_line)
        self._fds = [self._process.stdout.fileno(), self._process.stderr.fileno()]
        self._waiting = dict.fromkeys(self._fds, False)
        for fd in self._fds:
            threading.Thread(target=self._drain, args=(fd,), daemon=True).start()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self._channel).result(timeout=30)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def _drain(self, fd: int) -> None:
        pending = b""
        while True:
            with self._lock:
                # Set only once everything read so far is in _lines: "waiting with an empty
                # pipe" then means every byte the host wrote has been collected.
                self._waiting[fd] = True
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            with self._lock:
                self._waiting[fd] = False
                if not data:
                    if pending:
                        self._lines.append(pending.decode(errors="replace"))
                    self._waiting[fd] = True  # at end of file: nothing more will come
                    return
                *complete, pending = (pending + data).split(b"\n")
                self._lines.extend(line.decode(errors="replace") for line in complete)

    def _collected(self) -> bool:
        with self._lock:
            return all(self._waiting[fd] and _unread_bytes(fd) == 0 for fd in self._fds)

    def output(self, *, clear: bool = False, wait: float = 2.0) -> list[str]:
        """Lines the host printed since start (or the last ``clear``): what the CLI shows.

        The host writes before it answers a call, so once the pipes are drained the lines of
        every call made so far are here; ``wait`` bounds how long draining may take.
        """
        deadline = time.monotonic() + wait
        while not self._collected() and time.monotonic() < deadline:
            time.sleep(0.002)
        with self._lock:
            lines = list(self._lines)
            if clear:
                self._lines.clear()
        return lines

    def close(self) -> None:
        self._channel.close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> ProviderHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    # -- the engine's calls -----------------------------------------------------------------

    def _rpc(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=self.timeout)
        except grpc.RpcError as err:
            details = err.details() if hasattr(err, "details") else str(err)
            raise ProviderError(method, details or str(err)) from None

    def configure(self, config: Mapping[str, str]) -> None:
        """The engine's first call: the whole stack config, keys namespaced (``devrev:token``)."""
        self._rpc(
            "Configure",
            provider_pb2.ConfigureRequest(
                variables=dict(config), args=to_struct(config), acceptSecrets=True
            ),
        )

    def check(
        self, olds: Mapping[str, Any], news: Mapping[str, Any], *, urn: str = ""
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        resp = self._rpc(
            "Check", provider_pb2.CheckRequest(urn=urn, olds=to_struct(olds), news=to_struct(news))
        )
        return from_struct(resp.inputs), [(f.property, f.reason) for f in resp.failures]

    def diff(
        self,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        *,
        old_inputs: Mapping[str, Any] | None = None,
        urn: str = "",
    ) -> bool | None:
        """``True`` for changes, ``False`` for none, ``None`` when the provider cannot tell."""
        resp = self._rpc(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_,
                urn=urn,
                olds=to_struct(olds),
                news=to_struct(news),
                old_inputs=to_struct(old_inputs or {}),
            ),
        )
        if list(resp.replaces):
            raise AssertionError(f"diff asked to replace {list(resp.replaces)}")
        return {
            provider_pb2.DiffResponse.DIFF_SOME: True,
            provider_pb2.DiffResponse.DIFF_NONE: False,
        }.get(resp.changes)

    def create(self, props: Mapping[str, Any], *, urn: str = "") -> tuple[str, dict[str, Any]]:
        resp = self._rpc("Create", provider_pb2.CreateRequest(urn=urn, properties=to_struct(props)))
        return resp.id, from_struct(resp.properties)

    def read(
        self,
        id_: str,
        props: Mapping[str, Any],
        inputs: Mapping[str, Any] | None = None,
        *,
        urn: str = "",
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        resp = self._rpc(
            "Read",
            provider_pb2.ReadRequest(
                id=id_, urn=urn, properties=to_struct(props), inputs=to_struct(inputs or {})
            ),
        )
        new_inputs = from_struct(resp.inputs) if resp.HasField("inputs") else None
        return resp.id, from_struct(resp.properties), new_inputs

    def update(
        self,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        *,
        old_inputs: Mapping[str, Any] | None = None,
        urn: str = "",
    ) -> dict[str, Any]:
        resp = self._rpc(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_,
                urn=urn,
                olds=to_struct(olds),
                news=to_struct(news),
                old_inputs=to_struct(old_inputs or {}),
            ),
        )
        return from_struct(resp.properties)

    def delete(
        self,
        id_: str,
        props: Mapping[str, Any],
        *,
        old_inputs: Mapping[str, Any] | None = None,
        urn: str = "",
    ) -> None:
        self._rpc(
            "Delete",
            provider_pb2.DeleteRequest(
                id=id_,
                urn=urn,
                properties=to_struct(props),
                old_inputs=to_struct(old_inputs or {}),
            ),
        )


def _read_line(fd: int) -> str:
    """One line from an unbuffered pipe, byte by byte so nothing after it is consumed."""
    data = bytearray()
    while not data.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            break
        data += byte
    return data.decode(errors="replace").strip()


def _unread_bytes(fd: int) -> int:
    """Bytes waiting in a pipe (Linux/macOS FIONREAD); 0 where that cannot be asked."""
    try:
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0
    return int(struct.unpack("i", raw)[0])


# ---------------------------------------------------------------------------------------------
# The engine's sequence of calls for one resource


@dataclass
class StepResult:
    """What one command did to the resource, as `pulumi` would summarize it."""

    operation: str
    """``create``, ``update``, ``same``, ``refresh``, ``deleted`` (gone at refresh), ``delete``."""
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

    def _begin(self) -> float:
        self.host.output(clear=True, wait=0)
        return time.perf_counter()

    def _end(self, operation: str, changes: bool | None, started: float) -> StepResult:
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

    def refresh(self) -> StepResult:
        if self.id is None:
            return StepResult("same", False)
        started = self._begin()
        new_id, outputs, inputs = self.host.read(self.id, self.outputs, self.inputs)
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
        self.host.delete(self.id, self.outputs, old_inputs=self.inputs)
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
