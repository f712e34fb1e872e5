"""The README's sandbox and receiver snippets work as a user copies them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pulumi_devrev.receiver import ReceiverApp

README = Path(__file__).resolve().parents[2] / "README.md"


def _section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    return text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


def test_the_receiver_snippet_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", "readme-secret-123")
    [snippet] = _blocks(_section("The receiver"), "python")
    namespace: dict[str, object] = {}
    exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert isinstance(namespace["app"], ReceiverApp)


def test_the_sandbox_snippet_takes_the_token_from_the_environment() -> None:
    commands = "\n".join(_blocks(_section("The sandbox"), "sh"))
    assert "devrev-sandbox" in commands
    assert "--token" not in commands
    assert "export DEVREV_TOKEN=" in commands
