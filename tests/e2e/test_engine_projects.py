"""What the real engine does with the project layout the quickstart uses: `main:` in a
Pulumi.yaml one folder up, and a relative `virtualenv`."""

from __future__ import annotations

import shutil
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.cli import Stack, offline_env
from tests.e2e.conftest import PROGRAMS
from tests.support import TOKEN


def test_the_dynamic_provider_resolves_virtualenv_from_the_main_folder(
    cli: Path, tmp_path: Path, sandbox: Any, control: Any
) -> None:
    """pulumi/pulumi#7061, still so in the pinned engine: the program resolves `virtualenv`
    from the Pulumi.yaml folder, the dynamic provider from the `main` folder. This is why
    examples/quickstart/.venv links to ../../.venv; when this test fails, the engine has
    fixed it and that link can go."""
    root = tmp_path / "project"
    program = root / "program"
    program.mkdir(parents=True)
    shutil.copyfile(PROGRAMS / "webhooks.py", program / "__main__.py")
    (root / "venv").symlink_to(sys.prefix)
    (root / "Pulumi.yaml").write_text(
        textwrap.dedent(
            """\
            name: layout
            main: program/
            runtime:
              name: python
              options:
                toolchain: pip
                virtualenv: venv
            """
        )
    )
    stack = Stack(cli, root, f"s{uuid.uuid4().hex[:8]}", offline_env(cli, tmp_path))
    stack.init()
    stack.config("devrev:apiUrl", sandbox.url)
    stack.config("devrev:token", TOKEN, secret=True)
    stack.config_json("webhooks", {"hook": {"url": "http://127.0.0.1:9/hook"}})

    without = stack.preview(check=False)
    assert without.returncode != 0
    assert f'"{program / "venv"}" doesn\'t exist' in without.output, without.output

    (program / "venv").symlink_to(sys.prefix)
    assert "+ 2 to create" in stack.preview().stdout
