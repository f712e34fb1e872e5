"""Where the suite and `make demo` find the Pulumi CLI, and what a missing one does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tools.pulumi_cli import CLI_VERSION, cached_cli_dir, find_cli

from tests.e2e.cli import require_cli


def fake_cli(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    cli = directory / "pulumi"
    cli.write_text("#!/bin/sh\n")
    cli.chmod(0o755)
    return cli


def test_pulumi_on_path_comes_first_then_the_cached_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_cli() is None

    cached = fake_cli(cached_cli_dir())
    assert cached.parent == tmp_path / "cache" / "pulumi-devrev" / f"pulumi-{CLI_VERSION}" / "bin"
    assert find_cli() == cached

    on_path = fake_cli(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{on_path.parent}{os.pathsep}{tmp_path / 'empty'}")
    assert find_cli() == on_path


def test_a_missing_cli_skips_locally_and_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make pulumi-cli"):
        require_cli()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="make pulumi-cli"):
        require_cli()
