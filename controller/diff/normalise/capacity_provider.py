"""Capacity providers: Auto Scaling group providers and ECS Managed Instances providers.

What ECS fills in when a manifest leaves it out (scaling defaults, the Auto
Scaling group's ARN for its name, the launch template's capacity option) is
filled in on both sides; docs/fidelity.md names the source of each, and
tests/fidelity/cases/capacity-provider/ holds the answers.
"""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common

MANAGED_SCALING_DEFAULTS: dict[str, Any] = {
    "minimumScalingStepSize": 1,
    "maximumScalingStepSize": 10000,
    "instanceWarmupPeriod": 300,
    "targetCapacity": 100,
}

LAUNCH_TEMPLATE_DEFAULTS: dict[str, Any] = {
    "capacityOptionType": "ON_DEMAND",
    "monitoring": "BASIC",
    "instanceMetadataTagsPropagation": True,
}
"""InstanceLaunchTemplate: "The default is On-Demand", basic monitoring "By default",
and instanceMetadataTagsPropagation "The default value is true"."""


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    if "cluster" in result:
        result["cluster"] = common.arn_tail(result["cluster"], ":cluster/")
    provider = result.get("autoScalingGroupProvider")
    if isinstance(provider, dict):
        result["autoScalingGroupProvider"] = _auto_scaling_group(provider)
    managed = result.get("managedInstancesProvider")
    if isinstance(managed, dict):
        result["managedInstancesProvider"] = _managed_instances(managed)
    return result


def _auto_scaling_group(provider: dict[str, Any]) -> dict[str, Any]:
    result = dict(provider)
    result["autoScalingGroupArn"] = common.arn_tail(
        result.get("autoScalingGroupArn"), "autoScalingGroupName/"
    )
    if "managedScaling" in result:
        result["managedScaling"] = common.with_defaults(
            result["managedScaling"], MANAGED_SCALING_DEFAULTS
        )
    result.setdefault("managedTerminationProtection", "DISABLED")
    result.setdefault("managedDraining", "ENABLED")
    return result


def _managed_instances(provider: dict[str, Any]) -> dict[str, Any]:
    result = dict(provider)
    template = result.get("instanceLaunchTemplate")
    if isinstance(template, dict):
        template = common.with_defaults(template, LAUNCH_TEMPLATE_DEFAULTS)
        network = template.get("networkConfiguration")
        if isinstance(network, dict):
            template["networkConfiguration"] = _sorted_lists(network)
        requirements = template.get("instanceRequirements")
        if isinstance(requirements, dict):
            template["instanceRequirements"] = _sorted_lists(requirements)
        result["instanceLaunchTemplate"] = template
    return result


def _sorted_lists(value: dict[str, Any]) -> dict[str, Any]:
    """Lists of names (subnets, security groups, instance types, manufacturers...) are sets."""
    return {
        k: sorted(v) if isinstance(v, list) and all(isinstance(i, str) for i in v) else v
        for k, v in value.items()
    }
