"""One-service edits in a running daemon's fleet: from the file write to the first write
call the counting proxy sees.

Each edit scales a different service (spread over the fleet) to 2, so it
needs exactly one UpdateService. Before each edit the daemon is left until
it has made no call for a second, so edits do not queue behind each other.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from pathlib import Path

from bench import fleet as fleets
from bench.procs import MeasuredDaemon
from bench.report import Missed, Section
from bench.servers import CountingProxy

P50_TARGET_MS = 300
P90_TARGET_MS = 1000
BUDGET = 60.0
"""Seconds of edits at most, once `MIN_EDITS` are timed: a slow daemon must not stretch the run."""
MIN_EDITS = 3


def edits(
    section: Section,
    daemon: MeasuredDaemon,
    proxy: CountingProxy,
    shape: fleets.Fleet,
    root: Path,
    network: fleets.Network,
    *,
    count: int,
) -> None:
    clusters = dict(shape.placement())
    chosen = sorted({(k * shape.services) // count for k in range(count)})
    latencies: list[float] = []
    loads: list[float] = []
    started = time.monotonic()
    for index in chosen:
        if len(latencies) >= MIN_EDITS and time.monotonic() - started > BUDGET:
            break  # slow edits: enough samples to tell
        path = fleets.service_file(root, index, clusters[index])
        text = fleets.service_manifest(shape, index, clusters[index], network, desired_count=2)
        settle(proxy)
        written = time.time()
        path.write_text(text)
        latencies.append(_first_write(daemon, proxy, written) - written)
        loaded = _loaded_at(daemon, written)
        if loaded is not None:
            loads.append(loaded - written)
    if loads:
        section.note(f"file write → revision_loaded logged, median ms: {_median(loads) * 1000:.0f}")
    ordered = sorted(latencies)
    p50 = _median(ordered) * 1000
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1] * 1000
    section.add("edits timed", f"{len(ordered)}")
    section.add(
        "file write → first write call, p50 ms",
        f"{p50:.0f}",
        f"≤ {P50_TARGET_MS}",
        p50 <= P50_TARGET_MS,
    )
    section.add(
        "file write → first write call, p90 ms",
        f"{p90:.0f}",
        f"≤ {P90_TARGET_MS}",
        p90 <= P90_TARGET_MS,
    )


def _median(values: list[float]) -> float:
    return sorted(values)[math.ceil(0.5 * len(values)) - 1]


def _loaded_at(daemon: MeasuredDaemon, after: float) -> float | None:
    """When the daemon logged loading the manifests changed after `after` (its own clock)."""
    for event in list(daemon.events):
        if event.get("event") != "revision_loaded":
            continue
        stamp = datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00"))
        if stamp.timestamp() >= after:
            return stamp.timestamp()
    return None


def settle(proxy: CountingProxy, quiet: float = 1.0, timeout: float = 30) -> None:
    """Return once `proxy` has seen no request for `quiet` seconds (or after `timeout`)."""
    deadline = time.monotonic() + timeout
    last = proxy.snapshot().total()
    since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = proxy.snapshot().total()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def _first_write(daemon: MeasuredDaemon, proxy: CountingProxy, after: float) -> float:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        writes = proxy.writes_since(after)
        if writes:
            return writes[0][0]
        daemon.alive()
        time.sleep(0.002)
    raise Missed("an edit reached no write call within 30 s")
