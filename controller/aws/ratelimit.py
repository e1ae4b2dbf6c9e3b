"""Client-side pacing per ECS throttling category, so that ecsync is never the one throttled.

ECS throttles per account and Region with one token bucket per category of
actions ("Request throttling for the Amazon ECS API"): a burst capacity and
a refill rate per second. `RateLimiter.acquire` blocks until the category's
bucket has a token, before every attempt of every call. The buckets are
slightly smaller and slower than AWS's (`SAFETY`), because the server counts
a request when it arrives, not when it was sent.

ECR publishes no rates for its control-plane actions (CreateRepository,
GetLifecyclePolicy...); they share one assumed bucket, `ECR_CONTROL`, as
generous as ECS's read categories. Image push and pull are not ecsync's
business and are not paced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    burst: float
    refill: float
    """Tokens per second."""


SAFETY = 0.98
"""Share of AWS's refill rate that ecsync allows itself; the burst keeps one token spare."""

_CATEGORIES: dict[str, tuple[Rate, tuple[str, ...]]] = {
    "cluster-modify": (
        Rate(20, 1),
        (
            "CreateCluster",
            "DeleteCluster",
            "PutClusterCapacityProviders",
            "UpdateCluster",
            "UpdateClusterSettings",
        ),
    ),
    "cluster-read": (Rate(50, 20), ("DescribeClusters", "ListClusters")),
    "task-definition-modify": (
        Rate(20, 1),
        ("DeregisterTaskDefinition", "RegisterTaskDefinition"),
    ),
    "task-definition-read": (
        Rate(50, 20),
        ("DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies"),
    ),
    "capacity-provider-modify": (
        Rate(10, 1),
        ("CreateCapacityProvider", "DeleteCapacityProvider", "UpdateCapacityProvider"),
    ),
    "capacity-provider-read": (Rate(50, 20), ("DescribeCapacityProviders",)),
    "tag-modify": (Rate(20, 10), ("TagResource", "UntagResource")),
    "tag-read": (Rate(50, 20), ("ListTagsForResource",)),
    "cluster-resource-modify": (Rate(100, 40), ("RunTask", "StartTask", "StopTask")),
    "cluster-resource-read": (Rate(100, 20), ("DescribeTasks", "ListTasks")),
    "service-modify": (Rate(50, 5), ("CreateService", "DeleteService", "UpdateService")),
    "service-read": (Rate(100, 20), ("DescribeServices", "ListServices")),
}

ECS_BUCKETS: dict[str, tuple[str, Rate]] = {
    action: (category, rate)
    for category, (rate, actions) in _CATEGORIES.items()
    for action in actions
}
"""ECS action -> (category, AWS's documented rate)."""

ECR_CONTROL = ("ecr-control", Rate(50, 20))
"""Assumed: ECR publishes no rate for these actions."""


class RateLimiter:
    """Blocking token buckets, one per ECS category, shared by every thread of one `Aws`."""

    def __init__(
        self,
        buckets: dict[str, tuple[str, Rate]] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._buckets = ECS_BUCKETS if buckets is None else buckets
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}  # category -> (tokens, at)
        self.waited = 0.0
        """Seconds spent waiting for tokens, all threads together."""

    def acquire(self, service: str, operation: str) -> None:
        """Wait for a token of `operation`'s category (at once for unpaced operations)."""
        if service == "ecr":
            category, rate = ECR_CONTROL
        elif service == "ecs" and operation in self._buckets:
            category, rate = self._buckets[operation]
        else:
            return
        burst, refill = max(1.0, rate.burst - 1), rate.refill * SAFETY
        while True:
            with self._lock:
                now = self._clock()
                tokens, then = self._state.get(category, (burst, now))
                tokens = min(burst, tokens + (now - then) * refill)
                if tokens >= 1 - 1e-9:  # float rounding must not leave it a hair short
                    self._state[category] = (max(0.0, tokens - 1), now)
                    return
                self._state[category] = (tokens, now)
                wait = (1 - tokens) / refill
                self.waited += wait
            self._sleep(wait)
