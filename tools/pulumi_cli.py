"""Where the Pulumi CLI is: ``pulumi`` on PATH first, else the build ``make pulumi-cli`` left
in its cache folder (tools/pulumi-cli/build.sh, which pins the version in
tools/pulumi-cli/VERSION). Used by ``make demo`` and the real-engine tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

TOOLS = Path(__file__).resolve().parent


def pinned_version(tool: str) -> str:
    """The version pinned in ``tools/<tool>/VERSION`` (the one place that pins it)."""
    return (TOOLS / tool / "VERSION").read_text().strip()


def cache_folder(name: str, version: str) -> Path:
    """``${XDG_CACHE_HOME:-~/.cache}/pulumi-devrev/<name>-<version>``: where the tools the
    project builds from the Go module proxy (this CLI, actionlint) are installed."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pulumi-devrev" / f"{name}-{version}"


def find_tool(executable: str, cached_dir: Path) -> Path | None:
    """``executable`` on PATH, else in ``cached_dir``; None when there is neither."""
    on_path = shutil.which(executable)
    if on_path:
        return Path(on_path)
    cached = cached_dir / executable
    return cached if os.access(cached, os.X_OK) else None


CLI_VERSION = pinned_version("pulumi-cli")


def cached_cli_dir() -> Path:
    """The folder ``make pulumi-cli`` installs into: the CLI and the plugins beside it."""
    return cache_folder("pulumi", CLI_VERSION) / "bin"


def find_cli() -> Path | None:
    """``pulumi`` on PATH, else the cached build; None when there is neither."""
    return find_tool("pulumi", cached_cli_dir())


def path_with_cli(cli: Path, path: str) -> str:
    """``path`` with the CLI's folder first: the engine and its language host find their
    plugins (pulumi-language-python, pulumi-resource-pulumi-python, ...) beside it."""
    return os.pathsep.join([str(cli.parent), path]) if path else str(cli.parent)


def offline_env(
    cli: Path, workdir: Path, passphrase: str, base: Mapping[str, str]
) -> dict[str, str]:
    """``base`` with what every run of the CLI here needs: the plugins beside the CLI first on
    PATH, a local file backend and a private ``PULUMI_HOME`` in ``workdir`` (nothing touches
    Pulumi Cloud, the user's stacks or ~/.pulumi), a passphrase for secrets, no update check
    and no plugin downloads (everything needed ships beside the CLI)."""
    state, home = workdir / "state", workdir / "home"
    state.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    return {
        **base,
        "PATH": path_with_cli(cli, base.get("PATH", "")),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_HOME": str(home),
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
