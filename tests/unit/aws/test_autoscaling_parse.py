"""Application Auto Scaling answers parse into manifest-shaped live state."""

from __future__ import annotations

import pytest

from controller.aws import autoscaling
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, PRUNE_TAG

SLR = (
    "arn:aws:iam::012345678910:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_ECSService"
)
TARGET = {
    "CreationTime": 1557141706.199,
    "MaxCapacity": 10,
    "MinCapacity": 1,
    "ResourceId": "service/default/web-app",
    "RoleARN": SLR,
    "ScalableDimension": "ecs:service:DesiredCount",
    "ServiceNamespace": "ecs",
    "SuspendedState": {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    },
    "ScalableTargetARN": "arn:aws:application-autoscaling:us-west-2:012345678910:scalable-target/0123",
}
POLICY = {
    "PolicyARN": (
        "arn:aws:autoscaling:us-west-2:012345678910:scalingPolicy:6d8972f3:resource/ecs/"
        "service/default/web-app:policyName/web-app-cpu-gt-75"
    ),
    "PolicyName": "web-app-cpu-gt-75",
    "PolicyType": "StepScaling",
    "ResourceId": "service/default/web-app",
    "ScalableDimension": "ecs:service:DesiredCount",
    "ServiceNamespace": "ecs",
    "CreationTime": 1557144699.23,
    "Alarms": [{"AlarmARN": "arn:aws:cloudwatch:...:alarm:web-app-cpu-gt-75", "AlarmName": "a"}],
    "StepScalingPolicyConfiguration": {
        "AdjustmentType": "PercentChangeInCapacity",
        "Cooldown": 60,
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 200}],
    },
}


def test_a_scalable_target_is_named_by_its_service_and_owned_through_its_tags() -> None:
    """The target of `service/default/web-app` is `default/web-app`, its spec is the register
    request's members (no identity, no creation time), and its owner is the ownership tag."""
    live = autoscaling.parse_scalable_target(TARGET, {OWNER_TAG: "ecsync", "team": "web"})
    assert live.id == ResourceId(Kind.SCALABLE_TARGET, "default/web-app")
    assert live.spec == {
        "MinCapacity": 1,
        "MaxCapacity": 10,
        "RoleARN": SLR,
        "SuspendedState": TARGET["SuspendedState"],
        "tags": {OWNER_TAG: "ecsync", "team": "web"},
    }
    assert live.owner == "ecsync"
    assert live.arn == TARGET["ScalableTargetARN"]


def test_scheduled_actions_are_read_into_the_spec_only_when_asked_for() -> None:
    """Without its scheduled actions, a target's spec has no ScheduledActions field; with
    them, each is a PutScheduledAction request without the target's identity."""
    action = {
        "ScheduledActionName": "business-hours",
        "ScheduledActionARN": "arn:aws:autoscaling:...:scheduledAction:x",
        "ServiceNamespace": "ecs",
        "Schedule": "cron(0 8 * * ? *)",
        "ResourceId": "service/default/web-app",
        "ScalableDimension": "ecs:service:DesiredCount",
        "ScalableTargetAction": {"MinCapacity": 4},
        "CreationTime": 1557144699.23,
    }
    assert "ScheduledActions" not in autoscaling.parse_scalable_target(TARGET, {}).spec
    live = autoscaling.parse_scalable_target(TARGET, {}, [action])
    assert live.spec["ScheduledActions"] == [
        {
            "ScheduledActionName": "business-hours",
            "Schedule": "cron(0 8 * * ? *)",
            "ScalableTargetAction": {"MinCapacity": 4},
        }
    ]


def test_a_policy_is_named_by_its_target_and_belongs_to_its_targets_owner() -> None:
    """A policy is `<cluster>/<service>/<PolicyName>`; its owner and prune protection are
    its target's, its alarms are status."""
    policy = autoscaling.parse_scaling_policy(POLICY)
    assert policy.id == ResourceId(Kind.SCALING_POLICY, "default/web-app/web-app-cpu-gt-75")
    assert policy.spec == {
        "PolicyType": "StepScaling",
        "StepScalingPolicyConfiguration": POLICY["StepScalingPolicyConfiguration"],
    }
    assert policy.owner is None
    target = autoscaling.parse_scalable_target(TARGET, {OWNER_TAG: "ecsync", PRUNE_TAG: "false"})
    owned = autoscaling.with_target(policy, target)
    assert owned.owner == "ecsync"
    assert owned.status[PRUNE_TAG] == "false"


def test_targets_of_other_services_are_refused() -> None:
    """A target that is not an ECS service's desired count is not ecsync's to parse."""
    with pytest.raises(ValueError, match="not an ECS service"):
        autoscaling.parse_scalable_target({**TARGET, "ResourceId": "table/orders"}, {})
