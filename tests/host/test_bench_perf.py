"""bench/perf.py at small sizes: every measurement runs, and the call counts, connections and
rate-limit outcomes are right. Times are recorded in bench/README.md, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_perf_bench_runs_at_small_sizes(tmp_path: Path) -> None:
    out = tmp_path / "perf.json"
    result = subprocess.run(
        [sys.executable, "bench/perf.py", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text())

    names = [figure["name"] for figure in report["figures"]]
    assert any(name.startswith("provider host: launch") for name in names)
    assert any("import pulumi_devrev.webhook" in name for name in names)
    assert any("under mocks" in name for name in names)
    assert all(figure["ours"] and figure["baseline"] for figure in report["figures"])
    assert "own work beyond the SDK's floor" in result.stdout

    life = report["lifecycle"]
    count = life["count"]
    assert life["calls"] == {"create": count, "no-op": 0, "update": count, "delete": count}
    assert 1 <= report["connections"] <= 4
    limited = report["rate_limited"]
    assert limited["failures"] == 0 and limited["duplicates"] == 0
    assert limited["calls"] > limited["creates"]  # the limit was hit and waited out
