"""Execute a plan's actions in order; a failure blocks only its dependents.

This is the one boundary where AWS errors become outcome values: everything
above branches on `Result.outcome`, never on exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog

from controller.apply import one_off, preflight
from controller.apply.outcomes import Outcome, Result
from controller.aws import taskdefs, writers
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.aws.tasks import TaskWait
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live
from controller.plan.actions import REMOVALS, Action, ActionType, Plan

log = structlog.get_logger()

_DONE = {
    ActionType.CREATE: Outcome.CREATED,
    ActionType.UPDATE: Outcome.UPDATED,
    ActionType.REGISTER: Outcome.REGISTERED,
    ActionType.REPLACE: Outcome.REPLACED,
    ActionType.DELETE: Outcome.DELETED,
    ActionType.DEREGISTER: Outcome.DEREGISTERED,
}


def apply_plan(
    aws: Aws,
    plan: Plan,
    live: Mapping[ResourceId, Live],
    *,
    revision: str | None = None,
    concurrency: int = 8,
    task_wait: TaskWait | None = None,
    skip_preflight: bool = False,
) -> list[Result]:
    """Run every action of `plan`; returns one Result per action, in plan order.

    Actions run level by level (wave, then kind rank; deletes in reverse), and
    the actions of one level, which cannot depend on each other, run
    concurrently. Task definitions and services pass preflight first (unless
    `skip_preflight`): one that fails is not written.
    """
    facts = None if skip_preflight else preflight.prepare(aws, plan.actions, revision=revision)
    resolved = dict(plan.resolved_task_definitions)
    arns = {rid: item.arn for rid, item in live.items() if rid.kind is Kind.CLUSTER}
    failed: set[ResourceId] = {problem.id for problem in plan.problems}
    results: dict[int, Result] = {}
    with ThreadPoolExecutor(max_workers=max(concurrency, 1)) as pool:
        for level in _levels(plan.actions):
            futures = {}
            for index, action in level:
                blocker = next((dep for dep in action.depends_on if dep in failed), None)
                if blocker is not None:
                    results[index] = _blocked(action, blocker, revision)
                    continue
                refused = preflight.refuse(action, facts, revision) if facts is not None else None
                if refused is not None:
                    results[index] = refused
                    continue
                spec = _with_resolved_task_definition(action, resolved)
                if action.type is ActionType.RUN:
                    cluster_arn = arns.get(ResourceId(Kind.CLUSTER, action.id.cluster), "")
                    futures[index] = pool.submit(
                        one_off.run,
                        aws,
                        action,
                        spec,
                        cluster_arn=cluster_arn,
                        revision=revision,
                        wait=task_wait,
                    )
                    continue
                futures[index] = pool.submit(
                    _execute, aws, action, spec, live.get(action.id), revision
                )
            for index, future in futures.items():
                results[index] = future.result()
            for index, _ in level:
                result = results[index]
                if result.outcome.failed:
                    failed.add(result.id)
                elif result.outcome is Outcome.REGISTERED:
                    resolved[result.id.name] = result.arn
                elif result.id.kind is Kind.CLUSTER and result.arn:
                    arns[result.id] = result.arn
    return [results[i] for i in sorted(results)]


def _levels(actions: Sequence[Action]) -> list[list[tuple[int, Action]]]:
    """Consecutive actions with the same (is removal, wave, rank) form one level."""
    levels: list[list[tuple[int, Action]]] = []
    previous: tuple[bool, int, int] | None = None
    for index, action in enumerate(actions):
        key = (action.type in REMOVALS, action.wave, action.id.kind.rank)
        if key != previous:
            levels.append([])
            previous = key
        levels[-1].append((index, action))
    return levels


def _execute(
    aws: Aws,
    action: Action,
    spec: dict[str, Any],
    live: Live | None,
    revision: str | None,
) -> Result:
    writer = writers.WRITERS[action.id.kind]
    try:
        arn = ""
        if action.type is ActionType.DEREGISTER:
            arn = str(action.spec["taskDefinition"])
            taskdefs.deregister_revision(aws, arn)
        elif action.type is ActionType.DELETE:
            writer.delete(aws, action.id, _require(live, action))
        elif action.type is ActionType.REPLACE:
            writer.delete(aws, action.id, _require(live, action))
            arn = writer.create(aws, action.id, spec)
        elif live is None:
            arn = writer.create(aws, action.id, spec)
        else:
            arn = writer.update(aws, action.id, spec, live, action.fields)
    except AwsError as error:
        log.error(
            "apply_failed",
            **action.id.log_fields(),
            revision=revision,
            action=str(action.type),
            error=str(error),
            retryable=error.retryable,
        )
        return Result(action.id, Outcome.FAILED, str(error), error.retryable)
    outcome = _DONE[action.type]
    log.info(
        f"{action.id.kind.snake}_{outcome}",
        **action.id.log_fields(),
        revision=revision,
        fields=[c.to_dict() for c in action.changes],
        **({"arn": arn} if arn else {}),
    )
    return Result(action.id, outcome, arn=arn)


def _blocked(action: Action, blocker: ResourceId, revision: str | None) -> Result:
    message = f"not attempted: {blocker} failed"
    log.warning(
        "apply_blocked", **action.id.log_fields(), revision=revision, blocked_by=str(blocker)
    )
    return Result(action.id, Outcome.BLOCKED, message, retryable=True)


def _with_resolved_task_definition(action: Action, resolved: dict[str, str]) -> dict[str, Any]:
    """Services name a family; ECS must be given the revision registered for it."""
    family = action.spec.get("taskDefinition")
    if action.id.kind in (Kind.SERVICE, Kind.TASK) and family in resolved:
        return {**action.spec, "taskDefinition": resolved[family]}
    return action.spec


def _require(live: Live | None, action: Action) -> Live:
    if live is None:
        raise AssertionError(f"{action.type} of {action.id} planned without live state")
    return live
