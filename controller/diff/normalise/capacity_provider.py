"""EC2 capacity providers: the Auto Scaling group by name, ECS's scaling defaults."""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common

MANAGED_SCALING_DEFAULTS: dict[str, Any] = {
    "minimumScalingStepSize": 1,
    "maximumScalingStepSize": 10000,
    "instanceWarmupPeriod": 300,
    "targetCapacity": 100,
}


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    provider = result.get("autoScalingGroupProvider")
    if isinstance(provider, dict):
        provider = dict(provider)
        provider["autoScalingGroupArn"] = common.arn_tail(
            provider.get("autoScalingGroupArn"), "autoScalingGroupName/"
        )
        if "managedScaling" in provider:
            provider["managedScaling"] = common.with_defaults(
                provider["managedScaling"], MANAGED_SCALING_DEFAULTS
            )
        provider.setdefault("managedTerminationProtection", "DISABLED")
        provider.setdefault("managedDraining", "ENABLED")
        result["autoScalingGroupProvider"] = provider
    return result
