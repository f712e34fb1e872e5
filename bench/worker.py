"""One timed measurement in a fresh interpreter, for bench/perf.py; prints seconds.

    python bench/worker.py import MODULE          # time of `import MODULE` alone
    python bench/worker.py mocks KIND COUNT       # COUNT resources under Pulumi's mocks

KIND: ``devrev`` (DevRevWebhook), ``custom14`` (CustomResource registering the same 14
properties: 9 inputs, 4 output-only keys, ``__provider``), ``custom5`` (5 properties).
Only the standard library is imported before the clock starts.
"""

from __future__ import annotations

import importlib
import sys
import time
from typing import Any

URL = "https://hooks.example.com/devrev"
KEYS = (
    "url",
    "event_types",
    "secret",
    "active",
    "headers",
    "wait_for_active",
    "verification_timeout",
    "on_verification_timeout",
    "adopt_id",
    "display_id",
    "status",
    "created_date",
    "modified_date",
    "__provider",
)


def time_import(module: str) -> float:
    started = time.perf_counter()
    importlib.import_module(module)
    return time.perf_counter() - started


def time_mocks(kind: str, count: int) -> float:
    """Declare ``count`` resources and wait until the mocks registered every one."""
    import asyncio

    import pulumi
    from pulumi.runtime import Mocks, set_mocks
    from pulumi.runtime.stack import wait_for_rpcs

    registered: list[str] = []

    class _Mocks(Mocks):
        def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
            registered.append(args.name)
            return (f"{args.name}-id", dict(args.inputs))

        def call(self, args: Any) -> tuple[dict[str, Any], None]:
            return ({}, None)

    class Plain(pulumi.CustomResource):
        def __init__(self, name: str, props: dict[str, Any]) -> None:
            super().__init__("bench:index:Plain", name, props)

    if kind == "devrev":
        from pulumi_devrev import DevRevWebhook

        def declare(i: int) -> None:
            DevRevWebhook(
                f"r{i}", url=URL, event_types=["work_created"], secret=f"bench-secret-{i}"
            )
    elif kind in ("custom14", "custom5"):
        keys = KEYS if kind == "custom14" else KEYS[:5]

        def declare(i: int) -> None:
            props: dict[str, Any] = dict.fromkeys(keys)
            props.update(url=URL, event_types=["work_created"], secret=f"bench-secret-{i}")
            Plain(f"r{i}", props)
    else:
        raise SystemExit(f"unknown kind {kind}")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    set_mocks(_Mocks(), preview=False)
    started = time.perf_counter()
    for i in range(count):
        declare(i)
    loop.run_until_complete(wait_for_rpcs())
    elapsed = time.perf_counter() - started
    if len(registered) != count:
        raise SystemExit(f"{len(registered)} of {count} resources registered")
    return elapsed


def main() -> None:
    what, *args = sys.argv[1:]
    if what == "import":
        print(time_import(args[0]))
    elif what == "mocks":
        print(time_mocks(args[0], int(args[1])))
    else:
        raise SystemExit(f"unknown measurement {what}")


if __name__ == "__main__":
    main()
