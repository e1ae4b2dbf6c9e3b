"""ECS services: ECS's deployment defaults, canonical spellings, and references by name.

Each default and spelling is listed with its source in docs/fidelity.md and
pinned by a case in tests/fidelity/cases/service/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from controller.diff.normalise import common

DEPLOYMENT_DEFAULTS: dict[str, Any] = {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}
CIRCUIT_BREAKER_DEFAULTS: dict[str, Any] = {
    "enable": False,
    "rollback": False,
    "resetOnHealthyTask": True,
}
THRESHOLD_DEFAULTS: dict[str, Any] = {"type": "BOUNDED_PERCENT", "value": 50}
LINEAR_DEFAULTS: dict[str, Any] = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
CANARY_DEFAULTS: dict[str, Any] = {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}
LIFECYCLE_HOOK_DEFAULTS: dict[str, Any] = {"targetType": "AWS_LAMBDA"}
HOOK_TIMEOUT_DEFAULTS: dict[str, Any] = {"timeoutInMinutes": 1440, "action": "ROLLBACK"}
EBS_DEFAULTS: dict[str, Any] = {"filesystemType": "xfs"}

TOP_LEVEL_DEFAULTS: dict[str, Any] = {
    "schedulingStrategy": "REPLICA",
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "deploymentController": {"type": "ECS"},
    "healthCheckGracePeriodSeconds": 0,
}

_STRATEGY_FIELDS = {
    "host": "instanceId",
    "instanceid": "instanceId",
    "cpu": "CPU",
    "memory": "MEMORY",
}
"""Placement strategy fields ECS takes in several spellings and reports in one
(PlacementStrategy.field: `host` is `instanceId`; binpack's `cpu`/`memory` come back
upper-case). Custom attributes (`attribute:...`) are case-sensitive and kept."""


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    if spec.get("deploymentConfiguration") == {}:
        # Sent empty, it still gets every default (DeploymentConfiguration), as when absent.
        result["deploymentConfiguration"] = {}
    for field, default in TOP_LEVEL_DEFAULTS.items():
        result.setdefault(field, default)
    scheduling = result["schedulingStrategy"]
    fixes: dict[str, Callable[[Any], Any]] = {
        **_FIELD_FIXES,
        "deploymentConfiguration": lambda config: _deployment(config, scheduling),
    }
    for field, fix in fixes.items():
        if field in result:
            result[field] = fix(result[field])
    for field in _ORDER_FREE:
        if field in result:
            result[field] = common.sorted_by(result[field], common.canonical)
    return result


_ORDER_FREE = (
    "placementConstraints",
    "loadBalancers",
    "serviceRegistries",
    "vpcLatticeConfigurations",
    "volumeConfigurations",
)
"""Lists whose order ECS does not keep or that mean the same in any order.
`placementStrategy` is not one: ECS applies the strategies in the order given."""


def _network(network: Any) -> Any:
    if not isinstance(network, dict) or not isinstance(network.get("awsvpcConfiguration"), dict):
        return network
    vpc = {"assignPublicIp": "DISABLED", **network["awsvpcConfiguration"]}
    for field in ("subnets", "securityGroups"):
        if isinstance(vpc.get(field), list):
            vpc[field] = sorted(vpc[field])
    return {**network, "awsvpcConfiguration": vpc}


def _each(items: Any, fix: Any) -> Any:
    return [fix(item) for item in items] if isinstance(items, list) else items


def _placement_strategy(item: Any) -> Any:
    if not isinstance(item, dict) or not isinstance(item.get("field"), str):
        return item
    field = _STRATEGY_FIELDS.get(item["field"].lower(), item["field"])
    return {**item, "field": field}


def _service_connect(config: Any) -> Any:
    """Each Service Connect service's `discoveryName` defaults to its `portName`
    (ServiceConnectService.discoveryName); the list is keyed by port name."""
    if not isinstance(config, dict) or not isinstance(config.get("services"), list):
        return config
    services = [
        {"discoveryName": s["portName"], **s} if isinstance(s, dict) and "portName" in s else s
        for s in config["services"]
    ]
    return {**config, "services": common.sorted_by(services, common.field_of("portName"))}


def _volume(item: Any) -> Any:
    if not isinstance(item, dict) or not isinstance(item.get("managedEBSVolume"), dict):
        return item
    return {
        **item,
        "managedEBSVolume": common.with_defaults(item["managedEBSVolume"], EBS_DEFAULTS),
    }


def _deployment(config: Any, scheduling: str) -> Any:
    if not isinstance(config, dict):
        return config
    defaults = dict(DEPLOYMENT_DEFAULTS)
    if scheduling == "DAEMON":
        defaults = {"maximumPercent": 100, "minimumHealthyPercent": 0}
    result = common.with_defaults(config, defaults)
    for field, nested in (
        ("deploymentCircuitBreaker", CIRCUIT_BREAKER_DEFAULTS),
        ("linearConfiguration", LINEAR_DEFAULTS),
        ("canaryConfiguration", CANARY_DEFAULTS),
    ):
        if field in result:
            result[field] = common.with_defaults(result[field], nested)
    breaker = result.get("deploymentCircuitBreaker")
    if isinstance(breaker, dict) and "thresholdConfiguration" in breaker:
        threshold = common.with_defaults(breaker["thresholdConfiguration"], THRESHOLD_DEFAULTS)
        result["deploymentCircuitBreaker"] = {**breaker, "thresholdConfiguration": threshold}
    alarms = result.get("alarms")
    if isinstance(alarms, dict) and isinstance(alarms.get("alarmNames"), list):
        result["alarms"] = {**alarms, "alarmNames": sorted(alarms["alarmNames"])}
    if "lifecycleHooks" in result:
        result["lifecycleHooks"] = _each(result["lifecycleHooks"], _lifecycle_hook)
    return result


def _lifecycle_hook(hook: Any) -> Any:
    if not isinstance(hook, dict):
        return hook
    result = common.with_defaults(hook, LIFECYCLE_HOOK_DEFAULTS)
    if "timeoutConfiguration" in result:
        result["timeoutConfiguration"] = common.with_defaults(
            result["timeoutConfiguration"], HOOK_TIMEOUT_DEFAULTS
        )
    return result


_FIELD_FIXES: dict[str, Callable[[Any], Any]] = {
    "cluster": lambda value: common.arn_tail(value, ":cluster/"),
    "taskDefinition": lambda value: common.arn_tail(value, ":task-definition/"),
    "role": common.role_name,
    "networkConfiguration": _network,
    "capacityProviderStrategy": common.strategy,
    "placementStrategy": lambda items: _each(items, _placement_strategy),
    "serviceConnectConfiguration": _service_connect,
    "volumeConfigurations": lambda items: _each(items, _volume),
}
"""Per-field canonical forms (deploymentConfiguration, which depends on the
scheduling strategy, is added in `normalise`)."""
