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
from pulumi_devrev.testing import (
    Deployment,
    ProviderHost,
    Registration,
    StepResult,
    capture_program,
)


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
            base: dict[str, Any] = {
                "url": closed_url(),
                "event_types": ["work_created"],
                "secret": "bench-secret-1",
                "headers": {"X-Team": "ops"},
            }

            def deployed(props: dict[str, Any]) -> Deployment:
                deployment = Deployment(host)
                deployment.up(program(**props))
                return deployment

            def up(before: dict[str, Any] | None, after: dict[str, Any]) -> Callable[[], Any]:
                def run() -> StepResult:
                    deployment = deployed(before) if before else Deployment(host)
                    reg = program(**after)
                    control.clear_requests()
                    return deployment.up(reg)

                return run

            def refresh() -> StepResult:
                deployment = deployed(base)
                control.clear_requests()
                return deployment.refresh()

            def destroy() -> StepResult:
                deployment = deployed(base)
                control.clear_requests()
                return deployment.destroy()

            def adopt(events: list[str]) -> Callable[[], StepResult]:
                def run() -> StepResult:
                    with DevRevClient(token, sandbox.url) as client:
                        existing = client.create_webhook(
                            CreateWebhookRequest(url=base["url"], event_types=["work_created"])
                        )
                    reg = program(url=base["url"], event_types=events, adopt_id=existing.id)
                    control.clear_requests()
                    return Deployment(host).up(reg)

                return run

            def through_429() -> StepResult:
                control.inject("/webhooks.create", status=429, retry_after=1, count=1)
                return Deployment(host).up(program(**base))

            reordered = {**base, "event_types": ["work_updated", "work_created"]}
            everything = {
                "url": closed_url(),
                "event_types": ["part_created"],
                "secret": "bench-secret-2",
                "headers": {},
                "active": False,
            }
            waiting = {"url": receiver.url, "secret": "bench-secret-1", "wait_for_active": True}
            scenarios: list[tuple[str, int, Callable[[], StepResult]]] = [
                ("create", rounds, up(None, base)),
                ("create, active=False", rounds, up(None, {**base, "active": False})),
                ("preview / up with no change", rounds, up(base, base)),
                (
                    "up, event types reordered",
                    rounds,
                    up(reordered, {**base, "event_types": ["work_created", "work_updated"] * 2}),
                ),
                ("up, url changed", rounds, up(base, {**base, "url": closed_url()})),
                (
                    "up, url + secret + events + headers + active changed",
                    rounds,
                    up(base, everything),
                ),
                ("refresh", rounds, refresh),
                ("destroy", rounds, destroy),
                ("adopt, already matching", rounds, adopt(["work_created"])),
                ("adopt, event types differ", rounds, adopt(["work_updated"])),
                (
                    "create with wait_for_active (endpoint answers)",
                    max(3, rounds // 4),
                    up(None, waiting),
                ),
                ("create through one 429 (Retry-After: 1)", 3, through_429),
            ]
            rows = []
            for name, count, run in scenarios:
                durations, calls = [], []
                for _ in range(count):
                    control.reset()
                    durations.append(run().seconds)
                    calls.append(len(control.requests()))
                rows.append((name, _one(calls), statistics.median(durations) * 1000))
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
