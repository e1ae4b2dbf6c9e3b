"""The benchmark harness runs end to end on a small size (benchmarks are not tests: no targets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_scenario_runs_and_the_counts_agree(tmp_path: Path) -> None:
    table = tmp_path / "table.md"
    ran = subprocess.run(
        [
            sys.executable, "-m", "bench", "--sizes", "20", "--rollout", "3",
            "--latency-samples", "2", "--markdown", str(table),
        ],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert ran.returncode in (0, 1), ran.stderr[-3000:]  # 1: a target missed at this tiny size
    rows = table.read_text().splitlines()
    scenarios = {row.split("|")[1].strip() for row in rows[2:]}
    assert scenarios == {
        "no-op resync, 20 services",
        "image rollout, 3 services",
        "change latency, folder (watch)",
        "change latency, Git polling (--poll 1s)",
        "change latency, Git webhook",
        "throttled rollout, 3 services",
    }
    agreement = next(r for r in rows if "counting proxy" in r)
    assert agreement.rstrip().endswith("| met |")
    assert "| task definition reads (warm cache) | 0 |" in table.read_text()
