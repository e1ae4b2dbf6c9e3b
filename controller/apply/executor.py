"""Execute a plan's actions in order; a failure blocks only its dependents.

This is the one boundary where AWS errors become outcome values: everything
above branches on `Result.outcome`, never on exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import structlog

from controller.apply import one_off, preflight
from controller.apply.outcomes import Outcome, Result
from controller.aws import services, taskdefs, writers
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.aws.tasks import TaskWait
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live
from controller.plan import schedules
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

    Actions run wave by wave; within a wave each starts as soon as the actions
    it depends on are done, up to `concurrency` at a time (see `_stages`).
    Task definitions and services pass preflight first (unless
    `skip_preflight`): one that fails is not written.
    """
    facts = None if skip_preflight else preflight.prepare(aws, plan.actions, revision=revision)
    resolved = dict(plan.resolved_task_definitions)
    arns = {rid: item.arn for rid, item in live.items() if rid.kind is Kind.CLUSTER}
    failed: set[ResourceId] = {problem.id for problem in plan.problems}
    results: dict[int, Result] = {}

    def start(pool: ThreadPoolExecutor, index: int, action: Action) -> Future[Result] | None:
        """Submit `action`, or record why it is not run; None when it was not submitted."""
        blocker = next((dep for dep in action.depends_on if dep in failed), None)
        if blocker is not None:
            results[index] = _blocked(action, blocker, revision)
            return None
        refused = preflight.refuse(action, facts, revision) if facts is not None else None
        if refused is not None:
            results[index] = refused
            return None
        spec = _with_resolved_task_definition(action, resolved, arns)
        if action.type is ActionType.RUN:
            cluster_arn = arns.get(ResourceId(Kind.CLUSTER, action.id.cluster), "")
            return pool.submit(
                one_off.run,
                aws,
                action,
                spec,
                cluster_arn=cluster_arn,
                revision=revision,
                wait=task_wait,
            )
        return pool.submit(_execute, aws, action, spec, live.get(action.id), revision)

    def finish(index: int) -> None:
        result = results[index]
        if result.outcome.failed:
            failed.add(result.id)
        elif result.outcome is Outcome.REGISTERED:
            resolved[result.id.name] = result.arn
        elif result.id.kind is Kind.CLUSTER and result.arn:
            arns[result.id] = result.arn

    with ThreadPoolExecutor(max_workers=max(concurrency, 1)) as pool:
        for stage in _stages(plan.actions):
            _run_stage(stage, lambda index, action: start(pool, index, action), finish, results)
    return [results[i] for i in sorted(results)]


def _run_stage(
    stage: list[tuple[int, Action]],
    start: Callable[[int, Action], Future[Result] | None],
    finish: Callable[[int], None],
    results: dict[int, Result],
) -> None:
    """Start each action once nothing it depends on is pending or running in this stage."""
    pending = dict(stage)
    running: dict[Future[Result], tuple[int, ResourceId]] = {}

    def launch(index: int, action: Action) -> None:
        del pending[index]
        future = start(index, action)
        if future is None:
            finish(index)
        else:
            running[future] = (index, action.id)

    while pending or running:
        busy = {a.id for a in pending.values()} | {rid for _, rid in running.values()}
        for index, action in list(pending.items()):
            if not any(dep in busy and dep != action.id for dep in action.depends_on):
                launch(index, action)
        if not running:
            if pending:  # only a dependency cycle gets here: go on in plan order
                launch(*next(iter(pending.items())))
            continue
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            index, _rid = running.pop(future)
            results[index] = future.result()
            finish(index)


def _stages(actions: Sequence[Action]) -> list[list[tuple[int, Action]]]:
    """Barriers between waves and before removals; inside a stage, dependencies order.

    Creates and updates of one wave start as soon as what they depend on is
    done (a service's update does not wait for every other family's new
    revision). Removals keep one level per kind, in reverse dependency order,
    because a delete's order is not written in `depends_on`.
    """
    stages: list[list[tuple[int, Action]]] = []
    previous: tuple[bool, int, int] | None = None
    for index, action in enumerate(actions):
        removal = action.type in REMOVALS
        key = (removal, action.wave, action.id.kind.rank if removal else 0)
        if key != previous:
            stages.append([])
            previous = key
        stages[-1].append((index, action))
    return stages


def _execute(
    aws: Aws,
    action: Action,
    spec: dict[str, Any],
    live: Live | None,
    revision: str | None,
) -> Result:
    writer = writers.WRITERS[action.id.kind]
    deployment: str | None = None
    try:
        arn = ""
        if action.type is ActionType.DEREGISTER:
            arn = str(action.spec["taskDefinition"])
            taskdefs.deregister_revision(aws, arn)
        elif action.type is ActionType.DELETE:
            writer.delete(aws, action.id, _require(live, action))
        elif action.type is ActionType.REPLACE:
            writer.delete(aws, action.id, _require(live, action))
            arn, deployment = _create(writer, aws, action.id, spec)
        elif live is None:
            arn, deployment = _create(writer, aws, action.id, spec)
        elif isinstance(writer, services.ServiceWriter):
            written = writer.update_deploying(aws, action.id, spec, live, action.fields)
            arn, deployment = written.arn, written.deployment
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
    return Result(action.id, outcome, arn=arn, deployment=deployment)


def _create(
    writer: writers.Writer, aws: Aws, id: ResourceId, spec: dict[str, Any]
) -> tuple[str, str | None]:
    """The new resource's ARN; for a service, also the deployment ECS started for it."""
    if isinstance(writer, services.ServiceWriter):
        written = writer.create_deploying(aws, id, spec)
        return written.arn, written.deployment
    return writer.create(aws, id, spec), None


def _blocked(action: Action, blocker: ResourceId, revision: str | None) -> Result:
    message = f"not attempted: {blocker} failed"
    log.warning(
        "apply_blocked", **action.id.log_fields(), revision=revision, blocked_by=str(blocker)
    )
    return Result(action.id, Outcome.BLOCKED, message, retryable=True)


def _with_resolved_task_definition(
    action: Action, resolved: dict[str, str], clusters: Mapping[ResourceId, str]
) -> dict[str, Any]:
    """Services and schedules name a family; ECS must be given the revision registered for
    it. A schedule's cluster written by name is given as its ARN (EventBridge Scheduler
    takes ARNs)."""
    if action.id.kind is Kind.SCHEDULE:
        spec = schedules.with_cluster_arn(
            action.spec, {rid.name: arn for rid, arn in clusters.items()}
        )
        family = schedules.family(spec, frozenset(resolved))
        return schedules.with_task_definition(spec, resolved[family]) if family else spec
    family = action.spec.get("taskDefinition")
    if action.id.kind in (Kind.SERVICE, Kind.TASK) and family in resolved:
        return {**action.spec, "taskDefinition": resolved[family]}
    return action.spec


def _require(live: Live | None, action: Action) -> Live:
    if live is None:
        raise AssertionError(f"{action.type} of {action.id} planned without live state")
    return live
