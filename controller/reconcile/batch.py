"""Plan a subset of the desired resources: what one daemon pass works on.

A change to one manifest reconciles that resource, what it depends on (so
that references resolve), and nothing else. Reads are batched over the whole
subset, so one pass over 1,000 services costs about 100 DescribeServices.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass

from controller.aws.clients import Aws
from controller.core import hooks
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired, Live
from controller.plan.actions import Plan
from controller.plan.planner import PlanOptions
from controller.plan.references import dependencies
from controller.reconcile import observe, planning


@dataclass(frozen=True)
class Observation:
    plan: Plan
    live: dict[ResourceId, Live]


def with_dependencies(
    desired: Mapping[ResourceId, Desired], ids: Collection[ResourceId]
) -> set[ResourceId]:
    """`ids` plus every desired resource they depend on, transitively.

    A service also depends on each pre-sync hook that holds it: when a hook
    failed, a later pass over the service alone must still see it and keep the
    service held.
    """
    families = {rid.name for rid in desired if rid.kind is Kind.TASK_DEFINITION}
    found: set[ResourceId] = set()
    pending = [rid for rid in ids if rid in desired]
    services = [desired[rid] for rid in pending if rid.kind is Kind.SERVICE]
    pre_sync = [d for d in desired.values() if hooks.is_pre_sync_hook(d)] if services else []
    pending += [hook.id for hook in pre_sync if hooks.held_by(hook, services)]
    while pending:
        rid = pending.pop()
        if rid in found:
            continue
        found.add(rid)
        pending.extend(dep for dep in dependencies(desired[rid], families) if dep in desired)
    return found


def dependents(
    desired: Mapping[ResourceId, Desired], changed: Collection[ResourceId]
) -> set[ResourceId]:
    """Desired resources that depend on any of `changed` (one level is enough:
    services and tasks depend on task definitions and clusters, clusters on
    capacity providers, and nothing depends on services)."""
    families = {rid.name for rid in desired if rid.kind is Kind.TASK_DEFINITION}
    wanted = set(changed)
    return {
        rid for rid, d in desired.items() if any(dep in wanted for dep in dependencies(d, families))
    }


def fingerprint(desired: Mapping[ResourceId, Desired], rid: ResourceId) -> str:
    """A digest of what the manifests say about `rid` and what it depends on.

    When it is unchanged since the resource last converged, any difference
    found later was made outside ecsync: that is drift.
    """
    parts = []
    for dep in sorted(with_dependencies(desired, [rid])):
        d = desired[dep]
        parts.append([str(dep), d.spec, asdict(d.annotations)])
    encoded = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def observe_subset(
    aws: Aws,
    desired: Mapping[ResourceId, Desired],
    ids: Collection[ResourceId],
    options: PlanOptions,
    *,
    revision: str | None = None,
) -> Observation:
    """Read and plan `ids` with their dependencies; with `options.prune`, plan
    the whole desired set and also read everything this instance owns."""
    subset: Sequence[Desired]
    if options.prune:
        subset = list(desired.values())
    else:
        subset = [desired[rid] for rid in sorted(with_dependencies(desired, ids))]
    live = observe.read_live(aws, subset, owned_by=options.instance if options.prune else None)
    return Observation(planning.plan(aws, subset, live, options, revision=revision), live)
