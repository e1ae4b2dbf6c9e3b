"""Scalable targets and scaling policies export as minimal manifests that plan as in sync."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from controller.aws import autoscaling
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG
from controller.plan import export
from controller.plan.planner import PlanOptions, build_plan

SLR = (
    "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_ECSService"
)
TARGET: dict[str, Any] = {
    "ServiceNamespace": "ecs",
    "ResourceId": "service/prod/web",
    "ScalableDimension": "ecs:service:DesiredCount",
    "MinCapacity": 1,
    "MaxCapacity": 6,
    "RoleARN": SLR,
    "SuspendedState": {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    },
    "CreationTime": 1704067200.0,
    "ScalableTargetARN": "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0a",
}
ACTION = {
    "ScheduledActionName": "mornings",
    "ScheduledActionARN": "arn:aws:autoscaling:...:scheduledActionName/mornings",
    "ServiceNamespace": "ecs",
    "Schedule": "cron(0 7 * * ? *)",
    "Timezone": "UTC",
    "ResourceId": "service/prod/web",
    "ScalableDimension": "ecs:service:DesiredCount",
    "StartTime": 1893456000.0,
    "ScalableTargetAction": {"MinCapacity": 3},
    "CreationTime": 1704067300.0,
}
POLICY = {
    "PolicyARN": "arn:aws:autoscaling:...:policyName/cpu 60%",
    "PolicyName": "cpu 60%",
    "ServiceNamespace": "ecs",
    "ResourceId": "service/prod/web",
    "ScalableDimension": "ecs:service:DesiredCount",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60.0,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
        },
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 300,
        "DisableScaleIn": False,
    },
    "Alarms": [],
    "CreationTime": 1704067200.0,
}


def test_a_target_exports_without_what_aws_fills_in() -> None:
    """The service-linked role, the all-false suspension flags, the UTC time zone and
    ecsync's tag go; an epoch start time is written as ISO 8601 text."""
    target = autoscaling.parse_scalable_target(TARGET, {"team": "web", OWNER_TAG: "x"}, [ACTION])
    exported = export.export(target)
    assert exported.document["metadata"] == {"name": "prod/web"}
    assert exported.spec == {
        "MinCapacity": 1,
        "MaxCapacity": 6,
        "ScheduledActions": [
            {
                "ScheduledActionName": "mornings",
                "Schedule": "cron(0 7 * * ? *)",
                "StartTime": "2030-01-01T00:00:00Z",
                "ScalableTargetAction": {"MinCapacity": 3},
            }
        ],
        "tags": {"team": "web"},
    }
    assert exported.path == PurePosixPath("scalable-targets/prod/web.yaml")


def test_a_policy_exports_minimal_under_a_safe_file_name() -> None:
    """Default cooldowns and scale-in go; a policy name with unsafe characters gets a file
    name of safe ones and a digest, under its target's folder."""
    policy = autoscaling.parse_scaling_policy(POLICY)
    exported = export.export(policy)
    assert exported.spec == {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
    }
    path = exported.path
    assert path.parent == PurePosixPath("scaling-policies/prod/web")
    assert path.name.startswith("cpu_60_-")
    assert path.suffix == ".yaml"
    assert export.path_for(ResourceId(Kind.SCALING_POLICY, "prod/web/../x")).parent == path.parent


def test_exported_target_and_policy_plan_as_in_sync() -> None:
    """The exported documents, planned against what they came from, change nothing."""
    target = autoscaling.parse_scalable_target(TARGET, {OWNER_TAG: "ecsync"}, [ACTION])
    policy = autoscaling.with_target(autoscaling.parse_scaling_policy(POLICY), target)
    desired = [export.export(target).desired(), export.export(policy).desired()]
    plan = build_plan(desired, {target.id: target, policy.id: policy}, PlanOptions())
    assert plan.empty, plan.to_dict()
