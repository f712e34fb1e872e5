"""Fixtures of the client tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import pulumi_devrev.client as client_module
from tests.support import Clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    """A fake clock the client reads its deadlines from; give the client ``sleep=clock.sleep``."""
    fake = Clock()
    monkeypatch.setattr(client_module, "time", fake)
    yield fake
