"""Where actionlint is: ``actionlint`` on PATH first, else the build ``make actionlint`` left in
its cache folder (tools/actionlint/install.sh, which pins the version in
tools/actionlint/VERSION). Used by the test that lints examples/ci/github-actions.yml."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

VERSION_FILE = Path(__file__).resolve().parent / "actionlint" / "VERSION"
ACTIONLINT_VERSION = VERSION_FILE.read_text().strip()


def cached_actionlint_dir() -> Path:
    """The folder ``make actionlint`` installs into."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pulumi-devrev" / f"actionlint-{ACTIONLINT_VERSION}"


def find_actionlint() -> Path | None:
    """``actionlint`` on PATH, else the cached build; None when there is neither."""
    on_path = shutil.which("actionlint")
    if on_path:
        return Path(on_path)
    cached = cached_actionlint_dir() / "actionlint"
    return cached if os.access(cached, os.X_OK) else None
