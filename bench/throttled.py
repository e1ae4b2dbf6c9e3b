"""The first sync of the largest fleet by `ecsync run`, through ECS's token buckets.

`tests/support/awsproxy.py` throttles each request by its ECS throttling
category (the documented bursts and refill rates, `tests/support/awsrules.py`)
and ecsync paces itself (`--rate-limit on`). The floor is the least time the
buckets allow for the fewest calls a first sync needs (`bench.minimum`):
nothing describes 10,000 task definitions faster than 20 a second. The
daemon then stays up for the one-service edits (`bench.latency`), which wait
until no other process reads the fleet.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bench import latency, minimum
from bench.fleet import Fleet, Network
from bench.procs import MeasuredDaemon
from bench.report import Missed, Section
from bench.servers import CountingProxy
from tests.support.awsproxy import THROTTLED, AwsProxy

TIME_TARGET = 1.2
GRADED_SIZE = 10_000
"""First sync of 10,000 services within this multiple of the floor (the issue's target; at
small sizes starting the process outweighs the floor)."""


def first_sync_then_edits(
    section: Section,
    edits_section: Section,
    endpoint: str,
    region: str,
    shape: Fleet,
    root: Path,
    network: Network,
    *,
    edits: int,
    quiet: threading.Event,
) -> None:
    needed = minimum.first_pass(shape)
    floor = minimum.floor_seconds(needed)
    with AwsProxy(endpoint, throttle=True) as buckets, CountingProxy(buckets.endpoint) as proxy:
        daemon = MeasuredDaemon(
            proxy.endpoint,
            ["--source", str(root), "--region", region, "--resync", "1h", "--rate-limit", "on",
             "--log-level", "info"],
            root.with_name(f"{root.name}-throttled-cache"),
        )  # fmt: skip
        try:
            timeout = 300 + 2 * floor
            try:
                daemon.wait_for("sync_ready", timeout=timeout)
            except AssertionError as error:
                daemon.alive()
                raise Missed(f"no sync_ready within {timeout:.0f} s") from error
            elapsed = time.monotonic() - daemon.started
            calls = proxy.snapshot()
            throttled = sum(1 for r in buckets.requests if r.fault == THROTTLED)
            _rows(
                section,
                shape,
                elapsed,
                floor,
                calls.total() / minimum.total(needed),
                throttled,
                len(proxy.writes),
            )
            section.note(f"first sync calls {dict(sorted(calls.items()))}")
            quiet.wait()
            try:
                latency.edits(edits_section, daemon, proxy, shape, root, network, count=edits)
            except (Missed, TimeoutError) as error:
                edits_section.missed(error)
        finally:
            daemon.stop(timeout=30)


def _rows(
    section: Section,
    shape: Fleet,
    elapsed: float,
    floor: float,
    calls: float,
    throttled: int,
    writes: int,
) -> None:
    section.add("ecsync run: time to sync_ready s", f"{elapsed:.1f}")
    section.add("floor the ECS buckets impose s", f"{floor:.1f}")
    ratio = elapsed / max(floor, 1e-9)
    graded = shape.services == GRADED_SIZE
    section.add(
        "time / floor",
        f"{ratio:.2f}",
        f"≤ {TIME_TARGET}" if graded else "",
        ratio <= TIME_TARGET if graded else None,
    )
    section.add("calls / minimum", f"{calls:.3f}")
    section.add("requests throttled", f"{throttled}")
    section.add("writes", f"{writes}", "0", writes == 0)
