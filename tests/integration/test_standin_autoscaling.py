"""The local stand-in answers Application Auto Scaling as AWS does (ecsync_local/fixes/
autoscaling.py): tags, the defaults of a registration, deregistration, paging, not-found."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.arrange import register

ECS_DIMENSION = {"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}


@pytest.fixture
def aas(boto_client: Callable[[str], Any], ecs: Any) -> Any:
    """An Application Auto Scaling client, with services web and api (2 tasks) in prod."""
    ecs.create_cluster(clusterName="prod")
    register(ecs, "web")
    for name in ("web", "api"):
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition="web", desiredCount=2)
    return boto_client("application-autoscaling")


def target(aas: Any, service: str = "web", **extra: Any) -> dict[str, Any]:
    aas.register_scalable_target(
        ResourceId=f"service/prod/{service}", MinCapacity=1, MaxCapacity=4, **ECS_DIMENSION, **extra
    )
    (found,) = aas.describe_scalable_targets(
        ResourceIds=[f"service/prod/{service}"], **ECS_DIMENSION
    )["ScalableTargets"]
    return dict(found)


def test_a_registration_reports_the_service_linked_role_and_suspension_flags(aas: Any) -> None:
    """Registered without RoleARN or SuspendedState, a target reports the ECS service-linked
    role and three false flags, as DescribeScalableTargets' example shows."""
    found = target(aas)
    assert found["RoleARN"].endswith(
        "/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
    )
    assert found["SuspendedState"] == {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    }


def test_tags_are_set_at_registration_and_by_the_tagging_calls(aas: Any) -> None:
    """Tags given to RegisterScalableTarget are listed; TagResource adds, UntagResource
    removes; an ARN that is no target is ResourceNotFoundException."""
    arn = target(aas, Tags={"team": "web"})["ScalableTargetARN"]
    aas.tag_resource(ResourceARN=arn, Tags={"env": "prod"})
    aas.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"env": "prod"}
    with pytest.raises(ClientError) as raised:
        aas.list_tags_for_resource(ResourceARN=arn + "x")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_registration_brings_the_desired_count_into_its_range(aas: Any, ecs: Any) -> None:
    """A minimum above the service's desired count raises the count to it."""
    target(aas)
    aas.register_scalable_target(ResourceId="service/prod/web", MinCapacity=3, **ECS_DIMENSION)
    (service,) = ecs.describe_services(cluster="prod", services=["web"])["services"]
    assert service["desiredCount"] == 3


def test_deregistering_deletes_policies_and_scheduled_actions(aas: Any) -> None:
    """After DeregisterScalableTarget the target's policies and scheduled actions are gone,
    and deleting them again is ObjectNotFoundException."""
    target(aas)
    aas.put_scaling_policy(
        PolicyName="cpu",
        ResourceId="service/prod/web",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
        **ECS_DIMENSION,
    )
    aas.put_scheduled_action(
        ScheduledActionName="m",
        ResourceId="service/prod/web",
        Schedule="rate(1 day)",
        **ECS_DIMENSION,
    )
    aas.deregister_scalable_target(ResourceId="service/prod/web", **ECS_DIMENSION)

    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"] == []
    deletes: list[tuple[str, dict[str, Any]]] = [
        ("deregister_scalable_target", {}),
        ("delete_scaling_policy", {"PolicyName": "cpu"}),
        ("delete_scheduled_action", {"ScheduledActionName": "m"}),
    ]
    for operation, named in deletes:
        with pytest.raises(ClientError) as raised:
            getattr(aas, operation)(ResourceId="service/prod/web", **ECS_DIMENSION, **named)
        assert raised.value.response["Error"]["Code"] == "ObjectNotFoundException"


def test_describes_page_and_match_resource_ids_exactly(aas: Any) -> None:
    """DescribeScalableTargets pages by MaxResults and NextToken (more than 50 is refused),
    and a ResourceId filter is exact: `service/prod/web` is not `service/prod/web2`."""
    target(aas, "web")
    target(aas, "api")
    first = aas.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=1)
    second = aas.describe_scalable_targets(ServiceNamespace="ecs", NextToken=first["NextToken"])
    ids = [t["ResourceId"] for t in first["ScalableTargets"] + second["ScalableTargets"]]
    assert sorted(ids) == ["service/prod/api", "service/prod/web"]
    assert "NextToken" not in second
    with pytest.raises(ClientError) as raised:
        aas.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=51)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    policies = aas.describe_scaling_policies(ResourceId="service/prod/we", **ECS_DIMENSION)
    assert policies["ScalingPolicies"] == []
