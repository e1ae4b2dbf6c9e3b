"""A fleet in sync, as the CLI and the daemon see it: a cold `ecsync plan` (at the smallest
size: `plan`, `apply` and the daemon's first sync are one and the same pass, which
the daemon's first sync measures at every size), then `ecsync run` resyncing it.

The daemon's resync interval leaves it idle between passes, so that each
pass ends at a quiet point (`bench.passes`). After `sync_ready` (the first
sync fills the caches), the next `passes` resyncs are measured, from quiet
point to quiet point:
CPU per pass, calls per pass against the minimum, writes. Peak memory is the
daemon's for its whole life, its cold first sync included.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench import minimum
from bench.fleet import Fleet
from bench.passes import Span, Watch
from bench.procs import MeasuredDaemon, run_cli
from bench.report import Missed, Section
from bench.servers import CountingProxy

CALLS_TARGET = 1.05
CPU_PER_THOUSAND = 0.25
"""CPU seconds per no-op pass per 1,000 services (the issue's target)."""
MEMORY_TARGET_MB = 300
ISSUE_SIZES = frozenset({1000, 5000, 10000})


@dataclass(frozen=True)
class Measured:
    services: int
    cpu_per_pass: float


def measure(
    section: Section,
    endpoint: str,
    region: str,
    shape: Fleet,
    root: Path,
    *,
    passes: int,
    plan: bool,
) -> Measured | None:
    """Rows for the fleet `shape` in `region` (manifests at `root`), with a cold `ecsync plan`
    first when `plan`; None when a step missed."""
    with CountingProxy(endpoint) as proxy:
        try:
            if plan:
                cold_plan(section, proxy, region, shape, root)
            return resync(section, proxy, region, shape, root, passes=passes)
        except (Missed, TimeoutError) as error:
            section.missed(error)
            return None


def cold_plan(
    section: Section, proxy: CountingProxy, region: str, shape: Fleet, root: Path
) -> None:
    before = proxy.snapshot()
    finished = run_cli(
        ["plan", str(root), "--region", region, "--endpoint-url", proxy.endpoint,
         "--log-format", "json", "--log-level", "error"],
        timeout=120 + shape.services * 0.05,
    )  # fmt: skip
    calls = proxy.snapshot() - before
    floor = minimum.total(minimum.first_pass(shape))
    section.add(
        "ecsync plan (cold): exit status",
        f"{finished.exit_code}",
        "0: in sync",
        finished.exit_code == 0,
    )
    if finished.exit_code != 0:
        raise Missed(f"ecsync plan exited {finished.exit_code}: {finished.output[-300:]}")
    section.add("ecsync plan (cold): calls / minimum", f"{calls.total() / floor:.3f}")
    section.add("ecsync plan (cold): wall s", f"{finished.wall:.1f}")
    section.add("ecsync plan (cold): CPU s", f"{finished.cpu:.2f}")
    section.add("ecsync plan (cold): peak memory MB", f"{finished.peak_mib * 1.048576:.0f}")
    section.note(f"cold plan calls {dict(sorted(calls.items()))}")


def resync_interval(services: int) -> float:
    """Long enough for a no-op pass to end well before the next one starts (see passes),
    on a machine shared with other work."""
    return 1.5 + 4 * services / 1000


def resync(
    section: Section, proxy: CountingProxy, region: str, shape: Fleet, root: Path, *, passes: int
) -> Measured:
    interval = resync_interval(shape.services)
    daemon = MeasuredDaemon(
        proxy.endpoint,
        ["--source", str(root), "--region", region, "--resync", f"{interval}s",
         "--log-level", "info"],
        root.with_name(f"{root.name}-cache"),
    )  # fmt: skip
    writes_before = proxy.state()[1]
    try:
        cold_timeout = 120 + shape.services * 0.05
        try:
            daemon.wait_for("sync_ready", timeout=cold_timeout)
        except AssertionError as error:
            daemon.alive()
            raise Missed(f"no sync_ready within {cold_timeout:.0f} s") from error
        section.add("ecsync run: first sync, wall s", f"{time.monotonic() - daemon.started:.1f}")
        resources = shape.repositories + shape.clusters + 2 * shape.services
        span = Watch(daemon, proxy).span(
            passes,
            resources,
            idle_within=3 * interval + 10,
            timeout=60 + shape.services * 0.03,
        )
        peak = daemon.peak_mib() * 1.048576
    finally:
        daemon.stop(timeout=30)
    writes = proxy.state()[1] - writes_before
    section.add("ecsync run: writes (first sync and no-op passes)", f"{writes}", "0", writes == 0)
    return _rows(section, shape, span, peak)


def _rows(section: Section, shape: Fleet, span: Span, peak_mb: float) -> Measured:
    n = shape.services
    graded = n in ISSUE_SIZES
    start, end, passes = span.start, span.end, span.passes
    about = "" if span.exact else "≈ "
    if not span.exact:
        section.note("the daemon never idled between resyncs: measured approximately")
    floor = minimum.total(minimum.noop_pass(shape))
    ratio = (end.calls - start.calls) / passes / floor
    cpu = (end.cpu - start.cpu) / passes
    cpu_target = CPU_PER_THOUSAND * n / 1000
    section.add("no-op pass: passes measured", f"{about}{passes:.1f}")
    section.add(
        "no-op pass: calls / minimum",
        f"{about}{ratio:.3f}",
        f"≤ {CALLS_TARGET}",
        ratio <= CALLS_TARGET,
    )
    section.add(
        "no-op pass: CPU s",
        f"{about}{cpu:.3f}",
        f"≤ {cpu_target:.2f}" if graded else "",
        cpu <= cpu_target if graded else None,
    )
    memory_graded = n == max(ISSUE_SIZES)
    section.add(
        "ecsync run: peak memory MB",
        f"{peak_mb:.0f}",
        f"≤ {MEMORY_TARGET_MB}" if memory_graded else "",
        peak_mb <= MEMORY_TARGET_MB if memory_graded else None,
    )
    per_pass = {
        op: round(count / passes, 1)
        for op, count in sorted((end.operations - start.operations).items())
    }
    section.note(f"calls per pass {per_pass}; minimum {minimum.noop_pass(shape)}")
    return Measured(n, cpu)


def growth(section: Section, measured: list[Measured]) -> None:
    """CPU per pass growth against fleet growth, from the smallest size to each larger one."""
    if len(measured) < 2:
        return
    base = measured[0]
    for m in measured[1:]:
        ratio = (m.cpu_per_pass / base.cpu_per_pass) / (m.services / base.services)
        graded = base.services in ISSUE_SIZES and m.services in ISSUE_SIZES
        section.add(
            f"CPU per pass growth / fleet growth, {base.services} → {m.services}",
            f"{ratio:.2f}",
            "≤ 1.10 (linear)" if graded else "",
            ratio <= 1.10 if graded else None,
        )
