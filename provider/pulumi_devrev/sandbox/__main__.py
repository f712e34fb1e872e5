"""``devrev-sandbox`` / ``python -m pulumi_devrev.sandbox``: a local DevRev webhooks API.

The first line on stdout is the base URL; logs go to stderr and never contain the token
or a webhook secret.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence

from . import _extra

# The command says what to install when the `sandbox` extra is missing, before importing it.
_extra.exit_unless_installed()

from .app import Sandbox  # noqa: E402
from .options import ACTIVATE_MODES, CHALLENGE_LOCATIONS, SandboxOptions  # noqa: E402
from .server import QuietServer, base_url, bind_socket, make_server  # noqa: E402
from .store import StateFileError  # noqa: E402

PROG = "devrev-sandbox"


def _parser() -> argparse.ArgumentParser:
    defaults = SandboxOptions()
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A local stand-in for DevRev's webhooks API, with test controls under "
        "/_sandbox/. Prints its base URL as the first line on stdout.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks a free one (8000)"
    )
    parser.add_argument(
        "--token",
        metavar="TOKEN",
        help="the API token clients must send (default: $DEVREV_TOKEN); prefer the "
        "environment variable, command lines are visible to other users",
    )
    parser.add_argument(
        "--state", metavar="FILE", help="keep webhooks in FILE (mode 0600) across restarts"
    )
    parser.add_argument(
        "--activate-mode",
        choices=ACTIVATE_MODES,
        default=defaults.activate_mode,
        help="what 'activate' does to an inactive webhook: verify again, or become active "
        "directly (DevRev has not said which; default %(default)s)",
    )
    parser.add_argument(
        "--challenge-location",
        choices=CHALLENGE_LOCATIONS,
        default=defaults.challenge_location,
        help="where the verify event carries its challenge: both at verify.challenge (the "
        "spec) and top-level (DevRev's example receiver), or only one of them "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--verify-attempts",
        metavar="N",
        type=int,
        default=defaults.verify_attempts,
        help="handshake deliveries per verification (%(default)s)",
    )
    parser.add_argument(
        "--verify-retry-delay",
        metavar="SECONDS",
        type=float,
        default=defaults.verify_retry_delay,
        help="seconds between handshake attempts (%(default)s)",
    )
    parser.add_argument(
        "--delivery-timeout",
        metavar="SECONDS",
        type=float,
        default=defaults.delivery_timeout,
        help="seconds an endpoint has to answer a delivery (%(default)s, DevRev's rule)",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N",
        type=int,
        default=0,
        help="requests per window per token; 0 turns rate limiting off (default)",
    )
    parser.add_argument(
        "--rate-window",
        metavar="SECONDS",
        type=float,
        default=defaults.rate_window,
        help="rate-limit window in seconds (%(default)s)",
    )
    parser.add_argument(
        "--allow-remote-delivery",
        action="store_true",
        help="also deliver to non-loopback hosts (off: only 127.0.0.0/8, ::1, localhost)",
    )
    parser.add_argument(
        "--max-body-bytes",
        metavar="BYTES",
        type=int,
        default=defaults.max_body_bytes,
        help="largest request body accepted (%(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="stderr log level (%(default)s)",
    )
    return parser


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
    return 2


async def _serve(server: QuietServer, sock: socket.socket) -> None:
    loop = asyncio.get_running_loop()

    def request_exit() -> None:
        # A second signal while shutting down skips waiting for open connections.
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, request_exit)
    await server.serve(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox until SIGINT/SIGTERM; the exit status (0 after a clean stop)."""
    args = _parser().parse_args(argv)
    token = args.token or os.environ.get("DEVREV_TOKEN", "")
    if not token:
        return _fail("no token: pass --token TOKEN or set DEVREV_TOKEN")
    try:
        options = SandboxOptions(
            activate_mode=args.activate_mode,
            challenge_location=args.challenge_location,
            verify_attempts=args.verify_attempts,
            verify_retry_delay=args.verify_retry_delay,
            delivery_timeout=args.delivery_timeout,
            rate_limit=args.rate_limit or None,
            rate_window=args.rate_window,
            allow_remote_delivery=args.allow_remote_delivery,
            max_body_bytes=args.max_body_bytes,
        )
        sandbox = Sandbox(token, options, state_file=args.state)
    except (ValueError, StateFileError) as exc:
        return _fail(str(exc))

    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    server = make_server(sandbox, log_level=args.log_level)
    url = base_url(sock)
    print(url, flush=True)
    logging.getLogger("pulumi_devrev.sandbox").info(
        "DevRev sandbox serving at %s (test controls under %s/_sandbox/)", url, url
    )
    try:
        asyncio.run(_serve(server, sock))
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
