"""bench/run.py keeps working (its figures are recorded in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_and_reports_the_expected_call_counts() -> None:
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = {
        cells[1].strip(): cells[2].strip()
        for line in result.stdout.splitlines()
        if line.startswith("| ") and (cells := line.split("|")) and len(cells) > 3
    }
    assert rows["create"] == "1"
    assert rows["preview / up with no change"] == "0"
    assert rows["up, url + secret + events + headers + active changed"] == "1"
    assert rows["adopt, event types differ"] == "2"
