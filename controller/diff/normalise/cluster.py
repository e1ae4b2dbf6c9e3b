"""ECS clusters: settings and capacity provider lists in canonical form, and the
exec-command logging defaults ECS reports.

Each default is listed with its source in docs/fidelity.md and pinned by a
case in tests/fidelity/cases/cluster/.
"""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common

EXEC_LOG_DEFAULTS: dict[str, Any] = {
    "cloudWatchEncryptionEnabled": False,
    "s3EncryptionEnabled": False,
}
"""ExecuteCommandLogConfiguration: "If not specified, encryption will be off", and
DescribeClusters reports both flags as false."""


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    result = _keep_what_ecs_fills(spec, result)
    if "settings" in result:
        result["settings"] = common.sorted_by(result["settings"], common.field_of("name"))
    if "capacityProviders" in result:
        result["capacityProviders"] = sorted(result["capacityProviders"])
    if "defaultCapacityProviderStrategy" in result:
        result["defaultCapacityProviderStrategy"] = common.strategy(
            result["defaultCapacityProviderStrategy"]
        )
    if "configuration" in result:
        result["configuration"] = _configuration(result["configuration"])
    return result


def _configuration(configuration: Any) -> Any:
    if not isinstance(configuration, dict):
        return configuration
    execute = configuration.get("executeCommandConfiguration")
    if not isinstance(execute, dict) or not isinstance(execute.get("logConfiguration"), dict):
        return configuration
    logs = common.with_defaults(execute["logConfiguration"], EXEC_LOG_DEFAULTS)
    return {
        **configuration,
        "executeCommandConfiguration": {**execute, "logConfiguration": logs},
    }


def _keep_what_ecs_fills(spec: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """Empty exec-command parts the base normalisation drops, though ECS stores them
    filled: `executeCommandConfiguration: {}` with `logging: DEFAULT` ("If no logging
    parameter is specified, it defaults to this value", ExecuteCommandConfiguration),
    `logConfiguration: {}` with both encryption flags off."""
    configuration = spec.get("configuration")
    execute = (
        configuration.get("executeCommandConfiguration")
        if isinstance(configuration, dict)
        else None
    )
    if not isinstance(execute, dict):
        return result
    kept = result.get("configuration") or {}
    filled = dict(kept.get("executeCommandConfiguration") or {})
    if not execute:
        filled["logging"] = "DEFAULT"
    if execute.get("logConfiguration") == {}:
        filled["logConfiguration"] = dict(EXEC_LOG_DEFAULTS)
    return {**result, "configuration": {**kept, "executeCommandConfiguration": filled}}
