"""Prune: owned resources no manifest names any more, and the guards that hold it back.

A live resource is a prune candidate when it carries this instance's
ownership tag, no manifest names it, no desired resource refers to it, and it
is not tagged `ecsync:prune=false`. Nothing is pruned when any manifest failed
to load. The mass-deletion guard then holds back the whole prune, unless
confirmed, when the manifests name nothing at all or when it would delete
more than `prune_max_share` of what this instance owns: a wrong path, an
empty branch or a half-merged folder must not wipe an environment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from controller.core.kinds import ResourceId
from controller.core.resources import PRUNE_TAG, Desired, Live
from controller.plan import references
from controller.plan.actions import Action, ActionType, Problem, PruneBlocked

if TYPE_CHECKING:
    from controller.plan.planner import PlanOptions


_LOAD_FAILED = "prune skipped: some manifests failed to load, so nothing is deleted"


@dataclass(frozen=True)
class Pruning:
    """What prune contributes to a plan."""

    deletes: list[Action] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocked: PruneBlocked | None = None


def plan_prune(
    desired: Sequence[Desired], live: Mapping[ResourceId, Live], options: PlanOptions
) -> Pruning:
    if not options.load_ok:
        return Pruning(notes=[_LOAD_FAILED])
    deletes = candidates(desired, live, options.instance)
    blocked = guard(deletes, desired, live, options)
    if blocked is None:
        return Pruning(deletes=deletes)
    problem = (
        f"not deleted: prune is blocked ({len(blocked.would_delete)} of {blocked.owned} "
        "owned resources); run with --confirm-prune to delete it"
    )
    return Pruning(
        problems=[Problem(a.id, problem) for a in deletes],
        notes=[blocked.message()],
        blocked=blocked,
    )


def candidates(
    desired: Sequence[Desired], live: Mapping[ResourceId, Live], instance: str
) -> list[Action]:
    """A DELETE for every owned live resource that no manifest names or refers to."""
    wanted = {d.id for d in desired}
    protected = references.referenced(desired)
    deletes: list[Action] = []
    for rid, resource in sorted(live.items()):
        if rid in wanted or resource.owner != instance:
            continue
        if rid in protected or _kept(resource):
            continue
        deletes.append(Action(ActionType.DELETE, rid, reason="no manifest names it any more"))
    return deletes


def _kept(resource: Live) -> bool:
    """Tagged `ecsync:prune=false`; a kind without tags (a scaling policy) carries the
    value of what owns it in `status`."""
    tag = (resource.spec.get("tags") or {}).get(PRUNE_TAG)
    return tag == "false" or resource.status.get(PRUNE_TAG) == "false"


def guard(
    deletes: Sequence[Action],
    desired: Sequence[Desired],
    live: Mapping[ResourceId, Live],
    options: PlanOptions,
) -> PruneBlocked | None:
    """The mass-deletion guard: None when the prune may go ahead.

    It trips when there is something to delete and either the desired set is
    empty or deletes / owned > `prune_max_share`; `confirm_prune` overrides it.
    """
    if not deletes or options.confirm_prune:
        return None
    owned = sum(1 for resource in live.values() if resource.owner == options.instance)
    if desired and len(deletes) / owned <= options.prune_max_share:
        return None
    return PruneBlocked(
        would_delete=tuple(a.id for a in deletes),
        owned=owned,
        max_share=options.prune_max_share,
        empty_desired=not desired,
    )
