"""What Application Auto Scaling fills in for scalable targets and scaling policies never
shows as a difference, and a real change still does."""

from __future__ import annotations

from typing import Any

from controller.core.kinds import Kind
from controller.diff.compare import compare
from controller.diff.normalise import normalise
from controller.diff.normalise.scalable_target import timestamp


def _paths(kind: Kind, desired: dict[str, Any], live: dict[str, Any]) -> list[str]:
    d, v = normalise(kind, desired), normalise(kind, live)
    return [c.path for c in compare(d, v, set(desired) - {"tags"})]


SUSPENDED_ALL_FALSE = {
    "DynamicScalingInSuspended": False,
    "DynamicScalingOutSuspended": False,
    "ScheduledScalingSuspended": False,
}


def test_a_partial_suspended_state_equals_the_full_one_aws_reports() -> None:
    """The members of SuspendedState a manifest leaves out are false, as AWS reports them."""
    desired = {"SuspendedState": {"DynamicScalingInSuspended": False}}
    live = {"SuspendedState": SUSPENDED_ALL_FALSE}
    assert _paths(Kind.SCALABLE_TARGET, desired, live) == []


def test_a_suspension_set_outside_ecsync_is_a_change_at_its_path() -> None:
    """A suspension turned on by hand differs at exactly that member."""
    desired: dict[str, Any] = {"SuspendedState": {}}
    live = {"SuspendedState": {**SUSPENDED_ALL_FALSE, "ScheduledScalingSuspended": True}}
    paths = _paths(
        Kind.SCALABLE_TARGET, {"SuspendedState": {"ScheduledScalingSuspended": False}}, live
    )
    assert paths == ["/SuspendedState/ScheduledScalingSuspended"]
    assert normalise(Kind.SCALABLE_TARGET, desired)["SuspendedState"] == SUSPENDED_ALL_FALSE


def test_scheduled_actions_compare_by_name_with_utc_and_epoch_times() -> None:
    """Order, the UTC default time zone and epoch-seconds times do not make a difference."""
    desired = {
        "ScheduledActions": [
            {"ScheduledActionName": "b", "Schedule": "cron(0 20 * * ? *)"},
            {
                "ScheduledActionName": "a",
                "Schedule": "cron(0 8 * * ? *)",
                "StartTime": "2030-01-01T00:00:00Z",
                "ScalableTargetAction": {"MinCapacity": 2},
            },
        ]
    }
    live = {
        "ScheduledActions": [
            {
                "ScheduledActionName": "a",
                "Schedule": "cron(0 8 * * ? *)",
                "Timezone": "UTC",
                "StartTime": 1893456000.0,
                "ScalableTargetAction": {"MinCapacity": 2},
            },
            {"ScheduledActionName": "b", "Schedule": "cron(0 20 * * ? *)", "Timezone": "UTC"},
        ]
    }
    assert _paths(Kind.SCALABLE_TARGET, desired, live) == []


def test_a_changed_schedule_is_a_change_of_that_action() -> None:
    """A scheduled action whose schedule changed differs at its Schedule."""
    desired = {"ScheduledActions": [{"ScheduledActionName": "a", "Schedule": "rate(1 day)"}]}
    live = {"ScheduledActions": [{"ScheduledActionName": "a", "Schedule": "rate(2 days)"}]}
    assert _paths(Kind.SCALABLE_TARGET, desired, live) == ["/ScheduledActions/0/Schedule"]


def test_timestamps_read_as_one_instant_whatever_their_spelling() -> None:
    """ISO 8601 with an offset, without a zone (UTC) and epoch seconds are the same instant."""
    assert timestamp("2030-01-01T01:00:00+01:00") == "2030-01-01T00:00:00Z"
    assert timestamp("2030-01-01T00:00:00") == "2030-01-01T00:00:00Z"
    assert timestamp(1893456000) == "2030-01-01T00:00:00Z"
    assert timestamp("not a time") == "not a time"


def _target_tracking(**config: Any) -> dict[str, Any]:
    base = {
        "TargetValue": 60,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
        },
    }
    return {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {**base, **config},
    }


def test_target_tracking_defaults_equal_absent() -> None:
    """DisableScaleIn false, 300-second cooldowns and 60 versus 60.0 are no difference."""
    live = _target_tracking(
        TargetValue=60.0, DisableScaleIn=False, ScaleInCooldown=300, ScaleOutCooldown=300
    )
    assert _paths(Kind.SCALING_POLICY, _target_tracking(), live) == []


def test_a_cooldown_changed_outside_ecsync_differs() -> None:
    """A scale-in cooldown other than the default shows at its path."""
    live = _target_tracking(ScaleInCooldown=60)
    paths = _paths(Kind.SCALING_POLICY, _target_tracking(), live)
    assert paths == ["/TargetTrackingScalingPolicyConfiguration/ScaleInCooldown"]


def _step(steps: list[dict[str, Any]], **config: Any) -> dict[str, Any]:
    return {
        "PolicyType": "StepScaling",
        "StepScalingPolicyConfiguration": {
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": steps,
            **config,
        },
    }


def test_step_adjustments_compare_as_a_set_with_aws_defaults() -> None:
    """Step order, the Average aggregation and the 300-second cooldown are no difference."""
    up = {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 1}
    more = {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 3}
    live = _step([more, up], Cooldown=300, MetricAggregationType="Average")
    assert _paths(Kind.SCALING_POLICY, _step([up, more]), live) == []


def test_a_changed_step_is_a_change_at_its_path() -> None:
    """A step's adjustment changed outside ecsync differs at that step."""
    desired = _step([{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}])
    live = _step([{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 5}])
    paths = _paths(Kind.SCALING_POLICY, desired, live)
    assert paths == ["/StepScalingPolicyConfiguration/StepAdjustments/0/ScalingAdjustment"]
