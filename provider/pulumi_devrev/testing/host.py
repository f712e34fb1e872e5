"""The provider host: ``python -m pulumi.dynamic`` as the engine starts it, and its calls.

``pulumi up`` runs a dynamic resource's provider in ``python -m pulumi.dynamic``, a gRPC server
the engine starts and calls (``Configure``, ``Check``, ``Diff``, ``Create``...).
:class:`ProviderHost` starts that same process and offers one method per call, taking and
returning plain property dicts.
"""

from __future__ import annotations

import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

UNKNOWN = rpc.UNKNOWN


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


class HostAlreadyConfigured(RuntimeError):
    """:meth:`ProviderHost.configure` was called twice on one host."""

    def __init__(self) -> None:
        super().__init__(
            "this provider host is configured already: the provider keeps the config of the "
            "first Configure for the life of the process (the engine starts a new host for every "
            "command); start a new ProviderHost for other config"
        )


class ProviderHost:
    """``python -m pulumi.dynamic`` as the engine starts it, and a stub to call it.

    The host runs in ``cwd`` (the engine uses the program's folder) with this process's
    environment plus ``env``, and ``PULUMI_PROJECT`` set to ``project``. Call
    :meth:`configure` first, once: the host configures the provider on its first resource
    call and keeps that for the life of the process, as under ``pulumi up`` (which starts a
    new host for every command). For other config, start another host.
    """

    def __init__(
        self,
        *,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        project: str = "project",
        timeout: float = 120.0,
    ) -> None:
        environ = {**os.environ, **(env or {}), "PULUMI_PROJECT": project}
        self.timeout = timeout
        self.configured: dict[str, str] | None = None
        """The config given to :meth:`configure`, once it was called."""
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
        self._ended: set[int] = set()
        for fd in self._fds:
            threading.Thread(target=self._drain, args=(fd,), daemon=True).start()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self._channel).result(timeout=30)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def _drain(self, fd: int) -> None:
        pending = b""
        while True:
            if _POSIX:
                # Wait without consuming, then read and keep under one lock: a byte leaves the
                # pipe only together with its line being kept, so "nothing unread" seen under
                # the lock means everything the host wrote is in _lines.
                select.select([fd], [], [])
                self._lock.acquire()
                data = _read(fd)
            else:
                data = _read(fd)
                self._lock.acquire()
            try:
                if not data:
                    if pending:
                        self._lines.append(pending.decode(errors="replace"))
                    self._ended.add(fd)  # at end of file: nothing more will come
                    return
                *complete, pending = (pending + data).split(b"\n")
                self._lines.extend(line.decode(errors="replace") for line in complete)
            finally:
                self._lock.release()

    def _collected(self) -> bool:
        with self._lock:
            return all(fd in self._ended or _unread_bytes(fd) == 0 for fd in self._fds)

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
        """The engine's first call: the whole stack config, keys namespaced (``devrev:token``).

        Raises :class:`HostAlreadyConfigured` when called a second time: the provider would
        go on with the first config (a changed token would not be used).
        """
        if self.configured is not None:
            raise HostAlreadyConfigured()
        self.configured = dict(config)
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


_POSIX = os.name == "posix"


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


def _unread_bytes(fd: int) -> int:
    """Bytes waiting in a pipe (POSIX FIONREAD); 0 where that cannot be asked."""
    try:
        import fcntl
        import termios
    except ImportError:  # not POSIX: draining still works, output() just waits less surely
        return 0
    try:
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0
    return int(struct.unpack("i", raw)[0])
