"""The receiver library stands alone: a receiving service needs neither Pulumi nor a framework."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import pulumi_devrev.receiver as receiver


def test_the_module_imports_only_the_standard_library_and_pydantic() -> None:
    tree = ast.parse(Path(receiver.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports: nothing else of pulumi_devrev"
            imported.add((node.module or "").split(".")[0])

    outside = imported - set(sys.stdlib_module_names) - {"__future__", "pydantic"}

    assert outside == set()


def test_every_public_function_and_class_is_documented() -> None:
    public = [getattr(receiver, name) for name in receiver.__all__]
    undocumented = [
        thing.__name__
        for thing in public
        if (inspect.isfunction(thing) or inspect.isclass(thing))
        and not (thing.__doc__ or "").strip()
    ]

    assert undocumented == []
