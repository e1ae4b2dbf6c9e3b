"""`python -m bench --quick` runs every scenario against the real processes, end to end.

Benchmarks are not tests: no row's target is asserted here. What is
asserted is what the harness itself must get right at any size.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

Rows = dict[tuple[str, str], str]
"""(scenario, metric) -> measured value."""


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Rows]:
    """One quick run of the whole benchmark, its table read back from --markdown."""
    table = tmp_path_factory.mktemp("bench") / "table.md"
    ran = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--markdown", str(table)],
        cwd=REPO, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-4000:]
    rows: Rows = {}
    for line in table.read_text().splitlines()[2:]:
        scenario, metric, value = (cell.strip() for cell in line.split("|")[1:4])
        rows[(scenario, metric)] = value
    return ran, rows


def test_every_scenario_runs_to_its_end(
    quick_run: tuple[subprocess.CompletedProcess[str], Rows],
) -> None:
    """Each scenario has its rows and none of them stopped early (no `completed` row)."""
    _, rows = quick_run
    scenarios = {scenario for scenario, _ in rows}
    assert scenarios == {
        "no-op fleet, 10 services",
        "no-op fleet, 30 services",
        "no-op pass, CPU against fleet size",
        "first sync through ECS's buckets, 30 services",
        "one-service edit, 30 services",
        "image rollout, 2 services",
        "whole run",
    }
    assert not [key for key in rows if key[1] == "completed"]


def test_the_table_goes_to_stdout(quick_run: tuple[subprocess.CompletedProcess[str], Rows]) -> None:
    """stdout is the markdown table (progress goes to stderr)."""
    ran, rows = quick_run
    lines = ran.stdout.strip().splitlines()
    assert lines[0] == "| scenario | metric | measured | target | |"
    assert len(lines) == len(rows) + 2


def test_the_built_fleets_are_in_sync(
    quick_run: tuple[subprocess.CompletedProcess[str], Rows],
) -> None:
    """The fleet builder leaves what `ecsync apply` would: plan (at the smallest size) finds
    nothing, the daemon writes nothing, at each size and in the throttled first sync."""
    _, rows = quick_run
    assert rows[("no-op fleet, 10 services", "ecsync plan (cold): exit status")] == "0"
    assert ("no-op fleet, 30 services", "ecsync plan (cold): exit status") not in rows
    for n in (10, 30):
        assert (
            rows[(f"no-op fleet, {n} services", "ecsync run: writes (first sync and no-op passes)")]
            == "0"
        )
    assert rows[("first sync through ECS's buckets, 30 services", "writes")] == "0"


def test_passes_are_measured_between_quiet_points(
    quick_run: tuple[subprocess.CompletedProcess[str], Rows],
) -> None:
    """Small fleets idle between resyncs, so passes are counted exactly, and no pass makes
    fewer calls than the minimum the harness derives (else counting or derivation is wrong)."""
    _, rows = quick_run
    for n in (10, 30):
        section = f"no-op fleet, {n} services"
        assert rows[(section, "no-op pass: passes measured")] == "2.0"
        assert float(rows[(section, "no-op pass: calls / minimum")]) >= 1.0
        assert float(rows[(section, "no-op pass: CPU s")]) > 0


def test_the_rollout_is_compared_with_ecs_deploy(
    quick_run: tuple[subprocess.CompletedProcess[str], Rows],
) -> None:
    """ecs-deploy makes its calls for every service, and the ratios are against it."""
    _, rows = quick_run
    section = "image rollout, 2 services"
    assert float(rows[(section, "ecs-deploy: calls per service")]) >= 3
    assert rows[(section, "time, ecs-deploy / ecsync apply")].endswith("x")
