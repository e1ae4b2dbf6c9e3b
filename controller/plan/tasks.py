"""Planning one-off tasks (`kind: Task`) and the hooks among them.

A task runs once per version of its content: the fingerprint of its
normalised RunTask spec, with the task definition resolved to the revision
that will run. The last run is recorded on its cluster (see
`controller/aws/tasks.py`); a matching successful record means nothing to do.

A pre-sync hook holds only the services it is for (`controller.core.hooks`),
so a hook that cannot run blocks those and nothing else. Post-sync and
sync-fail hooks are never planned: the outcome of a sync starts them
(`controller.plan.triggers`, `controller.reconcile.hooks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from controller.core import hooks
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, TASK_RECORD_PREFIX, Desired, Live
from controller.diff.normalise import normalise
from controller.diff.normalise.common import user_tags
from controller.diff.normalise.task_definition import content_hash
from controller.plan import references
from controller.plan.actions import Action, ActionType, Problem

NO_RECORD = f"its cluster holds no run record ({TASK_RECORD_PREFIX}<name>) for it"


def fingerprint(spec: dict[str, Any]) -> str:
    """The version of a run: its spec, with taskDefinition resolved, tags excluded
    (the ownership tag is added on the way to RunTask; a tag change alone is no
    reason to run a migration again)."""
    content = {k: v for k, v in spec.items() if k != "tags"}
    return content_hash(normalise(Kind.TASK, content))


def parse_record(value: str | None) -> tuple[str, str, str]:
    """`"<fingerprint> <state> [<task arn>]"` → (fingerprint, state, task arn)."""
    parts = (value or "").split()
    parts += [""] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def run_spec(d: Desired, instance: str) -> dict[str, Any]:
    """What RunTask is sent for `d`: its spec, with the ownership tag added."""
    return {**d.spec, "tags": {**user_tags(d.spec.get("tags")), OWNER_TAG: instance}}


def plan_task(
    d: Desired,
    live: Live | None,
    instance: str,
    resolved: dict[str, str],
    families: set[str],
) -> Action | Problem | None:
    """The run task `d` needs, None when it needs none (or a sync's outcome runs it), or a
    problem when its last run of this exact content failed."""
    if hooks.is_triggered_hook(d):
        return None  # the outcome of a sync runs it, not the plan
    family = str(d.spec.get("taskDefinition", ""))
    run = Action(
        ActionType.RUN,
        d.id,
        spec=run_spec(d, instance),
        depends_on=references.dependencies(d, families),
        wave=d.annotations.wave,
        hook=d.annotations.hook or "",
    )
    if family in families and family not in resolved:
        return replace(run, reason="its task definition gets a new revision")
    current = fingerprint({**d.spec, "taskDefinition": resolved.get(family, family)})
    recorded, state, task_arn = parse_record(live.status.get("record") if live else None)
    if recorded != current:
        reason = "its content changed since the last run" if recorded else NO_RECORD
        return replace(run, reason=reason)
    if state == "succeeded":
        return None
    if state == "running":
        return replace(run, reason="a run started earlier is still going", resume_task=task_arn)
    return Problem(
        d.id,
        f"the last run of this exact content failed ({state or 'unknown'}); it is not "
        "run again until its spec or task definition changes",
    )


def hold_services_for_hooks(
    actions: list[Action], problems: list[Problem], desired: Sequence[Desired]
) -> list[Action]:
    """Services wait for each pre-sync hook that holds them and runs (or failed) in this sync."""
    pending = {a.id for a in actions} | {p.id for p in problems}
    if not any(rid.kind is Kind.TASK for rid in pending):
        return actions  # no hook runs or failed: nothing is held (and nothing to scan)
    held: dict[ResourceId, list[ResourceId]] = {}
    for hook, services in hooks.services_of_hooks(desired, hooks.is_pre_sync_hook).items():
        if hook in pending:
            for service in set(services):
                held.setdefault(service, []).append(hook)
    if not held:
        return actions
    return [
        replace(a, depends_on=a.depends_on + tuple(sorted(held[a.id])))
        if a.id in held and a.type is not ActionType.DELETE
        else a
        for a in actions
    ]
