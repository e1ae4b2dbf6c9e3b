"""Readers batch at AWS's per-call limits (the batches sent side by side, so in any order)
and describe nothing twice."""

from __future__ import annotations

from typing import Any

from controller.aws import clusters, repositories, services
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from tests.support import arrange
from tests.support.counting import CallCounter


def test_25_services_take_exactly_3_describe_calls(
    aws: Aws, ecs: Any, calls_sent: CallCounter
) -> None:
    """25 wanted services are described 10, 10 and 5 at a time."""
    names = [f"svc-{n:02}" for n in range(25)]
    arrange.services(ecs, "prod", names)

    found = services.read_services(aws, {"prod": frozenset(names)})

    assert sorted(found) == [ResourceId(Kind.SERVICE, n, "prod") for n in names]
    assert sorted(len(p["services"]) for p in calls_sent.params("DescribeServices")) == [5, 10, 10]


def test_services_are_batched_per_cluster(aws: Aws, ecs: Any, calls_sent: CallCounter) -> None:
    """Each cluster gets its own batches; a missing service or cluster is simply absent."""
    arrange.services(ecs, "a", [f"a{n:02}" for n in range(12)])
    arrange.services(ecs, "b", ["b1"])
    wanted = {
        "a": frozenset(f"a{n:02}" for n in range(12)),
        "b": frozenset({"b1", "missing"}),
        "nowhere": frozenset({"x"}),
    }

    found = services.read_services(aws, wanted)

    assert len(found) == 13
    assert sorted(
        (p["cluster"], len(p["services"])) for p in calls_sent.params("DescribeServices")
    ) == [
        ("a", 2),
        ("a", 10),
        ("b", 2),
        ("nowhere", 1),
    ]


def test_a_missing_cluster_costs_one_describe_call(
    aws: Aws, ecs: Any, calls_sent: CallCounter
) -> None:
    """25 services wanted in a cluster that does not exist yet: one DescribeServices, not 3;
    the batches of an existing cluster beside it are all sent."""
    arrange.services(ecs, "here", [f"h{n:02}" for n in range(15)])
    wanted = {
        "absent": frozenset(f"svc-{n:02}" for n in range(25)),
        "here": frozenset(f"h{n:02}" for n in range(15)),
    }

    found = services.read_services(aws, wanted)

    assert len(found) == 15
    assert sorted(
        (p["cluster"], len(p["services"])) for p in calls_sent.params("DescribeServices")
    ) == [("absent", 10), ("here", 5), ("here", 10)]


def test_150_clusters_take_2_describe_calls(aws: Aws, ecs: Any, calls_sent: CallCounter) -> None:
    """150 clusters are described 100 and 50 at a time; INACTIVE and missing ones are absent."""
    names = [f"c{n:03}" for n in range(150)]
    for name in names:
        ecs.create_cluster(clusterName=name)
    ecs.delete_cluster(cluster="c007")

    found = clusters.read_clusters(aws, [*names, "never-created"])

    assert sorted(found) == [n for n in names if n != "c007"]
    assert sorted(len(p["clusters"]) for p in calls_sent.params("DescribeClusters")) == [51, 100]
    assert {tuple(p["include"]) for p in calls_sent.params("DescribeClusters")} == {
        ("TAGS", "SETTINGS", "CONFIGURATIONS")
    }


def test_150_capacity_providers_take_2_describe_calls(
    aws: Aws, ecs: Any, calls_sent: CallCounter
) -> None:
    """150 providers are described 100 and 50 at a time; FARGATE is never asked for."""
    names = [f"cp{n:03}" for n in range(150)]
    for name in names:
        ecs.create_capacity_provider(
            name=name,
            autoScalingGroupProvider={"autoScalingGroupArn": f"arn:aws:autoscaling:::{name}"},
        )

    found = clusters.read_capacity_providers(aws, [*names, "FARGATE", "FARGATE_SPOT"])

    assert sorted(found) == names
    assert sorted(
        len(p["capacityProviders"]) for p in calls_sent.params("DescribeCapacityProviders")
    ) == [50, 100]


def test_150_repositories_take_2_describe_calls(
    aws: Aws, ecr: Any, calls_sent: CallCounter
) -> None:
    """150 existing repositories are described 100 and 50 at a time, tags read once each."""
    names = [f"repo-{n:03}" for n in range(150)]
    for name in names:
        ecr.create_repository(repositoryName=name)

    found = repositories.read_repositories(aws, dict.fromkeys(names, frozenset()))

    assert sorted(found) == names
    assert sorted(len(p["repositoryNames"]) for p in calls_sent.params("DescribeRepositories")) == [
        50,
        100,
    ]
    assert calls_sent["ListTagsForResource"] == 150


def test_a_missing_repository_falls_back_to_one_listing(
    aws: Aws, ecr: Any, calls_sent: CallCounter
) -> None:
    """When AWS fails a batch for one missing name, all repositories are listed once instead."""
    for name in ("api", "web", "unrelated"):
        ecr.create_repository(repositoryName=name)

    found = repositories.read_repositories(
        aws, {"api": frozenset(), "ghost": frozenset(), "web": frozenset()}
    )

    assert sorted(found) == ["api", "web"]
    assert calls_sent.params("DescribeRepositories") == [
        {"repositoryNames": ["api", "ghost", "web"]},
        {"maxResults": 1000},
    ]
    assert calls_sent["ListTagsForResource"] == 2
