"""EventBridge Scheduler schedules: Scheduler's defaults, ECS targets by name, times as instants.

docs/fidelity.md names the source of each rule, and
tests/fidelity/cases/schedule/ holds the answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from controller.diff.normalise import common

DEFAULTS: dict[str, Any] = {
    "GroupName": "default",
    "State": "ENABLED",
    "ScheduleExpressionTimezone": "UTC",
    "ActionAfterCompletion": "NONE",
}
"""What GetSchedule reports for a schedule created without these fields (Scheduler API
Reference, CreateSchedule: GroupName "If you omit this, the default schedule group is
used"; terraform-provider-aws `schedule.go`: state ENABLED, timezone UTC, and
action_after_completion computed)."""

RETRY_POLICY: dict[str, Any] = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
"""A target's retry policy when none is given: 24 hours and 185 attempts, the maxima
(Scheduler API Reference, RetryPolicy; terraform-provider-aws `schedule.go` defaults)."""

TIMES = ("StartDate", "EndDate")


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    for field, default in DEFAULTS.items():
        result.setdefault(field, default)
    for field in TIMES:
        if field in result:
            result[field] = instant(result[field])
    if isinstance(result.get("Target"), dict):
        result["Target"] = _target(result["Target"])
    return result


def _target(target: dict[str, Any]) -> dict[str, Any]:
    result = dict(target)
    result["RetryPolicy"] = common.with_defaults(result.get("RetryPolicy", {}), RETRY_POLICY)
    # An ECS target may be written as the cluster's name; GetSchedule reports its ARN.
    result["Arn"] = common.arn_tail(result.get("Arn"), ":cluster/")
    if isinstance(result.get("EcsParameters"), dict):
        result["EcsParameters"] = _ecs(result["EcsParameters"])
    return result


def _ecs(ecs: dict[str, Any]) -> dict[str, Any]:
    """EcsParameters: one task unless told, the revision by `family:N`, sets as sets."""
    result = {"TaskCount": 1, **ecs}
    result["TaskDefinitionArn"] = common.arn_tail(
        result.get("TaskDefinitionArn"), ":task-definition/"
    )
    if "CapacityProviderStrategy" in result:
        result["CapacityProviderStrategy"] = common.strategy(result["CapacityProviderStrategy"])
    network = (result.get("NetworkConfiguration") or {}).get("awsvpcConfiguration")
    if isinstance(network, dict):
        vpc = dict(network)
        for field in ("Subnets", "SecurityGroups"):
            if isinstance(vpc.get(field), list):
                vpc[field] = sorted(vpc[field])
        result["NetworkConfiguration"] = {"awsvpcConfiguration": vpc}
    return result


def instant(value: Any) -> Any:
    """An ISO 8601 text or epoch seconds (as the JSON API sends a timestamp) as one UTC
    text, so that `"2030-01-01T00:00:00Z"` and `1893456000` compare equal."""
    if isinstance(value, bool):
        return value
    try:
        if isinstance(value, int | float):
            moment = datetime.fromtimestamp(value, tz=UTC)
        elif isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        else:
            return value
    except (ValueError, OverflowError, OSError):
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
