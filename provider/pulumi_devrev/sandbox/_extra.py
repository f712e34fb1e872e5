"""The sandbox's ``sandbox`` extra: say what to install when it is missing.

``pip install pulumi-devrev`` installs the provider and the receiver; the sandbox's server
dependencies come with ``pip install 'pulumi-devrev[sandbox]'``. Standard library only: the
package imports it first, and it checks on import.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys

EXTRA_MODULES = ("starlette", "uvicorn", "jsonschema")
INSTALL = "pip install 'pulumi-devrev[sandbox]'"
COMMAND = "devrev-sandbox"


def missing_modules() -> list[str]:
    """The extra's top-level modules that cannot be imported."""
    return [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]


def _run_as_command() -> bool:
    """Whether this process is ``devrev-sandbox`` or ``python -m pulumi_devrev.sandbox``."""
    if os.path.basename(sys.argv[0]) in (COMMAND, f"{COMMAND}.exe"):
        return True
    # While python -m locates its module (importing the parent packages) sys.argv[0] is "-m".
    if sys.argv[0] != "-m":
        return False
    args = list(getattr(sys, "orig_argv", []))
    targets = {a[2:] for a in args if a.startswith("-m") and len(a) > 2}
    targets.update(b for a, b in itertools.pairwise(args) if a == "-m")
    return any(t == __package__ or t.startswith(f"{__package__}.") for t in targets)


def require() -> None:
    """Return when the extra is installed; otherwise fail in one line naming what to install.

    Run as the command, that line goes to stderr and the process exits with status 2 (no
    traceback); imported as a library, it is a ``ModuleNotFoundError`` with the same line.
    """
    absent = missing_modules()
    if not absent:
        return
    message = (
        f"the sandbox needs the 'sandbox' extra, which is not installed "
        f"(missing: {', '.join(absent)}): {INSTALL}"
    )
    if _run_as_command():
        print(f"{COMMAND}: error: {message}", file=sys.stderr, flush=True)
        raise SystemExit(2)
    raise ModuleNotFoundError(message, name=absent[0])


require()
