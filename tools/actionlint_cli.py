"""Where actionlint is: ``actionlint`` on PATH first, else the build ``make actionlint`` left in
its cache folder (tools/actionlint/install.sh, which pins the version in
tools/actionlint/VERSION). Used by the test that lints examples/ci/github-actions.yml."""

from __future__ import annotations

from pathlib import Path

from tools.pulumi_cli import cache_folder, find_tool, pinned_version

ACTIONLINT_VERSION = pinned_version("actionlint")


def cached_actionlint_dir() -> Path:
    """The folder ``make actionlint`` installs into."""
    return cache_folder("actionlint", ACTIONLINT_VERSION)


def find_actionlint() -> Path | None:
    """``actionlint`` on PATH, else the cached build; None when there is neither."""
    return find_tool("actionlint", cached_actionlint_dir())
