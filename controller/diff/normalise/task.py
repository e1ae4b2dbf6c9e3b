"""One-off tasks (RunTask requests): references by name, order-free lists."""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    if "cluster" in result:
        result["cluster"] = common.arn_tail(result["cluster"], ":cluster/")
    if "taskDefinition" in result:
        result["taskDefinition"] = common.arn_tail(result["taskDefinition"], ":task-definition/")
    return result
