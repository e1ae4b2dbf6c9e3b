"""Application Auto Scaling scalable targets: the defaults AWS fills, scheduled actions as a set.

docs/fidelity.md names the source of each rule, and
tests/fidelity/cases/scalable-target/ holds the answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from controller.diff.normalise import common

SUSPENDED_STATE_DEFAULTS = {
    "DynamicScalingInSuspended": False,
    "DynamicScalingOutSuspended": False,
    "ScheduledScalingSuspended": False,
}
"""Application Auto Scaling API Reference, SuspendedState: each member "The default is
false"; DescribeScalableTargets reports all three (botocore examples-1.json)."""

DEFAULT_TIMEZONE = "UTC"
"""PutScheduledAction: "If a time zone is not provided, UTC is used by default"."""

SCHEDULED_ACTIONS = "ScheduledActions"
TIMESTAMPS = ("StartTime", "EndTime")


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    result["SuspendedState"] = common.with_defaults(
        result.get("SuspendedState", {}), SUSPENDED_STATE_DEFAULTS
    )
    if SCHEDULED_ACTIONS in result:
        actions = [scheduled_action(a) for a in result[SCHEDULED_ACTIONS]]
        result[SCHEDULED_ACTIONS] = common.sorted_by(
            actions, common.field_of("ScheduledActionName")
        )
    return result


def scheduled_action(action: Any) -> Any:
    """One scheduled action: UTC when no time zone is given, times as ISO 8601 in UTC."""
    if not isinstance(action, dict):
        return action
    result = {**action}
    result.setdefault("Timezone", DEFAULT_TIMEZONE)
    for key in TIMESTAMPS:
        if key in result:
            result[key] = timestamp(result[key])
    return result


def timestamp(value: Any) -> Any:
    """A time as `2025-01-31T08:00:00Z`: manifests write ISO 8601 text, and the JSON API
    answers with epoch seconds (a number). Anything unreadable passes through."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            moment = datetime.fromtimestamp(value, UTC)
        elif isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:  # "in UTC" (PutScheduledAction StartTime/EndTime)
                moment = moment.replace(tzinfo=UTC)
        else:
            return value
    except (ValueError, OverflowError, OSError):
        return value
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace(".000+00:00", "Z").replace("+00:00", "Z")
