"""The quickstart's webhook endpoint: ``pulumi_devrev.receiver.create_app`` served by uvicorn.

    DEVREV_WEBHOOK_SECRET='<the webhook secret>' python examples/quickstart/receiver.py --port 0

The first line on stdout is the receiver's base URL (``--port 0`` picks a free port). It
receives DevRev deliveries at two paths, so the quickstart can show a URL change:

- ``/webhooks/devrev``: the URL the quickstart starts with;
- ``/webhooks/devrev-next``: the URL to switch to (``pulumi config set receiverUrl ...``).

Every delivery is checked against the webhook secret(s) before anything else; DevRev's
``verify`` challenge is answered by the library. Each verified event is logged as one line
(type and id, never the payload, a signature or a secret).

Secrets, from the environment, never from the command line (other users can read it):

- ``DEVREV_WEBHOOK_SECRET``: the secret the webhook signs with;
- ``DEVREV_WEBHOOK_SECRETS_FILE``: optionally, a file of accepted secrets, one per line, read
  again whenever it changes. During a rotation list both the old and the new secret, so that
  no delivery is refused while DevRev switches (see examples/secret-rotation).

It listens on 127.0.0.1 only. For a real deployment, serve the same app behind TLS with any
ASGI server, e.g. ``uvicorn --factory receiver:build_app`` from this folder.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from pathlib import Path

import uvicorn

from pulumi_devrev.receiver import ReceiverApp, WebhookEvent, create_app

PATHS = ("/webhooks/devrev", "/webhooks/devrev-next")
SECRET_ENV = "DEVREV_WEBHOOK_SECRET"
SECRETS_FILE_ENV = "DEVREV_WEBHOOK_SECRETS_FILE"

log = logging.getLogger("quickstart.receiver")


class ConfigurationError(Exception):
    """The receiver cannot start: the message says what to set."""


class SecretsFile:
    """The accepted secrets, re-read from a file whenever it changes.

    ``create_app`` calls this once per delivery, so a rotation needs no restart: add the new
    secret to the file before ``pulumi up``, remove the old one once its deliveries have
    drained. The file is read again only when its modification time or size changes.
    """

    def __init__(self, path: Path, extra: Sequence[str] = ()) -> None:
        self._path = path
        self._extra = list(extra)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._secrets: list[str] = []
        self()  # fail at startup, not on the first delivery

    def __call__(self) -> list[str]:
        stat = self._path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                lines = self._path.read_text(encoding="utf-8").splitlines()
                # Only line endings are stripped: spaces may be part of a secret.
                self._secrets = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
                self._stamp = stamp
            secrets = self._secrets + self._extra
        if not secrets:
            raise ConfigurationError(f"{self._path} lists no secret")
        return secrets


def secrets_from_environment(environ: MutableMapping[str, str]) -> list[str] | SecretsFile:
    """The secrets source ``create_app`` gets: a fixed list, or a file re-read on change."""
    secret = environ.get(SECRET_ENV, "").rstrip("\r\n")
    extra = [secret] if secret else []
    path = environ.get(SECRETS_FILE_ENV, "")
    if path:
        try:
            return SecretsFile(Path(path), extra)
        except OSError as exc:
            raise ConfigurationError(f"cannot read {SECRETS_FILE_ENV} ({path}): {exc}") from None
    if not extra:
        raise ConfigurationError(
            f"set {SECRET_ENV} to the webhook secret (for a stack: "
            "`pulumi stack output --show-secrets secret`), or "
            f"{SECRETS_FILE_ENV} to a file of secrets, one per line"
        )
    return extra


class Deduplicator:
    """Remembers recent event ids: DevRev retries deliveries, so one may arrive twice."""

    def __init__(self, size: int = 1000) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


def event_handler() -> Callable[[WebhookEvent], Awaitable[None]]:
    """What the quickstart does with a verified event: log it once. Put your work here.

    DevRev waits 3 seconds for the answer and retries after a failure, so real handlers
    should hand slow work to a queue and be idempotent (keyed on ``event.id``).
    """
    dedupe = Deduplicator()

    async def on_event(event: WebhookEvent) -> None:
        if not dedupe.first_time(event.id):
            log.info("%s event %s was delivered before: not processed again", event.type, event.id)

    return on_event


def build_app(environ: MutableMapping[str, str] | None = None) -> ReceiverApp:
    """The receiver as an ASGI app (``uvicorn --factory receiver:build_app``)."""
    secrets = secrets_from_environment(os.environ if environ is None else environ)
    return create_app(secrets, event_handler(), path=PATHS)


class _Server(uvicorn.Server):
    # uvicorn re-raises SIGINT/SIGTERM after shutting down (the exit status says "killed");
    # main() installs its own handlers instead so a stop request ends with status 0.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve(server: _Server, sock: socket.socket) -> None:
    loop = asyncio.get_running_loop()

    def request_exit() -> None:
        # A second signal skips waiting for open connections.
        server.force_exit = server.should_exit
        server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, request_exit)
    await server.serve(sockets=[sock])


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("receiver: %(message)s"))
    for name in ("pulumi_devrev.receiver", log.name):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="The quickstart's DevRev webhook receiver. Prints its base URL first."
    )
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (8080)")
    args = parser.parse_args(argv)
    try:
        app = build_app()
    except ConfigurationError as exc:
        print(f"receiver: error: {exc}", file=sys.stderr, flush=True)
        return 2

    _configure_logging()
    # Loopback only: the sandbox (and a local tunnel, if you add one) reach it from here.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", args.port))
    except OSError as exc:
        print(f"receiver: error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 2
    # Listening before the URL is announced: a client that connects at once is queued, not
    # refused, while uvicorn starts.
    sock.listen(128)
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    print(base_url, flush=True)
    print(f"receiver: accepting DevRev deliveries at {base_url}{PATHS[0]} and {PATHS[1]}")
    sys.stdout.flush()

    config = uvicorn.Config(
        app,
        lifespan="on",
        log_config=None,
        log_level="warning",
        # Access logs would print query strings, which may carry credentials.
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=3,
    )
    try:
        asyncio.run(_serve(_Server(config), sock))
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
