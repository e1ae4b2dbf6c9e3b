"""UpdateCapacityProvider sends what ECS can change in place and refuses the rest."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import calls, errors
from controller.aws.clusters import CapacityProviderWriter
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live

GROUP = "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:uuid:autoScalingGroupName/workers"
ROLE = "arn:aws:iam::1:role/ecsInfrastructureRole"
PROFILE = "arn:aws:iam::1:instance-profile/ecsInstanceRole"
NETWORK = {"subnets": ["subnet-a"], "securityGroups": ["sg-1"]}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every request the writer sends (operation and parameters), answered with nothing."""
    requests: list[dict[str, Any]] = []

    def fake_call(aws: Any, service: str, operation: str, resource: str, **params: Any) -> Any:
        requests.append({"operation": operation, **params})
        return {}

    monkeypatch.setattr(calls, "call", fake_call)
    return requests


def _update(spec: dict[str, Any], live_spec: dict[str, Any], fields: set[str]) -> None:
    rid = ResourceId(Kind.CAPACITY_PROVIDER, "workers")
    live = Live(rid, "arn:aws:ecs:us-east-1:1:capacity-provider/workers", live_spec)
    CapacityProviderWriter().update(None, rid, spec, live, frozenset(fields))  # type: ignore[arg-type]


def test_a_group_named_by_name_is_the_group_ecs_reports_by_arn(sent: list[dict[str, Any]]) -> None:
    """A manifest naming its Auto Scaling group by name updates managed scaling in place."""
    scaling = {"status": "ENABLED", "targetCapacity": 90}
    spec = {
        "autoScalingGroupProvider": {"autoScalingGroupArn": "workers", "managedScaling": scaling}
    }
    live = {"autoScalingGroupProvider": {"autoScalingGroupArn": GROUP}}
    _update(spec, live, {"autoScalingGroupProvider"})
    assert sent == [
        {
            "operation": "update_capacity_provider",
            "name": "workers",
            "autoScalingGroupProvider": {"managedScaling": scaling},
        }
    ]


def test_managed_instances_settings_are_updated_in_place(sent: list[dict[str, Any]]) -> None:
    """Storage and tag propagation change through UpdateCapacityProvider, with the cluster."""
    template = {
        "ec2InstanceProfileArn": PROFILE,
        "networkConfiguration": NETWORK,
        "capacityOptionType": "ON_DEMAND",
        "storageConfiguration": {"storageSizeGiB": 100},
    }
    spec = {
        "cluster": "prod",
        "managedInstancesProvider": {
            "infrastructureRoleArn": ROLE,
            "propagateTags": "CAPACITY_PROVIDER",
            "instanceLaunchTemplate": template,
        },
    }
    live = {"cluster": "prod", "managedInstancesProvider": {"instanceLaunchTemplate": {}}}
    _update(spec, live, {"managedInstancesProvider"})
    assert sent == [
        {
            "operation": "update_capacity_provider",
            "name": "workers",
            "cluster": "prod",
            "managedInstancesProvider": {
                "infrastructureRoleArn": ROLE,
                "propagateTags": "CAPACITY_PROVIDER",
                "instanceLaunchTemplate": {
                    "ec2InstanceProfileArn": PROFILE,
                    "networkConfiguration": NETWORK,
                    "storageConfiguration": {"storageSizeGiB": 100},
                },
            },
        }
    ]


def test_a_new_capacity_option_needs_a_new_provider(sent: list[dict[str, Any]]) -> None:
    """On-Demand to Spot cannot change in place: a permanent error, and nothing is sent."""
    template = {"ec2InstanceProfileArn": PROFILE, "networkConfiguration": NETWORK}
    spec = {
        "cluster": "prod",
        "managedInstancesProvider": {
            "infrastructureRoleArn": ROLE,
            "instanceLaunchTemplate": {**template, "capacityOptionType": "SPOT"},
        },
    }
    live = {"cluster": "prod", "managedInstancesProvider": {"instanceLaunchTemplate": template}}
    with pytest.raises(errors.PermanentAwsError, match=r"capacityOptionType.*new provider"):
        _update(spec, live, {"managedInstancesProvider"})
    assert sent == []
