"""A service as DescribeServices shows it, made to agree with its latest service deployment.

What DescribeServices reports during and after a rollout (ECS API Reference,
Deployment: PRIMARY is "the most recent deployment", ACTIVE "still has
running tasks, but [is] being replaced"; rolloutState IN_PROGRESS, then
COMPLETED, or FAILED when the circuit breaker stops it), and the events ECS
writes, newest first, in the wording of the health fixtures in
tests/fixtures/health/ (taken from real answers):

- "(service web) deployment ecs-svc/… deployment failed: tasks failed to start." (when
  alarms failed it, the stand-in's own wording names them: "… deployment failed: alarms
  web-5xx in ALARM state.");
- "(service web) rolling back to deployment ecs-svc/…" naming the new PRIMARY
  that runs the restored revision;
- "(service web) (deployment ecs-svc/…) deployment completed." and
  "(service web) has reached a steady state."

During a rollback the PRIMARY runs the restored revision (IN_PROGRESS, then
COMPLETED) and the failed deployment stays ACTIVE with rolloutState FAILED
until the rollback completes; the service's taskDefinition is the restored
one. Without rollback the failed deployment stays PRIMARY, FAILED, and the
one before it keeps running as ACTIVE (so do the failed deployment's tasks
when alarms, not failing tasks, failed it).
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

from ecsync_local.deployments.records import Record, Revision
from ecsync_local.deployments.timeline import ALARMS, BREAKER, Moment

MOST_EVENTS = 100
"""DescribeServices keeps a service's 100 most recent events."""


def refresh(service: Any, history: list[Record], now: datetime) -> None:
    """Make `service` (a moto Service) agree with the latest of its `history` at `now`."""
    if not history:
        return
    record = history[-1]
    moment = record.at(now)
    desired = int(service.desired_count or 0)
    target = _entry(service, record.ecs_id, record.target, record)
    target["taskDefinition"] = record.target.content["taskDefinition"]
    own = (target["id"], record.rollback_ecs_id)
    others = [e for e in service.deployments if e.get("id") not in own]
    for other in others:
        running = 0 if other.get("rolloutState") == "FAILED" else desired
        other.update(status="ACTIVE", runningCount=running, pendingCount=0)
    if moment.status == "SUCCESSFUL":
        updated = record.time(moment.updated)
        _set(target, "PRIMARY", "COMPLETED", (desired, desired, 0), updated)
        service.deployments = [target]
        _event(service, record, "completed", updated, record.ecs_id)
    elif moment.status.startswith("ROLLBACK") and record.restore is not None:
        _rolling_back(service, record, moment, target, desired)
    elif moment.failed is not None:
        failed_at = record.time(moment.failed)
        running = desired if moment.target_running else 0
        reason = record.reason(moment)
        _set(target, "PRIMARY", "FAILED", (desired, running, 0), failed_at, reason=reason)
        target["failedTasks"] = _failed_tasks(record, moment, desired)
        service.deployments = [target, *others]
        _event(service, record, "failed", failed_at, record.ecs_id, moment=moment)
    else:
        running = desired if moment.target_running else 0
        pending = desired if moment.stage == "SCALE_UP" else 0
        if moment.failing and not record.settings.breaker:
            failed = max(1, desired)
        else:
            failed = int(moment.failure_share * record.threshold(desired)) if moment.failing else 0
        counts = (desired, running, pending)
        _set(target, "PRIMARY", "IN_PROGRESS", counts, record.time(moment.updated), failed=failed)
        service.deployments = [target, *others]
    service.running_count = sum(int(e.get("runningCount") or 0) for e in service.deployments)
    service.pending_count = sum(int(e.get("pendingCount") or 0) for e in service.deployments)
    service.current_service_deployment = record.arn
    service.current_service_revisions = [
        _current(revision, desired) for revision in record.live(now)
    ]


def _rolling_back(
    service: Any, record: Record, moment: Moment, target: dict[str, Any], desired: int
) -> None:
    """A new PRIMARY runs the restored revision; the failed deployment stays ACTIVE until
    the rollback completes."""
    assert record.restore is not None
    rollback = _entry(service, record.rollback_ecs_id, record.restore, record)
    started = record.time(moment.failed if moment.failed is not None else moment.updated)
    rollback["createdAt"] = started
    _set(target, "ACTIVE", "FAILED", (desired, 0, 0), started, reason=record.reason(moment))
    target["failedTasks"] = _failed_tasks(record, moment, desired)
    if "restored" not in record.applied:
        record.applied.add("restored")
        service.task_definition = record.restore.content["taskDefinition"]
    _event(service, record, "failed", started, record.ecs_id, moment=moment)
    _event(service, record, "rolling back", started, record.rollback_ecs_id)
    finished = moment.status == "ROLLBACK_SUCCESSFUL"
    rollout = "COMPLETED" if finished else "IN_PROGRESS"
    _set(rollback, "PRIMARY", rollout, (desired, desired, 0), record.time(moment.updated))
    service.deployments = [rollback] if finished else [rollback, target]
    if finished:
        _event(service, record, "completed", record.time(moment.updated), record.rollback_ecs_id)


def _failed_tasks(record: Record, moment: Moment, desired: int) -> int:
    """Tasks that failed: the circuit breaker's threshold once it tripped; when alarms
    failed the deployment, those that failed until then."""
    if moment.cause == BREAKER:
        return record.threshold(desired)
    if not moment.failing:
        return 0
    if not record.settings.breaker:
        return max(1, desired)
    return int(moment.failure_share * record.threshold(desired))


def _entry(service: Any, ecs_id: str, revision: Revision, record: Record) -> dict[str, Any]:
    """The service's deployments[] item with this id; made from the revision's if missing."""
    for entry in service.deployments:
        if entry.get("id") == ecs_id:
            return entry  # type: ignore[no-any-return]
    entry = copy.deepcopy(revision.entry)
    entry.update(id=ecs_id, createdAt=record.created_at, failedTasks=0)
    entry["taskDefinition"] = revision.content["taskDefinition"]
    return entry


def _set(
    entry: dict[str, Any],
    status: str,
    rollout: str,
    counts: tuple[int, int, int],
    updated: datetime,
    *,
    failed: int = 0,
    reason: str = "",
) -> None:
    """Set one deployments[] item; `counts` are desired, running and pending; a FAILED one
    gives its `reason`."""
    ecs_id = entry["id"]
    said = {
        "IN_PROGRESS": f"ECS deployment {ecs_id} in progress.",
        "COMPLETED": f"ECS deployment {ecs_id} completed.",
        "FAILED": reason,
    }[rollout]
    desired, running, pending = counts
    entry.update(
        status=status,
        rolloutState=rollout,
        rolloutStateReason=said,
        desiredCount=desired,
        runningCount=running,
        pendingCount=pending,
        failedTasks=failed,
        updatedAt=updated,
    )


def _event(
    service: Any,
    record: Record,
    kind: str,
    when: datetime,
    ecs_id: str,
    *,
    moment: Moment | None = None,
) -> None:
    """Write one of ECS's service events, once per deployment and kind."""
    key = f"{kind} {ecs_id}"
    if key in record.applied:
        return
    record.applied.add(key)
    name = f"(service {service.name})"
    why = "tasks failed to start."
    if moment is not None and moment.cause == ALARMS and record.watch is not None:
        why = f"alarms {record.watch.reason()} in ALARM state."
    messages = {
        "failed": [f"{name} deployment {ecs_id} deployment failed: {why}"],
        "rolling back": [f"{name} rolling back to deployment {ecs_id}."],
        "completed": [
            f"{name} (deployment {ecs_id}) deployment completed.",
            f"{name} has reached a steady state.",
        ],
    }[kind]
    for message in messages:
        event = {"id": str(uuid.uuid4()), "createdAt": when, "message": message}
        service.events = [event, *(service.events or [])][:MOST_EVENTS]


def _current(revision: Revision, desired: int) -> dict[str, Any]:
    return {
        "arn": revision.arn,
        "requestedTaskCount": desired,
        "runningTaskCount": desired,
        "pendingTaskCount": 0,
    }
