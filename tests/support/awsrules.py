"""What AWS enforces and moto does not: request limits and API throttling, as data.

Request limits are the documented maxima of list parameters and `maxResults`.
Throttling follows "Request throttling for the Amazon ECS API" (ECS API
Reference): every action belongs to a category, all actions of a category
share one token bucket per account and Region, and each bucket has a burst
capacity and a refill rate per second. ECR publishes rates only for the
image push/pull actions (Service Quotas, "Rate of ... requests", per second);
its control-plane actions have no published rate, so they get an assumed
bucket (`ECR_UNPUBLISHED`), the same as ECS's read categories.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rate:
    """A token bucket: `burst` tokens at most, `refill` tokens added per second."""

    burst: float
    refill: float


_ECS_CATEGORIES: dict[str, tuple[Rate, tuple[str, ...]]] = {
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
    "task-definition-delete": (Rate(5, 1), ("DeleteTaskDefinitions",)),
    "capacity-provider-modify": (
        Rate(10, 1),
        ("CreateCapacityProvider", "DeleteCapacityProvider", "UpdateCapacityProvider"),
    ),
    "capacity-provider-read": (Rate(50, 20), ("DescribeCapacityProviders",)),
    "tag-modify": (Rate(20, 10), ("TagResource", "UntagResource")),
    "tag-read": (Rate(50, 20), ("ListTagsForResource",)),
    "cluster-resource-modify": (
        Rate(100, 40),
        (
            "DeleteAttributes",
            "DeregisterContainerInstance",
            "ExecuteCommand",
            "PutAttributes",
            "RunTask",
            "StartTask",
            "StopTask",
            "UpdateContainerAgent",
            "UpdateContainerInstancesStates",
        ),
    ),
    "cluster-resource-read": (
        Rate(100, 20),
        (
            "DescribeContainerInstances",
            "DescribeTasks",
            "ListAttributes",
            "ListContainerInstances",
            "ListTasks",
        ),
    ),
    "service-modify": (Rate(50, 5), ("CreateService", "DeleteService", "UpdateService")),
    "service-read": (Rate(100, 20), ("DescribeServices", "ListServices")),
}

_ECR_RATES: dict[str, float] = {
    "BatchCheckLayerAvailability": 1000,
    "BatchGetImage": 2000,
    "CompleteLayerUpload": 100,
    "GetAuthorizationToken": 500,
    "GetDownloadUrlForLayer": 3000,
    "InitiateLayerUpload": 100,
    "PutImage": 10,
    "UploadLayerPart": 500,
}
ECR_UNPUBLISHED = Rate(50, 20)
"""Assumed for ECR actions without a published rate (CreateRepository, DescribeRepositories...)."""

BUCKETS: dict[tuple[str, str], tuple[str, Rate]] = {
    **{
        ("ecs", action): (category, rate)
        for category, (rate, actions) in _ECS_CATEGORIES.items()
        for action in actions
    },
    **{
        ("ecr", action): (action, Rate(per_second, per_second))
        for action, per_second in _ECR_RATES.items()
    },
}
"""(service, operation) -> (bucket name, rate). Anything else ECR gets the shared
`ECR_UNPUBLISHED` bucket; other services are not throttled."""


def bucket_of(service: str, operation: str) -> tuple[str, Rate] | None:
    """The bucket `operation` draws from, or None when it is not throttled here."""
    found = BUCKETS.get((service, operation))
    if found is None and service == "ecr":
        return "ecr-unpublished", ECR_UNPUBLISHED
    return found


class TokenBuckets:
    """One token bucket per name, full at first; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._state: dict[str, tuple[float, float]] = {}
        """name -> (tokens, when they were counted)."""
        self._lock = threading.Lock()

    def drain(self, name: str) -> None:
        """Empty bucket `name`, as if another client had just used up the burst."""
        with self._lock:
            self._state[name] = (0.0, self._clock())

    def take(self, name: str, rate: Rate) -> bool:
        """Take one token from bucket `name`; False (throttled) when it is empty."""
        burst, refill = rate.burst, rate.refill
        with self._lock:
            now = self._clock()
            tokens, then = self._state.get(name, (burst, now))
            tokens = min(burst, tokens + (now - then) * refill)
            if tokens < 1:
                self._state[name] = (tokens, now)
                return False
            self._state[name] = (tokens - 1, now)
            return True


@dataclass(frozen=True)
class Limit:
    """At most `most` items in the list parameter `param` (or, for maxResults, as its value)."""

    param: str
    most: int


LIMITS: dict[tuple[str, str], tuple[Limit, ...]] = {
    ("ecs", "DescribeServices"): (Limit("services", 10),),
    ("ecs", "DescribeClusters"): (Limit("clusters", 100),),
    ("ecs", "DescribeCapacityProviders"): (
        Limit("capacityProviders", 100),
        Limit("maxResults", 10),
    ),
    ("ecs", "DescribeTasks"): (Limit("tasks", 100),),
    ("ecs", "DescribeContainerInstances"): (Limit("containerInstances", 100),),
    ("ecs", "ListClusters"): (Limit("maxResults", 100),),
    ("ecs", "ListServices"): (Limit("maxResults", 100),),
    ("ecs", "ListTaskDefinitions"): (Limit("maxResults", 100),),
    ("ecs", "ListTaskDefinitionFamilies"): (Limit("maxResults", 100),),
    ("ecs", "ListTasks"): (Limit("maxResults", 100),),
    ("ecs", "TagResource"): (Limit("tags", 50),),
    ("ecr", "DescribeRepositories"): (Limit("repositoryNames", 100), Limit("maxResults", 1000)),
    ("ecr", "DescribeImages"): (Limit("imageIds", 100), Limit("maxResults", 1000)),
    ("ecr", "ListImages"): (Limit("maxResults", 1000),),
    ("ecr", "BatchGetImage"): (Limit("imageIds", 100),),
    ("ecr", "BatchDeleteImage"): (Limit("imageIds", 100),),
    ("ecr", "TagResource"): (Limit("tags", 50),),
}


def violation(service: str, operation: str, params: Mapping[str, Any]) -> str | None:
    """Why AWS would reject these parameters, or None when it would accept them."""
    if (
        (service, operation) == ("ecr", "DescribeRepositories")
        and params.get("repositoryNames")
        and "maxResults" in params
    ):
        return "maxResults cannot be used together with repositoryNames."
    for limit in LIMITS.get((service, operation), ()):
        value = params.get(limit.param)
        if limit.param == "maxResults":
            if isinstance(value, int) and not 1 <= value <= limit.most:
                return f"maxResults must be between 1 and {limit.most}."
        elif isinstance(value, list) and len(value) > limit.most:
            return f"{limit.param} can have at most {limit.most} items."
    return None
