"""The stated public API: ``pulumi_devrev.__all__`` is its one table, every listed name imports,
and README's "Public API" table names what the modules export."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pulumi_devrev

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(pulumi_devrev.__file__)
# README names every public name of these modules; of the others, a part (the rest internal).
WHOLE = {"pulumi_devrev", "pulumi_devrev.receiver", "pulumi_devrev.testing"}


def readme_table() -> dict[str, set[str]]:
    """Module to the names README's "Public API" table gives for it."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Public API", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w.]+)` \| (.+) \|$", section, flags=re.MULTILINE)
    return {
        module: {name for name in re.findall(r"`([\w-]+)`", names) if not name.startswith("pulumi")}
        - {"devrev-sandbox"}
        for module, names in rows
    }


def type_checking_imports() -> dict[str, str]:
    """Name to module, from the ``if TYPE_CHECKING:`` imports of ``pulumi_devrev/__init__.py``."""
    tree = ast.parse(PACKAGE.read_text(encoding="utf-8"))
    [block] = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    found: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.level == 1, ast.unparse(node)
        for alias in node.names:
            # `X as X`: re-exported for type checkers under --strict (no implicit re-export)
            assert alias.asname == alias.name, ast.unparse(node)
            found[alias.name] = str(node.module)
    return found


def test_all_is_the_table_and_type_checkers_see_the_same_names() -> None:
    table = pulumi_devrev._WHERE

    assert pulumi_devrev.__all__ == sorted(table)
    assert type_checking_imports() == table


def test_every_error_class_is_exported() -> None:
    from pulumi_devrev import errors

    classes = {
        getattr(errors, name)
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), errors.DevRevError)
    }
    exported = {getattr(pulumi_devrev, name) for name in pulumi_devrev.__all__}

    assert classes <= exported
    assert {c for c in exported if isinstance(c, type) and issubclass(c, Exception)} >= {
        errors.RequestTooLargeError,
        errors.CreateOutcomeUnknown,
    }


@pytest.mark.parametrize("name", sorted(pulumi_devrev._WHERE))
def test_every_listed_name_imports_from_the_module_the_table_gives(name: str) -> None:
    module = importlib.import_module(f"pulumi_devrev.{pulumi_devrev._WHERE[name]}")

    assert getattr(pulumi_devrev, name) is getattr(module, name)
    assert name in dir(pulumi_devrev)


def test_a_star_import_gives_exactly_the_listed_names() -> None:
    # In a fresh interpreter: nothing imported beforehand.
    code = (
        "import json\nnames = set(globals())\nfrom pulumi_devrev import *\n"
        "print(json.dumps(sorted(set(globals()) - names - {'names'})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )

    assert done.stdout.strip() == str(sorted(pulumi_devrev._WHERE)).replace("'", '"')


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = pulumi_devrev.Nope  # type: ignore[attr-defined]


def test_readme_names_the_public_api_of_each_module() -> None:
    table = readme_table()

    assert set(table) == {
        "pulumi_devrev",
        "pulumi_devrev.receiver",
        "pulumi_devrev.sandbox",
        "pulumi_devrev.testing",
        "pulumi_devrev.pytest_plugin",
    }
    for module_name, names in table.items():
        module = importlib.import_module(module_name)
        exported = getattr(module, "__all__", None)
        if exported is None:  # the plugin: its fixtures
            exported = [name for name in dir(module) if name.startswith("devrev_")]
        if module_name in WHOLE:
            assert names == set(exported), module_name
        else:
            assert names <= set(exported), module_name
        for name in names:
            getattr(module, name)
