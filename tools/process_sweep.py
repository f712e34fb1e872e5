"""Processes found by a marker in their environment, and the sweep that kills them.

A run sets ``NAME=<random value>`` in its environment; every process it starts inherits it,
however it was started (the Pulumi CLI, its language host and plugins, the provider host), so
what a run leaves behind, after an interrupt say, is found by that marker and nothing else.
Linux only (``/proc/PID/environ``, readable for one's own processes); elsewhere nothing is
found. Used by ``make demo`` (tools/demo.py, which imports it from its own folder) and by the
e2e tests' runs of the demo (tests/e2e/helpers.py, as ``tools.process_sweep``).
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def marked_processes(name: str, value: str) -> dict[int, dict[str, str]]:
    """Live processes whose environment carries ``name=value``, with that environment."""
    needle = f"{name}={value}".encode()
    found: dict[int, dict[str, str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            raw = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours
        if needle in raw and entry.name.isdigit():
            pairs = (item.decode(errors="replace").partition("=") for item in raw if item)
            found[int(entry.name)] = {key: item for key, _, item in pairs}
    return found


def sweep(name: str, value: str) -> list[int]:
    """SIGKILL every process but this one whose environment carries ``name=value``; their ids."""
    killed: list[int] = []
    for pid in marked_processes(name, value):
        if pid != os.getpid():
            with contextlib.suppress(OSError):  # gone meanwhile
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
    return killed
