"""Benchmarks: DevRev API calls per Pulumi operation, and time per operation.

Runs the provider in the SDK's real provider host (gRPC, as `pulumi up` does) against the local
sandbox, counting calls from the sandbox's request log. Usage:

    make bench            # or: .venv/bin/python bench/run.py [--rounds N]

Prints a Markdown report; bench/README.md holds the last recorded figures.
"""

from __future__ import annotations

import argparse
import platform
import secrets
import socket
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import echo_receiver, serve_asgi

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.client import DevRevClient
from pulumi_devrev.models import CreateWebhookRequest
from pulumi_devrev.sandbox import start_sandbox
from pulumi_devrev.testing import Deployment, ProviderHost, Registration, capture_program


def program(**props: Any) -> Registration:
    [reg] = capture_program(lambda: DevRevWebhook("bench", **props))
    return reg


def closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    token = secrets.token_urlsafe(16)
    receiver = serve_asgi(echo_receiver)
    with start_sandbox(token, verify_attempts=3, verify_retry_delay=0.2) as sandbox:
        control = sandbox.control
        with ProviderHost() as host:
            host.configure({"devrev:token": token, "devrev:apiUrl": sandbox.url})
            base = {
                "url": closed_url(),
                "event_types": ["work_created"],
                "secret": "bench-secret-1",
                "headers": {"X-Team": "ops"},
            }
            scenarios: list[tuple[str, Callable[[Deployment], Any], Callable[[], Registration]]] = [
                ("create", lambda d: None, lambda: program(**base)),
                (
                    "create, active=False",
                    lambda d: None,
                    lambda: program(**{**base, "active": False}),
                ),
                (
                    "preview / up with no change",
                    lambda d: d.up(program(**base)),
                    lambda: program(**base),
                ),
                (
                    "up, event types reordered",
                    lambda d: d.up(
                        program(**{**base, "event_types": ["work_updated", "work_created"]})
                    ),
                    lambda: program(
                        **{**base, "event_types": ["work_created", "work_updated", "work_created"]}
                    ),
                ),
                (
                    "up, url changed",
                    lambda d: d.up(program(**base)),
                    lambda: program(**{**base, "url": closed_url()}),
                ),
                (
                    "up, url + secret + events + headers + active changed",
                    lambda d: d.up(program(**base)),
                    lambda: program(
                        url=closed_url(),
                        event_types=["part_created"],
                        secret="bench-secret-2",
                        headers={},
                        active=False,
                    ),
                ),
                ("refresh", lambda d: d.up(program(**base)), lambda: program(**base)),
                ("destroy", lambda d: d.up(program(**base)), lambda: program(**base)),
            ]
            rows = []
            for name, setup, make in scenarios:
                durations, calls = [], []
                for _ in range(rounds):
                    control.reset()
                    deployment = Deployment(host)
                    setup(deployment)
                    reg = make()
                    control.clear_requests()
                    if name == "refresh":
                        step = deployment.refresh()
                    elif name == "destroy":
                        step = deployment.destroy()
                    else:
                        step = deployment.up(reg)
                    durations.append(step.seconds)
                    calls.append(len(control.requests()))
                rows.append((name, _one(calls), statistics.median(durations) * 1000))

            # Adoption: an existing webhook, read and reconciled.
            for label, events in (
                ("adopt, already matching", ["work_created"]),
                ("adopt, event types differ", ["work_updated"]),
            ):
                durations, calls = [], []
                for _ in range(rounds):
                    control.reset()
                    with DevRevClient(token, sandbox.url) as client:
                        existing = client.create_webhook(
                            CreateWebhookRequest(url=base["url"], event_types=["work_created"])
                        )
                    control.clear_requests()
                    reg = program(url=base["url"], event_types=events, adopt_id=existing.id)
                    durations.append(Deployment(host).up(reg).seconds)
                    calls.append(len(control.requests()))
                rows.append((label, _one(calls), statistics.median(durations) * 1000))

            # Verification wait against a correct endpoint: how many polls it costs.
            durations, calls = [], []
            for _ in range(max(3, rounds // 4)):
                control.reset()
                reg = program(url=receiver.url, secret="bench-secret-1", wait_for_active=True)
                durations.append(Deployment(host).up(reg).seconds)
                calls.append(len(control.requests()))
            rows.append(
                (
                    "create with wait_for_active (endpoint answers)",
                    _one(calls),
                    statistics.median(durations) * 1000,
                )
            )

            # One 429 with Retry-After: 1 during a create.
            durations, calls = [], []
            for _ in range(3):
                control.reset()
                control.inject("/webhooks.create", status=429, retry_after=1, count=1)
                reg = program(**base)
                durations.append(Deployment(host).up(reg).seconds)
                calls.append(len(control.requests()))
            rows.append(
                (
                    "create through one 429 (Retry-After: 1)",
                    _one(calls),
                    statistics.median(durations) * 1000,
                )
            )
    receiver.stop()

    print(
        f"Python {platform.python_version()}, {platform.machine()}, {rounds} rounds; median "
        "time of the engine's gRPC calls (Check, Diff, Create/Update/Read/Delete) to the "
        "provider host, against the sandbox on loopback.\n"
    )
    print("| operation | DevRev API calls | median ms |")
    print("|---|---:|---:|")
    for name, calls_text, ms in rows:
        print(f"| {name} | {calls_text} | {ms:.1f} |")


def _one(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


if __name__ == "__main__":
    main()
