"""Application Auto Scaling scaling policies: the defaults AWS applies, step adjustments as a set.

PutScalingPolicy replaces a policy's whole configuration, so a field the
manifest leaves out takes AWS's default; both sides are filled with it, so
that AWS's choice never shows as drift and a value set outside ecsync does.
docs/fidelity.md names the source of each rule, and
tests/fidelity/cases/scaling-policy/ holds the answers.
"""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common

TARGET_TRACKING = "TargetTrackingScalingPolicyConfiguration"
STEP_SCALING = "StepScalingPolicyConfiguration"

ECS_COOLDOWN = 300
"""Seconds. StepScalingPolicyConfiguration.Cooldown: "If not specified, the default value
is 300"; target tracking's ScaleInCooldown and ScaleOutCooldown default to 300 for ECS
services (Application Auto Scaling User Guide, "Define cooldown periods"; aws-cdk#6417)."""

TARGET_TRACKING_DEFAULTS: dict[str, Any] = {
    "DisableScaleIn": False,
    "ScaleInCooldown": ECS_COOLDOWN,
    "ScaleOutCooldown": ECS_COOLDOWN,
}
"""TargetTrackingScalingPolicyConfiguration.DisableScaleIn: "The default value is false"."""

STEP_SCALING_DEFAULTS: dict[str, Any] = {
    "Cooldown": ECS_COOLDOWN,
    "MetricAggregationType": "Average",
}
"""StepScalingPolicyConfiguration.MetricAggregationType: "If the aggregation type is null,
the value is treated as Average"."""


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    if isinstance(result.get(TARGET_TRACKING), dict):
        config = common.with_defaults(result[TARGET_TRACKING], TARGET_TRACKING_DEFAULTS)
        config["TargetValue"] = _number(config.get("TargetValue"))
        result[TARGET_TRACKING] = config
    if isinstance(result.get(STEP_SCALING), dict):
        config = common.with_defaults(result[STEP_SCALING], STEP_SCALING_DEFAULTS)
        if isinstance(config.get("StepAdjustments"), list):
            # The intervals may not overlap, so their order says nothing.
            steps = [_step(s) for s in config["StepAdjustments"]]
            config["StepAdjustments"] = sorted(steps, key=_interval)
        result[STEP_SCALING] = config
    return result


def _step(step: Any) -> Any:
    if not isinstance(step, dict):
        return step
    bounds = ("MetricIntervalLowerBound", "MetricIntervalUpperBound")
    return {k: _number(v) if k in bounds else v for k, v in step.items()}


def _interval(step: Any) -> tuple[float, str]:
    """Sort key: by lower bound (an absent one is minus infinity), then as written."""
    lower = step.get("MetricIntervalLowerBound") if isinstance(step, dict) else None
    bound = float(lower) if isinstance(lower, int | float) else float("-inf")
    return bound, common.canonical(step)


def _number(value: Any) -> Any:
    """Doubles as floats: a manifest's `75` and AWS's `75.0` are one value."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
