"""ECS clusters and capacity providers: reader shape and minimal writes."""

from __future__ import annotations

from typing import Any

import pytest

import ecsync_local as local
from controller.aws import clusters, errors
from controller.aws.clients import Aws
from controller.aws.writers import WRITERS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live
from tests.support.counting import CallCounter

PROD = ResourceId(Kind.CLUSTER, "prod")
CLUSTERS = WRITERS[Kind.CLUSTER]
PROVIDERS = WRITERS[Kind.CAPACITY_PROVIDER]
OWNED = {OWNER_TAG: "ecsync"}
CLUSTER_SPEC: dict[str, Any] = {
    "settings": [{"name": "containerInsights", "value": "enabled"}],
    "capacityProviders": ["FARGATE"],
    "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
    "tags": {**OWNED, "env": "prod"},
}


def read_cluster(aws: Aws) -> Live:
    return clusters.read_clusters(aws, ["prod"])["prod"]


def test_cluster_create_then_read_back(aws: Aws) -> None:
    """A created cluster reads back with its spec, tags as a mapping, owner and status."""
    arn = CLUSTERS.create(aws, PROD, CLUSTER_SPEC)
    live = read_cluster(aws)

    assert live.arn == arn
    assert {k: live.spec[k] for k in CLUSTER_SPEC} == CLUSTER_SPEC
    assert "clusterName" not in live.spec
    assert live.owner == "ecsync"
    assert live.status["status"] == "ACTIVE"


def test_cluster_settings_change_is_one_update_cluster(aws: Aws, calls_sent: CallCounter) -> None:
    """Only the changed settings go out, in one UpdateCluster; nothing else is written."""
    CLUSTERS.create(aws, PROD, CLUSTER_SPEC)
    calls_sent.clear()
    settings = [{"name": "containerInsights", "value": "disabled"}]

    CLUSTERS.update(
        aws,
        PROD,
        {**CLUSTER_SPEC, "settings": settings},
        read_cluster(aws),
        frozenset({"settings"}),
    )

    assert calls_sent.params("UpdateCluster") == [{"cluster": "prod", "settings": settings}]
    assert calls_sent["PutClusterCapacityProviders"] == calls_sent["TagResource"] == 0
    assert read_cluster(aws).spec["settings"] == settings


def test_capacity_change_sends_both_lists(aws: Aws, calls_sent: CallCounter) -> None:
    """A changed strategy is written with PutClusterCapacityProviders carrying both lists."""
    CLUSTERS.create(aws, PROD, CLUSTER_SPEC)
    calls_sent.clear()
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    desired = {
        **CLUSTER_SPEC,
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": strategy,
    }

    CLUSTERS.update(
        aws, PROD, desired, read_cluster(aws), frozenset({"defaultCapacityProviderStrategy"})
    )

    assert calls_sent.params("PutClusterCapacityProviders") == [
        {
            "cluster": "prod",
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": strategy,
        }
    ]
    assert calls_sent["UpdateCluster"] == 0
    # ECS reports the base it defaults to (aws-cli create-cluster.rst Example 2).
    assert read_cluster(aws).spec["defaultCapacityProviderStrategy"] == [{**strategy[0], "base": 0}]


def test_cluster_tags_only_touch_tags(aws: Aws, ecs: Any, calls_sent: CallCounter) -> None:
    """A tag change is TagResource/UntagResource alone, and AWS's own aws: tags are kept."""
    CLUSTERS.create(aws, PROD, CLUSTER_SPEC)
    live = read_cluster(aws)
    ecs.tag_resource(resourceArn=live.arn, tags=[{"key": "aws:cloudformation:stack", "value": "s"}])
    calls_sent.clear()

    CLUSTERS.update(
        aws, PROD, {**CLUSTER_SPEC, "tags": OWNED}, read_cluster(aws), frozenset({"tags"})
    )

    assert calls_sent.params("UntagResource") == [{"resourceArn": live.arn, "tagKeys": ["env"]}]
    assert calls_sent["UpdateCluster"] == calls_sent["TagResource"] == 0
    assert read_cluster(aws).spec["tags"] == OWNED
    raw = ecs.describe_clusters(clusters=["prod"], include=["TAGS"])["clusters"][0]["tags"]
    assert {"key": "aws:cloudformation:stack", "value": "s"} in raw


def test_cluster_delete_makes_it_absent(aws: Aws) -> None:
    """A deleted cluster (INACTIVE) is absent from the next read."""
    CLUSTERS.create(aws, PROD, CLUSTER_SPEC)

    CLUSTERS.delete(aws, PROD, read_cluster(aws))

    assert clusters.read_clusters(aws, ["prod"]) == {}


def test_list_owned_clusters(aws: Aws, ecs: Any) -> None:
    """Only ACTIVE clusters tagged with this instance are listed as owned."""
    CLUSTERS.create(aws, PROD, CLUSTER_SPEC)
    gone = ResourceId(Kind.CLUSTER, "gone")
    CLUSTERS.create(aws, gone, {"tags": OWNED})
    CLUSTERS.delete(aws, gone, clusters.read_clusters(aws, ["gone"])["gone"])
    ecs.create_cluster(clusterName="theirs", tags=[{"key": OWNER_TAG, "value": "other"}])

    assert list(clusters.list_owned_clusters(aws, "ecsync")) == ["prod"]


def provider_spec(sandbox: local.Sandbox) -> dict[str, Any]:
    return {
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": sandbox.asg_arn,
            "managedScaling": {"status": "ENABLED", "targetCapacity": 80},
            "managedTerminationProtection": "DISABLED",
        },
        "tags": OWNED,
    }


EC2 = ResourceId(Kind.CAPACITY_PROVIDER, "ec2")


def read_provider(aws: Aws) -> Live:
    return clusters.read_capacity_providers(aws, ["ec2"])["ec2"]


def test_capacity_provider_create_then_read_back(aws: Aws, sandbox: local.Sandbox) -> None:
    """A created provider reads back with its Auto Scaling group, tags and owner."""
    arn = PROVIDERS.create(aws, EC2, provider_spec(sandbox))
    live = read_provider(aws)

    assert live.arn == arn
    assert live.owner == "ecsync"
    assert live.spec["tags"] == OWNED
    assert live.spec["autoScalingGroupProvider"]["autoScalingGroupArn"] == sandbox.asg_arn
    assert live.spec["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 80


def test_capacity_provider_update_sends_only_updatable_parts(
    aws: Aws, sandbox: local.Sandbox, calls_sent: CallCounter
) -> None:
    """UpdateCapacityProvider carries managedScaling & co, never the Auto Scaling group ARN."""
    PROVIDERS.create(aws, EC2, provider_spec(sandbox))
    calls_sent.clear()
    desired = provider_spec(sandbox)
    desired["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] = 60

    PROVIDERS.update(aws, EC2, desired, read_provider(aws), frozenset({"autoScalingGroupProvider"}))

    assert calls_sent.params("UpdateCapacityProvider") == [
        {
            "name": "ec2",
            "autoScalingGroupProvider": {
                "managedScaling": {"status": "ENABLED", "targetCapacity": 60},
                "managedTerminationProtection": "DISABLED",
            },
        }
    ]
    assert (
        read_provider(aws).spec["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"]
        == 60
    )


def test_capacity_provider_keeps_its_auto_scaling_group(
    aws: Aws, sandbox: local.Sandbox, calls_sent: CallCounter
) -> None:
    """A different Auto Scaling group ARN is refused: the provider must be replaced."""
    PROVIDERS.create(aws, EC2, provider_spec(sandbox))
    calls_sent.clear()
    desired = provider_spec(sandbox)
    desired["autoScalingGroupProvider"]["autoScalingGroupArn"] += "-other"

    with pytest.raises(errors.PermanentAwsError, match="create a new provider"):
        PROVIDERS.update(
            aws, EC2, desired, read_provider(aws), frozenset({"autoScalingGroupProvider"})
        )

    assert calls_sent["UpdateCapacityProvider"] == 0


def test_capacity_provider_delete_and_owned_listing(
    aws: Aws, sandbox: local.Sandbox, ecs: Any
) -> None:
    """Owned providers are listed (FARGATE never is); a deleted one, even twice, is absent."""
    PROVIDERS.create(aws, EC2, provider_spec(sandbox))
    ecs.create_capacity_provider(
        name="theirs", autoScalingGroupProvider={"autoScalingGroupArn": sandbox.asg_arn}
    )

    assert list(clusters.list_owned_capacity_providers(aws, "ecsync")) == ["ec2"]

    live = read_provider(aws)
    PROVIDERS.delete(aws, EC2, live)
    PROVIDERS.delete(aws, EC2, live)

    assert clusters.read_capacity_providers(aws, ["ec2"]) == {}
    assert clusters.list_owned_capacity_providers(aws, "ecsync") == {}
