"""Execute a plan's actions in order; a failure blocks only its dependents.

This is the one boundary where AWS errors become outcome values: everything
above branches on `Result.outcome`, never on exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from controller.apply.outcomes import Outcome, Result
from controller.aws import writers
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live
from controller.plan.actions import Action, ActionType, Plan

log = structlog.get_logger()

_DONE = {
    ActionType.CREATE: Outcome.CREATED,
    ActionType.UPDATE: Outcome.UPDATED,
    ActionType.REGISTER: Outcome.REGISTERED,
    ActionType.REPLACE: Outcome.REPLACED,
    ActionType.DELETE: Outcome.DELETED,
}


def apply_plan(
    aws: Aws,
    plan: Plan,
    live: Mapping[ResourceId, Live],
    *,
    revision: str | None = None,
) -> list[Result]:
    """Run every action of `plan`; returns one Result per action."""
    resolved = dict(plan.resolved_task_definitions)
    failed: set[ResourceId] = set()
    results: list[Result] = []
    for action in plan.actions:
        blocker = next((dep for dep in action.depends_on if dep in failed), None)
        if blocker is not None:
            failed.add(action.id)
            results.append(_blocked(action, blocker, revision))
            continue
        result = _execute(aws, action, live.get(action.id), resolved, revision)
        if result.outcome.failed:
            failed.add(action.id)
        elif action.id.kind is Kind.TASK_DEFINITION and result.arn:
            resolved[action.id.name] = result.arn
        results.append(result)
    return results


def _execute(
    aws: Aws,
    action: Action,
    live: Live | None,
    resolved: dict[str, str],
    revision: str | None,
) -> Result:
    writer = writers.WRITERS[action.id.kind]
    spec = _with_resolved_task_definition(action, resolved)
    try:
        arn = ""
        if action.type is ActionType.DELETE:
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
