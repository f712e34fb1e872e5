"""Where the suite and `make demo` find the tools built from Go modules (the Pulumi CLI,
actionlint), and what a missing one does."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tools.actionlint_cli import ACTIONLINT_VERSION, cached_actionlint_dir, find_actionlint
from tools.pulumi_cli import CLI_VERSION, cached_cli_dir, find_cli

from tests.e2e.cli import require_cli
from tests.e2e.test_ci_examples import require_actionlint

TOOLS = [
    pytest.param(
        "pulumi", find_cli, cached_cli_dir, require_cli, "make pulumi-cli",
        Path("pulumi-devrev") / f"pulumi-{CLI_VERSION}" / "bin", id="pulumi",
    ),
    pytest.param(
        "actionlint", find_actionlint, cached_actionlint_dir, require_actionlint,
        "make actionlint", Path("pulumi-devrev") / f"actionlint-{ACTIONLINT_VERSION}",
        id="actionlint",
    ),
]  # fmt: skip


def fake_executable(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    return tool


@pytest.mark.parametrize(("name", "find", "cached_dir", "require", "make", "folder"), TOOLS)
def test_the_tool_on_path_comes_first_then_the_cached_build(
    name: str,
    find: Callable[[], Path | None],
    cached_dir: Callable[[], Path],
    require: Callable[[], Path],
    make: str,
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find() is None

    cached = fake_executable(cached_dir(), name)
    assert cached.parent == tmp_path / "cache" / folder
    assert find() == cached

    on_path = fake_executable(tmp_path / "bin", name)
    monkeypatch.setenv("PATH", f"{on_path.parent}{os.pathsep}{tmp_path / 'empty'}")
    assert find() == on_path


@pytest.mark.parametrize(("name", "find", "cached_dir", "require", "make", "folder"), TOOLS)
def test_a_missing_tool_skips_locally_and_fails_under_ci(
    name: str,
    find: Callable[[], Path | None],
    cached_dir: Callable[[], Path],
    require: Callable[[], Path],
    make: str,
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=make):
        require()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=make):
        require()
