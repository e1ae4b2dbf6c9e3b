"""`ecsync plan` and `ecsync apply`: load a manifest folder, then one pass over all of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from controller.apply.outcomes import Result
from controller.aws.clients import Aws
from controller.core.settings import Settings
from controller.manifests.loader import LoadResult, load
from controller.plan.actions import Plan
from controller.reconcile.desired import DesiredSet
from controller.reconcile.reconciler import reconcile
from controller.reconcile.result import Mode, PassResult, Request
from controller.reconcile.target import Target


@dataclass(frozen=True)
class SyncReport:
    loaded: LoadResult
    result: PassResult | None = None
    """None when the manifests failed to load: nothing was read, planned or written."""

    @property
    def plan(self) -> Plan | None:
        return self.result.plan if self.result is not None else None

    @property
    def results(self) -> tuple[Result, ...]:
        return self.result.applied if self.result is not None else ()

    @property
    def converged(self) -> bool:
        return self.loaded.ok and self.result is not None and self.result.converged


def sync(
    aws: Aws, root: Path, settings: Settings, *, apply: bool, revision: str | None = None
) -> SyncReport:
    """Load `root` and run one pass over everything: a plan, or (with `apply`) an apply.

    A broken manifest stops everything. A one-shot command remembers nothing
    between runs, so it reports no drift and follows no rollout.
    """
    loaded = load(root)
    if not loaded.ok:
        return SyncReport(loaded)
    target = Target(aws, settings, DesiredSet.of(loaded.resources, revision))
    request = Request.all(Mode.APPLY if apply else Mode.PLAN)
    return SyncReport(loaded, reconcile(target, request))
