"""Prometheus metrics for the daemon, on a registry of their own.

Each `Metrics` owns a `CollectorRegistry` rather than using the global one,
so that tests (and several controllers in one process) never collide.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

RECONCILE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
"""A pass is a few AWS calls at best and a paced rollout at worst: wider than the default."""


class Metrics:
    content_type = CONTENT_TYPE_PLAIN_0_0_4
    """`render()` writes the classic text format (0.0.4), which every Prometheus reads."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._reconciles = Counter(
            "ecsync_reconcile",
            "Resources reconciled, by kind and result (created, updated, unchanged, failed...).",
            ["kind", "result"],
            registry=self.registry,
        )
        self._durations = Histogram(
            "ecsync_reconcile_duration_seconds",
            "Time spent reconciling one resource.",
            ["kind"],
            buckets=RECONCILE_BUCKETS,
            registry=self.registry,
        )
        self._aws_calls = Counter(
            "ecsync_aws_calls",
            "AWS API calls, by operation and outcome.",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self._drifted = Gauge(
            "ecsync_drifted_resources",
            "Resources whose live state differs from the manifests.",
            registry=self.registry,
        )
        self._last_sync = Gauge(
            "ecsync_last_successful_sync_timestamp_seconds",
            "Unix time of the last pass in which everything converged.",
            registry=self.registry,
        )
        self._queue_depth = Gauge(
            "ecsync_queue_depth", "Keys waiting in the work queue.", registry=self.registry
        )
        self._leader = Gauge(
            "ecsync_leader", "1 when this replica is the leader, else 0.", registry=self.registry
        )
        self._lock = threading.Lock()
        self._aws_seen: dict[tuple[str, str], int] = {}

    def observe_reconciles(self, counts: Mapping[tuple[str, str], int], seconds: float) -> None:
        """`counts[(kind, result)]` resources were reconciled, each in `seconds`: one pass
        records its keys grouped, each label set looked up once, not once per resource."""
        per_kind: dict[str, int] = {}
        for (kind, result), count in counts.items():
            self._reconciles.labels(kind=kind, result=result).inc(count)
            per_kind[kind] = per_kind.get(kind, 0) + count
        for kind, count in per_kind.items():
            durations = self._durations.labels(kind=kind)
            for _ in range(count):
                durations.observe(seconds)

    def record_aws_calls(self, stats: Mapping[tuple[str, str], int]) -> None:
        """Add what `stats` (cumulative counts per (operation, outcome)) gained since the last call.

        A count that went down means its source restarted (a new connection):
        its whole value is new, as with a Prometheus counter reset.
        """
        current = dict(stats)
        with self._lock:
            for (operation, outcome), count in current.items():
                seen = self._aws_seen.get((operation, outcome), 0)
                delta = count - seen if count >= seen else count
                if delta:
                    self._aws_calls.labels(operation=operation, outcome=outcome).inc(delta)
                self._aws_seen[(operation, outcome)] = count

    def set_drifted(self, n: int) -> None:
        self._drifted.set(n)

    def mark_synced(self, timestamp: float) -> None:
        self._last_sync.set(timestamp)

    def set_queue_depth(self, n: int) -> None:
        self._queue_depth.set(n)

    def set_leader(self, is_leader: bool) -> None:
        self._leader.set(1 if is_leader else 0)

    def render(self) -> bytes:
        """The exposition text of every metric, for `GET /metrics`."""
        return bytes(generate_latest(self.registry))
