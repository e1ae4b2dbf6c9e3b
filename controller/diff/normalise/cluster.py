"""ECS clusters: settings and capacity provider lists in canonical form."""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    if "settings" in result:
        result["settings"] = common.sorted_by(result["settings"], common.field_of("name"))
    if "capacityProviders" in result:
        result["capacityProviders"] = sorted(result["capacityProviders"])
    if "defaultCapacityProviderStrategy" in result:
        result["defaultCapacityProviderStrategy"] = common.strategy(
            result["defaultCapacityProviderStrategy"]
        )
    return result
