"""ECS services: ECS's deployment defaults, and references by name."""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common

DEPLOYMENT_DEFAULTS: dict[str, Any] = {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}
CIRCUIT_BREAKER_DEFAULTS: dict[str, Any] = {"enable": False, "rollback": False}

TOP_LEVEL_DEFAULTS: dict[str, Any] = {
    "schedulingStrategy": "REPLICA",
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "deploymentController": {"type": "ECS"},
    "healthCheckGracePeriodSeconds": 0,
}


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    for field, default in TOP_LEVEL_DEFAULTS.items():
        result.setdefault(field, default)
    if "cluster" in result:
        result["cluster"] = common.arn_tail(result["cluster"], ":cluster/")
    if "taskDefinition" in result:
        result["taskDefinition"] = common.arn_tail(result["taskDefinition"], ":task-definition/")
    if "role" in result:
        result["role"] = common.role_name(result["role"])
    if "deploymentConfiguration" in result:
        result["deploymentConfiguration"] = _deployment(
            result["deploymentConfiguration"], result["schedulingStrategy"]
        )
    network = result.get("networkConfiguration")
    if isinstance(network, dict) and isinstance(network.get("awsvpcConfiguration"), dict):
        vpc = {"assignPublicIp": "DISABLED", **network["awsvpcConfiguration"]}
        for field in ("subnets", "securityGroups"):
            if isinstance(vpc.get(field), list):
                vpc[field] = sorted(vpc[field])
        result["networkConfiguration"] = {**network, "awsvpcConfiguration": vpc}
    if "capacityProviderStrategy" in result:
        result["capacityProviderStrategy"] = common.strategy(result["capacityProviderStrategy"])
    for field in ("placementConstraints", "loadBalancers", "serviceRegistries"):
        if field in result:
            result[field] = common.sorted_by(result[field], repr)
    return result


def _deployment(config: Any, scheduling: str) -> Any:
    if not isinstance(config, dict):
        return config
    defaults = dict(DEPLOYMENT_DEFAULTS)
    if scheduling == "DAEMON":
        defaults = {"maximumPercent": 100, "minimumHealthyPercent": 0}
    result = common.with_defaults(config, defaults)
    if "deploymentCircuitBreaker" in result:
        result["deploymentCircuitBreaker"] = common.with_defaults(
            result["deploymentCircuitBreaker"], CIRCUIT_BREAKER_DEFAULTS
        )
    return result
