"""Reads send independent requests side by side, never more than the bucket allows."""

from __future__ import annotations

import threading
import time
from typing import Any

from controller.aws import batching, clusters, services, taskdefs
from controller.aws.clients import Aws
from controller.aws.ratelimit import SAFETY, Rate, RateLimiter
from tests.support import arrange

LATENCY = 0.02
"""Seconds each request waits before it is sent, so that overlapping requests overlap."""


class InFlight:
    """Counts the requests of one `Aws` in flight (sent, not yet answered) and when each went."""

    def __init__(self, aws: Aws) -> None:
        self.peak = 0
        self.sent_at: list[float] = []
        self._now = 0
        self._lock = threading.Lock()
        events = aws.session.events
        events.register("before-send", self._sent, unique_id=f"in-flight-send-{id(self)}")
        events.register("after-call", self._done, unique_id=f"in-flight-done-{id(self)}")
        events.register("after-call-error", self._done, unique_id=f"in-flight-error-{id(self)}")

    def _sent(self, **_: Any) -> None:
        with self._lock:
            self._now += 1
            self.peak = max(self.peak, self._now)
            self.sent_at.append(time.monotonic())
        time.sleep(LATENCY)

    def _done(self, **_: Any) -> None:
        with self._lock:
            self._now -= 1


def test_revision_describes_overlap_within_the_worker_bound(aws: Aws, ecs: Any) -> None:
    """24 revisions on a cold cache are described several at a time, at most READ_WORKERS."""
    for _ in range(24):
        arrange.register(ecs, "web")
    flight = InFlight(aws)

    found = taskdefs.read_families(aws, aws.task_definitions, ["web"])

    assert len(found["web"].status["revisions"]) == 24
    assert 1 < flight.peak <= batching.READ_WORKERS


def test_service_batches_of_several_clusters_overlap(aws: Aws, ecs: Any) -> None:
    """Services in 3 clusters (6 batches of up to 10) are described side by side."""
    wanted = {f"c{c}": frozenset(f"svc-{n:02}" for n in range(20)) for c in range(3)}
    for cluster, names in wanted.items():
        arrange.services(ecs, cluster, sorted(names))
    flight = InFlight(aws)

    found = services.read_services(aws, wanted)

    assert len(found) == 60
    assert 1 < flight.peak <= batching.READ_WORKERS


def test_cluster_batches_overlap(aws: Aws, ecs: Any) -> None:
    """250 clusters take 3 DescribeClusters, sent side by side."""
    names = [f"c{n:03}" for n in range(250)]
    for name in names:
        ecs.create_cluster(clusterName=name)
    flight = InFlight(aws)

    assert sorted(clusters.read_clusters(aws, names)) == names
    assert flight.peak > 1


def test_concurrent_describes_keep_to_the_bucket(aws: Aws, ecs: Any) -> None:
    """With a task-definition-read bucket of 4 (3 usable) refilling 20 per second, 20
    describes never run ahead of the bucket: the k-th request waits for its token."""
    for _ in range(20):
        arrange.register(ecs, "web")
    rate = Rate(burst=4, refill=20)
    aws.rate_limiter = RateLimiter(
        dict.fromkeys(("DescribeTaskDefinition",), ("task-definition-read", rate))
    )
    flight = InFlight(aws)

    taskdefs.read_families(aws, aws.task_definitions, ["web"])

    starts = sorted(flight.sent_at)[1:]  # the first request is the listing (not paced here)
    assert len(starts) == 20
    usable, refill = rate.burst - 1, rate.refill * SAFETY
    for k, at in enumerate(starts):
        owed = max(0.0, (k + 1 - usable) / refill)
        assert at - starts[0] >= owed - 0.01, f"request {k} ran ahead of the bucket"
    assert flight.peak > 1
