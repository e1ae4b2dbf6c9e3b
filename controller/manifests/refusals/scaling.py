"""What Application Auto Scaling refuses for an ECS service that botocore's model does not say.

Each rule names its source: the Application Auto Scaling API Reference's
documentation of the member (botocore's model carries the same text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from controller.manifests.refusals.base import Found, Path, entries, mapping, number, rule, text

REGISTER, PUT_POLICY, PUT_ACTION = (
    "RegisterScalableTarget",
    "PutScalingPolicy",
    "PutScheduledAction",
)

CONFIGURATIONS = {
    "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
    "StepScaling": "StepScalingPolicyConfiguration",
    "PredictiveScaling": "PredictiveScalingPolicyConfiguration",
}
"""Each PolicyType and the configuration member it needs ("This parameter is required if
you are creating a policy and the policy type is ...")."""

ECS_METRICS = frozenset(
    {
        "ECSServiceAverageCPUUtilization",
        "ECSServiceAverageMemoryUtilization",
        "ECSServiceAverageCPUUtilizationHighResolution",
        "ECSServiceAverageMemoryUtilizationHighResolution",
        "ALBRequestCountPerTarget",
    }
)
"""The predefined metrics of an ECS service's desired count (PredefinedMetricSpecification
.PredefinedMetricType: the ECSService* types; ALBRequestCountPerTarget for "the Spot Fleet
or ECS service" behind a target group)."""
LOAD_BALANCER_METRIC = "ALBRequestCountPerTarget"


# ValidationException "Minimum capacity cannot be greater than maximum capacity"
# (RegisterScalableTarget, MinCapacity/MaxCapacity; PutScheduledAction, ScalableTargetAction).
# A manifest's ScheduledActions ride on its RegisterScalableTarget request.
@rule("scalable-target-min-above-max", REGISTER, PUT_ACTION)
def _min_above_max(request: Mapping[str, Any]) -> Found:
    holders: list[tuple[Path, Mapping[str, Any]]] = [
        ((), request),
        (("ScalableTargetAction",), mapping(request.get("ScalableTargetAction"))),
    ]
    for i, action in entries(request.get("ScheduledActions")):
        path: Path = ("ScheduledActions", i, "ScalableTargetAction")
        holders.append((path, mapping(action.get("ScalableTargetAction"))))
    for path, holder in holders:
        low, high = number(holder.get("MinCapacity")), number(holder.get("MaxCapacity"))
        if low is not None and high is not None and low > high:
            yield (
                (*path, "MinCapacity"),
                f"MinCapacity {low} is above MaxCapacity {high}; "
                "the minimum cannot be greater than the maximum",
            )


# PutScalingPolicy.PolicyType ("required if you are creating a scaling policy") and each
# configuration member ("required if ... the policy type is" its type).
@rule("scaling-policy-configuration", PUT_POLICY)
def _configuration(request: Mapping[str, Any]) -> Found:
    policy_type = text(request.get("PolicyType"))
    if policy_type is None:
        yield ("PolicyType",), "a scaling policy needs its PolicyType; add one"
        return
    wanted = CONFIGURATIONS.get(policy_type)
    if wanted is not None and request.get(wanted) is None:
        yield (wanted,), f"a {policy_type} policy needs {wanted}; add it"
    for member in CONFIGURATIONS.values():
        if member != wanted and request.get(member) is not None:
            yield (member,), f"{member} is for another PolicyType than {policy_type}; remove it"


# TargetTrackingScalingPolicyConfiguration: "You can specify either a predefined metric or a
# customized metric."
@rule("target-tracking-one-metric", PUT_POLICY)
def _one_metric(request: Mapping[str, Any]) -> Found:
    config = request.get("TargetTrackingScalingPolicyConfiguration")
    if not isinstance(config, Mapping):
        return
    given = [
        m for m in ("PredefinedMetricSpecification", "CustomizedMetricSpecification") if m in config
    ]
    path = ("TargetTrackingScalingPolicyConfiguration",)
    if not given:
        yield path, "give PredefinedMetricSpecification or CustomizedMetricSpecification"
    elif len(given) > 1:
        yield (*path, given[1]), "give a predefined metric or a customized metric, not both"


# PredefinedMetricSpecification: the ECSService* metric types, and ALBRequestCountPerTarget
# with its ResourceLabel ("You can't specify a resource label unless the metric type is
# ALBRequestCountPerTarget and there is a target group attached to the ... ECS service").
@rule("ecs-predefined-metric", PUT_POLICY)
def _ecs_metric(request: Mapping[str, Any]) -> Found:
    config = mapping(request.get("TargetTrackingScalingPolicyConfiguration"))
    predefined = mapping(config.get("PredefinedMetricSpecification"))
    path = ("TargetTrackingScalingPolicyConfiguration", "PredefinedMetricSpecification")
    metric = text(predefined.get("PredefinedMetricType"))
    if metric is not None and metric not in ECS_METRICS:
        yield (
            (*path, "PredefinedMetricType"),
            f"{metric} is not a metric of an ECS service; use one of "
            + ", ".join(sorted(ECS_METRICS)),
        )
    label = predefined.get("ResourceLabel")
    if metric == LOAD_BALANCER_METRIC and not label:
        yield path, "ALBRequestCountPerTarget needs the ResourceLabel of its target group; add it"
    elif metric != LOAD_BALANCER_METRIC and label is not None:
        yield (*path, "ResourceLabel"), "a ResourceLabel goes with ALBRequestCountPerTarget only"
