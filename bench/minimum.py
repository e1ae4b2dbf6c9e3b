"""The fewest AWS calls a pass over a fleet can make, and the least time ECS's token
buckets allow for them.

The minimum comes from AWS's batch limits and page sizes (derived in
docs/benchmarks.md): for R repositories, C clusters holding n₁…n_C services
and A active task definition revisions, a no-op pass needs ⌈R/100⌉
DescribeRepositories, R GetLifecyclePolicy and R ECR ListTagsForResource (no
batch form), ⌈C/100⌉ DescribeClusters, Σ⌈nᵢ/10⌉ DescribeServices and ⌈A/100⌉
ListTaskDefinitions; a first (cold) pass also describes each family's
revision once, N DescribeTaskDefinition.
"""

from __future__ import annotations

import math

from bench.fleet import Fleet
from tests.support import awsrules

Calls = dict[tuple[str, str], int]
"""(service, operation) -> count."""


def noop_pass(shape: Fleet) -> Calls:
    """A pass that reads everything and writes nothing, with revisions already known."""
    active_revisions = shape.services  # one revision per family
    return {
        ("ecr", "DescribeRepositories"): math.ceil(shape.repositories / 100),
        ("ecr", "GetLifecyclePolicy"): shape.repositories,
        ("ecr", "ListTagsForResource"): shape.repositories,
        ("ecs", "DescribeClusters"): math.ceil(shape.clusters / 100),
        ("ecs", "DescribeServices"): sum(math.ceil(n / 10) for n in shape.per_cluster),
        ("ecs", "ListTaskDefinitions"): max(1, math.ceil(active_revisions / 100)),
    }


def first_pass(shape: Fleet) -> Calls:
    """A pass that also describes every family's revision once (nothing cached yet)."""
    return {**noop_pass(shape), ("ecs", "DescribeTaskDefinition"): shape.services}


def total(calls: Calls) -> int:
    return sum(calls.values())


def floor_seconds(calls: Calls) -> float:
    """The least time `calls` take under ECS's buckets (full at first): per bucket, what
    exceeds its burst at its refill rate; buckets refill side by side, so the slowest one."""
    per_bucket: dict[str, int] = {}
    rates: dict[str, awsrules.Rate] = {}
    for (service, operation), count in calls.items():
        found = awsrules.bucket_of(service, operation)
        if found is not None:
            name, rate = found
            per_bucket[name] = per_bucket.get(name, 0) + count
            rates[name] = rate
    return max(
        (
            max(0.0, count - rates[name].burst) / rates[name].refill
            for name, count in per_bucket.items()
        ),
        default=0.0,
    )
