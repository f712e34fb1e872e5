"""The sandbox's ``sandbox`` extra: say what to install when it is missing.

``pip install pulumi-devrev`` installs the provider and the receiver; the sandbox's server
dependencies come with ``pip install 'pulumi-devrev[sandbox]'``. Standard library only: the
package's names and its command use it before they import what needs the extra.
"""

from __future__ import annotations

import importlib.util
import sys

EXTRA_MODULES = ("starlette", "uvicorn", "jsonschema")
INSTALL = "pip install 'pulumi-devrev[sandbox]'"
COMMAND = "devrev-sandbox"


def missing_modules() -> list[str]:
    """The extra's top-level modules that cannot be imported."""
    return [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]


def message() -> str:
    absent = missing_modules()
    return (
        f"the sandbox needs the 'sandbox' extra, which is not installed "
        f"(missing: {', '.join(absent)}): {INSTALL}"
    )


def not_installed() -> ModuleNotFoundError:
    """What importing the sandbox as a library raises without the extra: one line."""
    return ModuleNotFoundError(message(), name=missing_modules()[0])


def exit_unless_installed() -> None:
    """For the command (``devrev-sandbox``, ``python -m pulumi_devrev.sandbox``): without the
    extra, say what to install in one line on stderr and exit with status 2, no traceback."""
    if missing_modules():
        print(f"{COMMAND}: error: {message()}", file=sys.stderr, flush=True)
        raise SystemExit(2)
