"""A full reconcile pass over a manifest folder: what `plan`, `apply` and the daemon share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from controller.apply import preflight
from controller.apply.executor import apply_plan
from controller.apply.outcomes import Result
from controller.aws.clients import Aws
from controller.manifests.loader import LoadResult, load
from controller.plan.actions import Plan
from controller.plan.planner import PlanOptions
from controller.reconcile import observe, planning


@dataclass(frozen=True)
class SyncOptions:
    instance: str = "ecsync"
    prune: bool = False
    adopt: bool = False
    prune_max_share: float = 0.3
    confirm_prune: bool = False
    keep_revisions: int | None = 5
    """Owned task definition revisions kept per family; None keeps them all."""
    skip_preflight: bool = False
    """Write (or, for a plan, judge) task definitions and services without the preflight
    checks."""


@dataclass(frozen=True)
class SyncReport:
    loaded: LoadResult
    plan: Plan | None = None
    """None when the manifests failed to load: nothing was planned or written."""
    results: tuple[Result, ...] = field(default_factory=tuple)

    @property
    def converged(self) -> bool:
        return (
            self.loaded.ok
            and self.plan is not None
            and not self.plan.problems
            and not any(r.outcome.failed for r in self.results)
        )


def sync(
    aws: Aws,
    root: Path,
    options: SyncOptions,
    *,
    apply: bool,
    revision: str | None = None,
) -> SyncReport:
    """Load, plan and (when `apply`) execute. A broken manifest stops everything.

    A plan also runs the preflight lookups (they only read): what apply would
    refuse becomes a problem of the plan, with apply's own reason text.
    """
    loaded = load(root)
    if not loaded.ok:
        return SyncReport(loaded)
    live = observe.read_live(
        aws, loaded.resources, owned_by=options.instance if options.prune else None
    )
    plan = planning.plan(
        aws, loaded.resources, live, _plan_options(options, loaded), revision=revision
    )
    if not apply:
        if not options.skip_preflight:
            plan = _with_preflight_problems(aws, plan, revision)
        return SyncReport(loaded, plan)
    results = apply_plan(aws, plan, live, revision=revision, skip_preflight=options.skip_preflight)
    return SyncReport(loaded, plan, tuple(results))


def _with_preflight_problems(aws: Aws, plan: Plan, revision: str | None) -> Plan:
    facts = preflight.prepare(aws, plan.actions, revision=revision, read_only=True)
    found = tuple(p for a in plan.actions if (p := preflight.problem(a, facts)) is not None)
    return replace(plan, problems=plan.problems + found) if found else plan


def _plan_options(options: SyncOptions, loaded: LoadResult) -> PlanOptions:
    return PlanOptions(
        instance=options.instance,
        prune=options.prune,
        adopt=options.adopt,
        load_ok=loaded.ok,
        prune_max_share=options.prune_max_share,
        confirm_prune=options.confirm_prune,
        keep_revisions=options.keep_revisions,
    )
