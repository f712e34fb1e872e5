"""The Pulumi project files: what `pulumi` reads before it runs anything.

The CLI is not needed to check them, and a mistake here (a wrong `main`, a virtual
environment the engine cannot find) would only show on a user's machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.helpers import QUICKSTART, ROOT

VENV = (ROOT / ".venv").resolve()
EXAMPLES = sorted(path.parent for path in (ROOT / "examples").glob("*/Pulumi.yaml"))


def project(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((directory / "Pulumi.yaml").read_text())
    return data


def test_the_root_project_runs_the_quickstart_on_the_repository_venv() -> None:
    root = project(ROOT)

    assert root["runtime"]["name"] == "python"
    main = (ROOT / root["main"]).resolve()
    assert main == QUICKSTART and (main / "__main__.py").is_file()
    virtualenv = root["runtime"]["options"]["virtualenv"]
    assert not Path(virtualenv).is_absolute()
    # The language host resolves it from the project root; the dynamic provider's launcher
    # from the program directory (pulumi/pulumi#7061). Both must reach the same environment.
    assert (ROOT / virtualenv).resolve() == VENV
    assert (main / virtualenv).resolve() == VENV
    assert (QUICKSTART / ".venv").is_symlink()


def test_the_quickstart_folder_is_the_same_project() -> None:
    assert project(QUICKSTART)["name"] == project(ROOT)["name"]
    assert "main" not in project(QUICKSTART)


@pytest.mark.parametrize("directory", EXAMPLES, ids=lambda path: path.name)
def test_every_example_is_a_runnable_python_project(directory: Path) -> None:
    settings = project(directory)

    assert settings["runtime"]["name"] == "python"
    options = settings["runtime"]["options"]
    assert options["toolchain"] == "pip"
    assert (directory / options["virtualenv"]).resolve() == VENV
    assert (directory / "__main__.py").is_file()
    assert (directory / "README.md").is_file()


def test_examples_have_distinct_project_names_except_the_quickstart_pair() -> None:
    names = [project(directory)["name"] for directory in EXAMPLES]

    assert len(names) == len(set(names)) == 3
    assert {"secret-rotation", "adopt-existing", "quickstart"} == {d.name for d in EXAMPLES}
