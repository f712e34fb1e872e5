"""Running the sandbox on uvicorn: in a background thread for tests, or in the CLI.

The listening socket is bound here, before uvicorn starts, so that port 0 yields a known
port and the base URL can be announced before the first request.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import uvicorn

from .app import Sandbox, create_sandbox_app
from .control import SandboxControl
from .options import SandboxOptions

_STARTUP_TIMEOUT = 15.0


class QuietServer(uvicorn.Server):
    """A uvicorn server that installs no signal handlers.

    In a background thread signals belong to the host program (pytest, a tool); in the CLI
    the entry point installs its own so a SIGTERM ends the process cleanly with status 0
    instead of being re-raised after shutdown.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0 picks a free port)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    if not infos:
        raise OSError(f"cannot resolve {host}")
    # Prefer IPv4 when a name resolves to both, as most clients try it first.
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """``http://host:port`` for a bound socket; wildcard binds are announced as loopback."""
    host, port = sock.getsockname()[:2]
    if host == "0.0.0.0":
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def make_server(sandbox: Sandbox, *, log_level: str = "warning") -> QuietServer:
    """A uvicorn server for ``sandbox`` that leaves logging configuration to the caller."""
    config = uvicorn.Config(
        create_sandbox_app(sandbox),
        # h11 explicitly: dropping connections relies on its request cycle holding the
        # transport (see faults.TransportCapture); httptools would be picked if installed.
        http="h11",
        loop="asyncio",
        lifespan="on",
        log_config=None,
        log_level=log_level,
        access_log=False,
        # A stand-in for DevRev should not announce "uvicorn".
        server_header=False,
        timeout_graceful_shutdown=3,
    )
    return QuietServer(config)


class RunningSandbox:
    """A sandbox serving in a background thread; use as a context manager or call stop()."""

    def __init__(
        self, sandbox: Sandbox, server: QuietServer, sock: socket.socket, thread: threading.Thread
    ) -> None:
        self.sandbox = sandbox
        self._server = server
        self._socket = sock
        self._thread = thread
        #: Base URL, e.g. ``http://127.0.0.1:41234``.
        self.url = base_url(sock)
        #: Port the sandbox listens on.
        self.port: int = sock.getsockname()[1]
        #: Client for the ``/_sandbox/`` test controls.
        self.control = SandboxControl(self.url)

    def __repr__(self) -> str:
        return f"<RunningSandbox {self.url}>"

    def stop(self) -> None:
        """Shut the server down and wait for its thread (idempotent)."""
        self._server.should_exit = True
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=10)
        self.control.close()
        self._socket.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(
    token: str,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    state_file: str | os.PathLike[str] | None = None,
    **options: Any,
) -> RunningSandbox:
    """Start a sandbox in a background thread and return once it accepts connections.

    ``options`` are :class:`~pulumi_devrev.sandbox.options.SandboxOptions` fields
    (``activate_mode``, ``challenge_location``, ``verify_attempts``, ``verify_retry_delay``,
    ``delivery_timeout``, ``rate_limit``, ``rate_window``, ``allow_remote_delivery``,
    ``max_body_bytes``);
    ``state_file`` persists webhooks across runs.
    """
    sandbox = Sandbox(token, SandboxOptions().with_changes(**options), state_file=state_file)
    server = make_server(sandbox)
    sock = bind_socket(host, port)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="devrev-sandbox", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.005)
    running = RunningSandbox(sandbox, server, sock, thread)
    running.control.health()
    return running
