"""EventBridge Scheduler schedules: unknown groups, and UpdateSchedule's system defaults.

Stock moto fails CreateSchedule into a group that does not exist with HTTP
500 (a KeyError), reports no ActionAfterCompletion for a schedule created
without one (AWS: NONE), and keeps no State after an UpdateSchedule that
leaves it out (AWS: ENABLED). Sources:
EventBridge Scheduler API Reference, CreateSchedule (GroupName, errors),
UpdateSchedule ("if you do not set an optional field in your request, that
field will be set to its system-default value after the update").
"""

from __future__ import annotations

from typing import Any

from moto.scheduler.exceptions import ScheduleGroupNotFound
from moto.scheduler.models import EventBridgeSchedulerBackend, Schedule

from ecsync_local.fixes.patching import Fix, Method, patch

SYSTEM_DEFAULTS = {"state": "ENABLED", "action_after_completion": "NONE"}
"""What a schedule holds when CreateSchedule or UpdateSchedule leaves these out."""


@patch(EventBridgeSchedulerBackend, "create_schedule")
def refuse_unknown_group(original: Method) -> Method:
    """AWS puts a schedule only into a group that exists (ResourceNotFoundException)."""

    def create_schedule(self: EventBridgeSchedulerBackend, **request: Any) -> Schedule:
        group = request.get("group_name") or "default"
        if group not in self.schedule_groups:
            raise ScheduleGroupNotFound(group)
        schedule: Schedule = original(self, **request)
        _defaults(schedule)
        return schedule

    return create_schedule


@patch(Schedule, "update")
def update_to_system_defaults(original: Method) -> Method:
    """AWS's UpdateSchedule sets every field it is not given to its default."""

    def update(self: Schedule, **request: Any) -> None:
        original(self, **request)
        _defaults(self)

    return update


def _defaults(schedule: Schedule) -> None:
    for field, default in SYSTEM_DEFAULTS.items():
        if not getattr(schedule, field, None):
            setattr(schedule, field, default)


FIXES: tuple[Fix, ...] = (refuse_unknown_group, update_to_system_defaults)
