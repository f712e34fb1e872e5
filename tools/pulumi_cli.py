"""Where the Pulumi CLI is: ``pulumi`` on PATH first, else the build ``make pulumi-cli`` left
in its cache folder (tools/pulumi-cli/build.sh, which pins the version in
tools/pulumi-cli/VERSION). Used by ``make demo`` and the real-engine tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

VERSION_FILE = Path(__file__).resolve().parent / "pulumi-cli" / "VERSION"
CLI_VERSION = VERSION_FILE.read_text().strip()


def cached_cli_dir() -> Path:
    """The folder ``make pulumi-cli`` installs into: the CLI and the plugins beside it."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pulumi-devrev" / f"pulumi-{CLI_VERSION}" / "bin"


def find_cli() -> Path | None:
    """``pulumi`` on PATH, else the cached build; None when there is neither."""
    on_path = shutil.which("pulumi")
    if on_path:
        return Path(on_path)
    cached = cached_cli_dir() / "pulumi"
    return cached if os.access(cached, os.X_OK) else None


def path_with_cli(cli: Path, path: str | None = None) -> str:
    """PATH with the CLI's folder first: the engine and its language host find their plugins
    (pulumi-language-python, pulumi-resource-pulumi-python, ...) beside it."""
    rest = os.environ.get("PATH", "") if path is None else path
    return os.pathsep.join([str(cli.parent), rest]) if rest else str(cli.parent)
