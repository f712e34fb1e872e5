"""The package as users install it: sdist and wheel built from this checkout, checked, and the
wheel installed (not editable) into a fresh venv that runs the sandbox, a program's lifecycle
through Pulumi's provider host, and the receiver.

Built once per test session (shared by xdist workers through a lock); the fresh venvs are
made with uv, offline from its cache when it can, with the dependency versions of the venv
running the suite.
"""

from __future__ import annotations

import email
import email.policy
import fcntl
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).with_name("scenario.py")
VERSION = importlib.metadata.version("pulumi-devrev")
TOKEN = "packaging-test-token-5e1c"
INSTALL_HINT = "pip install 'pulumi-devrev[sandbox]'"
# What a build reads: copied out of the checkout so a build never writes into it.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "setup.cfg", "provider")


@dataclass
class Artifacts:
    wheel: Path
    sdist: Path
    bare: Path
    """The python of a fresh venv with the wheel alone (no extras)."""
    full: Path
    """The python of a fresh venv with the wheel and its ``sandbox`` extra."""


def _uv() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())


def _run(*args: str | os.PathLike[str]) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"{args[:3]} failed ({result.returncode}):\n{result.stderr[-3000:]}")


def _fresh_venv(path: Path, requirement: str, constraints: Path) -> Path:
    """``path`` as a new venv with ``requirement`` installed; its python."""
    _run(_uv(), "venv", "--quiet", "--python", sys.executable, path)
    python = path / "bin" / "python"
    install = [_uv(), "pip", "install", "--quiet", "--python", python]
    install += ["--constraint", constraints, requirement]
    try:
        _run(*install, "--offline")  # everything in uv's cache already: no network
    except AssertionError:
        _run(*install)
    return python


def _build(root: Path) -> Artifacts:
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name,
                src / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist"),
            )
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    dist = root / "dist"
    # The sdist first, then the wheel from the unpacked sdist: the sdist must be complete.
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, src)
    [wheel] = dist.glob("*.whl")
    [sdist] = dist.glob("*.tar.gz")
    # Same dependency versions as the venv running the suite.
    constraints = root / "constraints.txt"
    constraints.write_text(
        "".join(
            f"{d.metadata['Name']}=={d.version}\n"
            for d in importlib.metadata.distributions()
            if d.metadata["Name"]
            and re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() != "pulumi-devrev"
        )
    )
    bare = _fresh_venv(root / "venv-bare", str(wheel), constraints)
    full = _fresh_venv(
        root / "venv-full", f"pulumi-devrev[sandbox] @ {wheel.as_uri()}", constraints
    )
    return Artifacts(wheel, sdist, bare, full)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Artifacts:
    base = tmp_path_factory.getbasetemp()
    root = (base if worker_id == "master" else base.parent) / "packaging"
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = root / "artifacts.json"
        if marker.exists():
            return Artifacts(**{k: Path(v) for k, v in json.loads(marker.read_text()).items()})
        built = _build(root)
        marker.write_text(json.dumps({k: str(v) for k, v in vars(built).items()}))
        return built


def _environ() -> dict[str, str]:
    """The environment without anything that could point a fresh venv back at the checkout.

    Bytecode is written (into the throwaway venv): the host and the program then import
    pulumi once compiled instead of compiling it each.
    """
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DEVREV_", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


# -- contents and metadata --------------------------------------------------------------------


def test_wheel_ships_the_data_files_license_and_typing_marker(artifacts: Artifacts) -> None:
    names = set(zipfile.ZipFile(artifacts.wheel).namelist())
    for name in (
        "pulumi_devrev/py.typed",
        "pulumi_devrev/pulumi-plugin.json",
        "pulumi_devrev/sandbox/devrev-openapi-webhooks.json",
        f"pulumi_devrev-{VERSION}.dist-info/licenses/LICENSE",
    ):
        assert name in names
    assert not [n for n in names if n.startswith(("tests/", "provider/"))]
    plugin = json.loads(zipfile.ZipFile(artifacts.wheel).read("pulumi_devrev/pulumi-plugin.json"))
    assert plugin["resource"] is False


def test_sdist_ships_the_license_and_builds_the_wheel(artifacts: Artifacts) -> None:
    with tarfile.open(artifacts.sdist) as sdist:
        names = {n.split("/", 1)[-1] for n in sdist.getnames()}
    assert {"LICENSE", "README.md", "pyproject.toml"} <= names
    assert "provider/pulumi_devrev/sandbox/devrev-openapi-webhooks.json" in names
    license_text = zipfile.ZipFile(artifacts.wheel).read(
        f"pulumi_devrev-{VERSION}.dist-info/licenses/LICENSE"
    )
    assert b"Apache License\n                           Version 2.0, January 2004" in license_text
    assert b"Copyright 2026 the pulumi-devrev authors" in license_text


def _metadata(wheel: Path) -> Message:
    raw = zipfile.ZipFile(wheel).read(f"pulumi_devrev-{VERSION}.dist-info/METADATA")
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def test_metadata_names_the_license_python_and_extras(artifacts: Artifacts) -> None:
    meta = _metadata(artifacts.wheel)
    assert meta["Name"] == "pulumi-devrev"
    assert meta["Version"] == VERSION
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Requires-Python"] == ">=3.11"
    assert set(meta.get_all("Provides-Extra") or []) >= {"sandbox", "dev"}
    requires = meta.get_all("Requires-Dist") or []
    assert any(r.startswith("starlette") and 'extra == "sandbox"' in r for r in requires)
    assert not any(r.startswith("starlette") and "extra" not in r for r in requires)
    assert meta["Description-Content-Type"] == "text/markdown"
    # twine's own checks of both files: the metadata PyPI accepts, a README that renders.
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", artifacts.wheel, artifacts.sdist],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- without the sandbox extra ----------------------------------------------------------------


@pytest.mark.parametrize("command", [["devrev-sandbox"], ["python", "-m", "pulumi_devrev.sandbox"]])
def test_sandbox_without_its_extra_says_what_to_install(
    artifacts: Artifacts, command: list[str], tmp_path: Path
) -> None:
    bin_dir = artifacts.bare.parent
    result = subprocess.run(
        [str(bin_dir / command[0]), *command[1:], "--port", "0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**_environ(), "DEVREV_TOKEN": TOKEN},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("devrev-sandbox: error: ")
    assert line.endswith(INSTALL_HINT)
    assert "starlette" in line


def test_the_provider_and_receiver_need_no_extra(artifacts: Artifacts, tmp_path: Path) -> None:
    code = (
        "import pulumi_devrev, pulumi_devrev.receiver\n"
        "import pulumi_devrev.sandbox\n"
        "try:\n    from pulumi_devrev.sandbox import start_sandbox\n"
        "except ModuleNotFoundError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [artifacts.bare, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_environ(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(INSTALL_HINT)


# -- with it: the sandbox command, a lifecycle, the receiver ----------------------------------


@pytest.fixture
def sandbox_url(artifacts: Artifacts, tmp_path: Path) -> Iterator[str]:
    """``devrev-sandbox --port 0`` from the fresh venv; its first line is its URL."""
    process = subprocess.Popen(
        [artifacts.full.parent / "devrev-sandbox", "--port", "0"],
        cwd=tmp_path,
        env={**_environ(), "DEVREV_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    try:
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert TOKEN not in stderr


def test_installed_wheel_runs_a_lifecycle_against_its_sandbox_and_receiver(
    artifacts: Artifacts, sandbox_url: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [artifacts.full, SCENARIO, sandbox_url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**_environ(), "DEVREV_TOKEN": TOKEN},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert TOKEN not in result.stdout + result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    # The installed package, not the checkout.
    assert Path(report["package"]).is_relative_to(artifacts.full.parents[1])

    assert report["create"]["operation"] == "create"
    [create] = report["create"]["calls"]
    assert create["path"] == "/webhooks.create"
    assert create["body"]["event_types"] == ["work_created"]
    # The receiver answered the sandbox's signed verify challenge, then took a signed event.
    assert report["handshake"] == "active"
    assert report["delivery"]["delivered"] is True
    assert report["received"] == [{"type": "work_created", "webhook_id": report["id"]}]

    assert report["update"]["operation"] == "update"
    [update] = report["update"]["calls"]
    assert update["path"] == "/webhooks.update"
    assert update["body"]["id"] == report["id"]
    assert update["body"]["event_types"] == {"set": ["work_created", "work_updated"]}
    assert report["update"]["event_types"] == ["work_created", "work_updated"]

    assert report["destroy"]["operation"] == "delete"
    assert [c["path"] for c in report["destroy"]["calls"]] == ["/webhooks.delete"]
    assert report["webhooks_left"] == 0
