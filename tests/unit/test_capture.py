"""capture_program when the program fails: the program's own error, nothing else."""

from __future__ import annotations

import gc
import warnings

import pulumi
import pytest

from pulumi_devrev import DevRevWebhook
from pulumi_devrev.testing import capture_program


def test_a_failing_program_raises_its_error_and_leaves_no_asyncio_noise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def program() -> None:
        DevRevWebhook("first", url="https://hooks.example.com/a")
        pulumi.Config().require("receiverUrl")

    # Garbage left by earlier tests in this worker (an event loop another test did not close)
    # would warn when collected: collect it first, so only this program's noise is recorded.
    gc.collect()
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        with pytest.raises(Exception, match="Missing required configuration variable 'shop:"):
            capture_program(program, project="shop")
        gc.collect()  # tasks left pending on a closed loop complain when they are collected
    assert [str(w.message) for w in recorded] == []
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


def test_a_program_runs_after_one_that_failed() -> None:
    def failing() -> None:
        DevRevWebhook("first", url="https://hooks.example.com/a")
        pulumi.Config().require("receiverUrl")

    with pytest.raises(Exception, match="Missing required configuration variable"):
        capture_program(failing)
    [reg] = capture_program(lambda: DevRevWebhook("next", url="https://hooks.example.com/b"))
    assert reg.name == "next"
