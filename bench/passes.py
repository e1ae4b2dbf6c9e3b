"""Pass boundaries seen from outside the daemon: the moments it goes quiet.

A no-op pass reads (a request is in flight at the counting proxy) and
computes (its CPU time grows). Between two resyncs the daemon waits for its
timer and does neither. A quiet point is the start of a stretch of `QUIET`
seconds with no request in flight, no new request and no CPU time beyond
`CPU_SLACK`: everything the pass did lies before it, so the CPU time and
the call count read there are exact pass boundaries. Reading /proc and the
proxy's counters costs the daemon nothing; `/metrics` is read once per quiet
point, to check that each stretch between two of them was a whole resync.

A daemon too slow to go quiet between resyncs is measured approximately
instead, between readings of `/metrics` (see `Span.exact`).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from bench.report import Missed

QUIET = 0.4
"""Seconds of nothing that make a quiet point; a pass never idles that long with no call
in flight (the proxy answers in milliseconds, ecsync's pacing is off against it)."""
CPU_SLACK = 0.02
"""Two clock ticks of CPU an idle daemon may show (its queue wakes up twice a second)."""
EVERY = 0.02
METRICS_EVERY = 0.25


class NeverIdle(Missed):
    """The daemon did not go quiet: its passes run back to back."""


@dataclass(frozen=True)
class Span:
    """`passes` resyncs, from the daemon at `start` to the daemon at `end`."""

    start: Point
    end: Point
    passes: float
    exact: bool
    """False: the passes ran back to back, and the ends were read every `METRICS_EVERY` s
    just after a resync ended, so each end also holds part of the next pass."""


@dataclass(frozen=True)
class Point:
    """The daemon at one moment, as seen from outside."""

    at: float
    cpu: float
    calls: int
    writes: int
    reconciled: float = 0.0
    """`ecsync_reconcile_total`, read at quiet points only."""
    operations: Counter[str] = field(default_factory=Counter)
    """The calls by operation, read at quiet points only."""


class Daemon(Protocol):
    """What the watch reads of the daemon (`bench.procs.MeasuredDaemon`)."""

    def cpu(self) -> float: ...
    def reconciled(self) -> float: ...
    def alive(self) -> None: ...


class Proxy(Protocol):
    """What the watch reads of the proxy (`bench.servers.CountingProxy`)."""

    def state(self) -> tuple[int, int, int]: ...
    def snapshot(self) -> Counter[str]: ...


class Watch:
    def __init__(self, daemon: Daemon, proxy: Proxy) -> None:
        self.daemon, self.proxy = daemon, proxy

    def sample(self) -> tuple[Point, int]:
        """The daemon now, and the number of its requests in flight."""
        calls, writes, in_flight = self.proxy.state()
        return Point(time.monotonic(), self.daemon.cpu(), calls, writes), in_flight

    def quiet_point(self, after: Point | None, timeout: float) -> Point:
        """The first quiet point after the daemon made a call past `after` (None: the first
        quiet point from now)."""
        deadline = time.monotonic() + timeout
        stretch: Point | None = None
        while time.monotonic() < deadline:
            time.sleep(EVERY)
            point, in_flight = self.sample()
            if after is not None and point.calls == after.calls:
                continue  # the next pass has not started
            if (
                in_flight
                or stretch is None
                or point.calls != stretch.calls
                or point.cpu - stretch.cpu > CPU_SLACK
            ):
                stretch = None if in_flight else point
                self.daemon.alive()
            elif point.at - stretch.at >= QUIET:
                operations, reconciled = self.proxy.snapshot(), self.daemon.reconciled()
                return Point(
                    stretch.at, stretch.cpu, stretch.calls, stretch.writes, reconciled, operations
                )
        raise NeverIdle(
            f"ecsync run was never idle for {QUIET} s within {timeout:.0f} s: "
            "a no-op pass takes longer than the resync interval"
        )

    def span(self, passes: int, resources: int, *, idle_within: float, timeout: float) -> Span:
        """The next `passes` resyncs: between quiet points when the daemon idles between
        resyncs, else between readings of `ecsync_reconcile_total`."""
        try:
            points = [self.quiet_point(None, idle_within)]
            for _ in range(passes):
                points.append(self.quiet_point(points[-1], idle_within + timeout))
            start, end = points[0], points[-1]
            # Two resyncs with too short a rest between them make one stretch: count resyncs.
            return Span(start, end, (end.reconciled - start.reconciled) / resources, exact=True)
        except NeverIdle:
            start = self._after_resync(None, resources, timeout)
            end = start
            for _ in range(passes):
                end = self._after_resync(end, resources, timeout)
            return Span(start, end, (end.reconciled - start.reconciled) / resources, exact=False)

    def _after_resync(self, since: Point | None, resources: int, timeout: float) -> Point:
        """The daemon just after `ecsync_reconcile_total` grew by a whole resync since
        `since` (None: just after it grew at all)."""
        base = since.reconciled if since is not None else self.daemon.reconciled()
        needed = resources if since is not None else 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(METRICS_EVERY)
            reconciled = self.daemon.reconciled()
            if reconciled - base >= needed:
                point, _ = self.sample()
                return Point(
                    point.at, point.cpu, point.calls, point.writes, reconciled,
                    self.proxy.snapshot(),
                )  # fmt: skip
            self.daemon.alive()
        raise Missed(f"a resync of {resources} resources did not end within {timeout:.0f} s")
