"""One-off tasks: RunTask, waiting for the task to stop, and the run record.

The record of the last run of each `Task` manifest is a tag on its cluster,
`ecsync:task/<name>` = `<fingerprint> <state> [<task id>]`. It survives
restarts, costs no extra reads (clusters are described with their tags
anyway), and lets a restarted daemon wait for a task it started before a
crash instead of starting it again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from controller.aws import calls, tags
from controller.core.kinds import ResourceId
from controller.core.resources import TASK_RECORD_PREFIX

if TYPE_CHECKING:
    from controller.aws.clients import Aws


@dataclass(frozen=True)
class TaskWait:
    """How long to wait for a one-off task, and how often to look."""

    first_poll: float = 1.0
    max_poll: float = 10.0
    timeout: float = 900.0


@dataclass(frozen=True)
class TaskRun:
    task_arn: str
    succeeded: bool
    exit_codes: dict[str, int | None]
    reason: str


def record_key(name: str) -> str:
    return f"{TASK_RECORD_PREFIX}{name}"


def write_record(aws: Aws, cluster_arn: str, rid: ResourceId, value: str) -> None:
    calls.call(
        aws,
        "ecs",
        "tag_resource",
        str(rid),
        resourceArn=cluster_arn,
        tags=tags.to_ecs({record_key(rid.name): value}),
    )


def start(aws: Aws, rid: ResourceId, spec: dict[str, Any]) -> str:
    """RunTask with the manifest's spec; returns the task ARN."""
    response = calls.call(aws, "ecs", "run_task", str(rid), **tags.ecs_request(spec))
    failures = response.get("failures") or []
    started = response.get("tasks") or []
    if failures or not started:
        reason = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in failures)
        raise TaskStartError(f"RunTask for {rid} started no task: {reason or 'no reason given'}")
    return str(started[0]["taskArn"])


class TaskStartError(Exception):
    """RunTask answered, but ECS could not place the task."""


def wait(aws: Aws, rid: ResourceId, cluster: str, task_arn: str, policy: TaskWait) -> TaskRun:
    """Poll DescribeTasks until the task stops (or `policy.timeout` passes)."""
    deadline = time.monotonic() + policy.timeout
    delay = policy.first_poll
    while True:
        described = calls.call(
            aws, "ecs", "describe_tasks", str(rid), cluster=cluster, tasks=[task_arn]
        )
        found = (described.get("tasks") or [{}])[0]
        if found.get("lastStatus") == "STOPPED":
            return outcome(found)
        if time.monotonic() + delay > deadline:
            return TaskRun(task_arn, False, {}, f"still {found.get('lastStatus')} after timeout")
        time.sleep(delay)
        delay = min(delay * 2, policy.max_poll)


def outcome(task: dict[str, Any]) -> TaskRun:
    """Success means every essential container exited 0 (ECS's stop code for a
    task whose essential container finished is EssentialContainerExited)."""
    containers = task.get("containers") or []
    codes = {str(c.get("name")): c.get("exitCode") for c in containers}
    succeeded = bool(containers) and all(code == 0 for code in codes.values())
    reason = str(task.get("stoppedReason") or task.get("stopCode") or "")
    return TaskRun(str(task.get("taskArn", "")), succeeded, codes, reason)
