"""Old task definition revisions ecsync registered, beyond the number to keep.

Like a Deployment's revision history limit: for each desired family, the
newest `keep_revisions` revisions this instance registered stay active (a
registration planned in the same pass counts as one of them), and older ones
are deregistered. Never deregistered:
- revisions anyone else registered (no ownership tag of this instance);
- the revision services are to run (the resolved one);
- a revision a desired Service or Task pins (`family:N` or an ARN);
- a revision a desired Schedule pins, or any schedule of the account runs;
- a revision any service uses, as its task definition or a deployment's.

Pure. Which revisions services use is the one fact only AWS knows, and
reading it means reading every service of the account; so `candidates` runs
first, and the caller reads what is in use only when it found any.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired, Live
from controller.plan import ordering, schedules
from controller.plan.actions import Action, ActionType, Plan

if TYPE_CHECKING:
    from controller.plan.planner import PlanOptions


def candidates(
    desired: Sequence[Desired], plan: Plan, live: Mapping[ResourceId, Live], options: PlanOptions
) -> list[Action]:
    """DEREGISTER actions for owned revisions beyond the number to keep, in-use ones included.

    Nothing when cleanup is off (`keep_revisions` None) or a manifest failed to
    load; a family with a problem is left alone.
    """
    if options.keep_revisions is None or not options.load_ok:
        return []
    held = {p.id for p in plan.problems}
    registering = {a.id for a in plan.actions if a.type is ActionType.REGISTER}
    pinned: set[str] | None = None
    found: list[Action] = []
    for d in desired:
        if d.id.kind is not Kind.TASK_DEFINITION or d.id in held:
            continue
        family = live.get(d.id)
        keep = options.keep_revisions - (1 if d.id in registering else 0)
        revisions = family.status.get("revisions", []) if family is not None else []
        if len(revisions) <= keep:
            continue  # no more revisions than to keep, owned or not
        owned = sorted(
            (r for r in revisions if r.get("owner") == options.instance),
            key=lambda r: int(r["revision"]),
        )
        resolved = plan.resolved_task_definitions.get(d.id.name)
        for revision in owned[: max(len(owned) - keep, 0)]:
            name = f"{d.id.name}:{revision['revision']}"
            pinned = _pinned(desired) if pinned is None else pinned
            if revision["arn"] == resolved or _used(name, pinned):
                continue
            found.append(
                Action(
                    ActionType.DEREGISTER,
                    ResourceId(Kind.TASK_DEFINITION, name),
                    spec={"taskDefinition": revision["arn"]},
                    depends_on=(d.id,),
                    wave=d.annotations.wave,
                    reason=f"older than the {options.keep_revisions} newest revisions "
                    "ecsync registered",
                )
            )
    return found


def with_deregisters(plan: Plan, deregisters: Sequence[Action], in_use: Collection[str]) -> Plan:
    """`plan` plus those of `deregisters` whose revision no service uses.

    `in_use` holds task definition references as services report them: ARNs,
    `family:N`, or a bare family (then every revision of it counts as used).
    """
    used = {reference(value) for value in in_use}
    kept = [a for a in deregisters if not _used(a.id.name, used)]
    if not kept:
        return plan
    return dataclasses.replace(plan, actions=tuple(ordering.sort([*plan.actions, *kept])))


def reference(value: str) -> str:
    """A task definition reference as `family:N` (or `family`): ARNs lose their prefix."""
    return value.rsplit("/", 1)[-1]


def _used(name: str, used: Collection[str]) -> bool:
    """Whether revision `family:N` is among `used` itself or through its bare family."""
    return name in used or name.rpartition(":")[0] in used


def _pinned(desired: Sequence[Desired]) -> set[str]:
    """Revisions desired services, tasks and schedules name explicitly (`family:N` or an
    ARN)."""
    pins: set[str] = set()
    for d in desired:
        if d.id.kind is Kind.SCHEDULE:
            pin = schedules.pinned(d.spec)
            if pin is not None:
                pins.add(pin)
            continue
        value = d.spec.get("taskDefinition")
        if d.id.kind in (Kind.SERVICE, Kind.TASK) and isinstance(value, str):
            pin = reference(value)
            if ":" in pin:
                pins.add(pin)
    return pins
