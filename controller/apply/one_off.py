"""Running a one-off task to completion and recording the result on its cluster."""

from __future__ import annotations

from typing import Any

import structlog

from controller.apply.outcomes import Outcome, Result
from controller.aws import tasks
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.plan.actions import Action
from controller.plan.tasks import fingerprint

log = structlog.get_logger()


def run(
    aws: Aws,
    action: Action,
    spec: dict[str, Any],
    *,
    cluster_arn: str,
    revision: str | None,
    wait: tasks.TaskWait | None,
) -> Result:
    """Start the task (or resume waiting for one started before a crash), wait
    for it to stop, and record `succeeded` or `failed` for this content."""
    rid = action.id
    fields = {
        **rid.log_fields(),
        "revision": revision,
        **({"hook": action.hook} if action.hook else {}),
    }
    version = action.record or fingerprint(spec)
    try:
        task_arn = action.resume_task or tasks.start(aws, rid, spec)
        log.info("task_started", **fields, task=task_arn, resumed=bool(action.resume_task))
        if cluster_arn:
            tasks.write_record(aws, cluster_arn, rid, f"{version} running {task_arn}")
        outcome = tasks.wait(aws, rid, rid.cluster, task_arn, wait or tasks.TaskWait())
        if cluster_arn:
            state = "succeeded" if outcome.succeeded else "failed"
            tasks.write_record(aws, cluster_arn, rid, f"{version} {state}")
    except (AwsError, tasks.TaskStartError) as error:
        retryable = isinstance(error, tasks.TaskStartError) or error.retryable
        log.error("task_failed", **fields, error=str(error), retryable=retryable)
        return Result(rid, Outcome.FAILED, str(error), retryable)
    details = {"task": outcome.task_arn, "exit_codes": outcome.exit_codes, "reason": outcome.reason}
    if outcome.succeeded:
        log.info("task_succeeded", **fields, **details)
        return Result(rid, Outcome.SUCCEEDED, arn=outcome.task_arn)
    log.error("task_failed", **fields, **details)
    message = f"task {outcome.task_arn} failed: exit codes {outcome.exit_codes} {outcome.reason}"
    return Result(rid, Outcome.FAILED, message.strip())
