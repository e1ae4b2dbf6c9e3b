"""The reconcile loop: keys in, level-triggered passes out.

Sources and timers only put keys on the queue. The loop takes every ready
key at once, reads live state for them in batches, plans, decides what is a
new commit and what is drift, applies, and requeues by outcome:
error → per-key backoff; progressing rollout → come back soon; success → reset.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import structlog

from controller.apply.executor import apply_plan
from controller.apply.outcomes import Result
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import TASK_RECORD_PREFIX, Desired, Live
from controller.daemon import rollouts
from controller.daemon.drift import DriftPolicy, DriftTracker, signature
from controller.daemon.health import Health, assess_service
from controller.daemon.metrics import Metrics
from controller.daemon.queue import WorkQueue
from controller.daemon.sources.base import Source
from controller.daemon.status import StatusBoard, SyncState
from controller.manifests.loader import load
from controller.plan.actions import REMOVALS, Action, ActionType, Plan
from controller.plan.planner import PlanOptions
from controller.reconcile import batch

log = structlog.get_logger()

SOURCE = "source"
"""Key: read the source's current snapshot and enqueue what changed."""
RESYNC = "resync"
"""Key: re-read everything, so that drift is found."""
PRUNE = "prune"
"""Key: look for owned resources that no manifest names any more."""
LEAD = "lead"
"""Key: this replica just became the leader: reconcile everything afresh."""

STANDBY = "not applied: this replica is on standby; the leader applies changes"
RERUN_SKIPPED = (
    "not run again: it already ran for these manifests, and its run record on the cluster "
    "(or the task definition revision it resolves to) was changed outside ecsync; "
    "to run it again, change its spec"
)

Key = ResourceId | str


@dataclass(frozen=True)
class DaemonOptions:
    instance: str = "ecsync"
    prune: bool = False
    adopt: bool = False
    alert_only: bool = False
    resync: float = 120.0
    drift: DriftPolicy = field(default_factory=DriftPolicy)
    concurrency: int = 8
    rollout_poll: float = 10.0
    prune_max_share: float = 0.3
    confirm_prune: bool = False
    keep_revisions: int | None = 5
    skip_preflight: bool = False


class Controller:
    def __init__(
        self,
        aws: Aws,
        source: Source,
        options: DaemonOptions,
        *,
        board: StatusBoard,
        metrics: Metrics,
        is_leader: Callable[[], bool] | None = None,
    ) -> None:
        self.aws = aws
        self.is_leader = is_leader or (lambda: True)
        """Leader election's fencing check: only a leader applies (standbys read and report)."""
        self.source = source
        self.options = options
        self.board = board
        self.metrics = metrics
        self.queue: WorkQueue[Key] = WorkQueue()
        self.drift = DriftTracker(options.drift)
        self.rollouts = rollouts.RolloutTracker()
        self.desired: dict[ResourceId, Desired] = {}
        self.revision: str | None = None
        self.loaded_once = False
        self.load_ok = False
        self._unseen: set[ResourceId] | None = None
        """Desired resources not reconciled yet since start; ready when empty."""
        self.heartbeat = time.monotonic()
        self.ready = False

    # -- keys in -----------------------------------------------------------
    def source_changed(self) -> None:
        """Called by sources (from their threads): only enqueues."""
        self.queue.add(SOURCE)

    def became_leader(self) -> None:
        """Called by leader election (from its thread): only enqueues."""
        self.queue.add(LEAD)

    def run(self, stop: threading.Event) -> None:
        """Process keys until `stop` is set; in-flight work finishes first."""
        self.queue.add(SOURCE)
        self.queue.add_after(RESYNC, self.options.resync)
        while not stop.is_set():
            self.heartbeat = time.monotonic()
            keys = self.queue.get_batch(timeout=0.5)
            self.metrics.set_queue_depth(len(self.queue))
            if keys:
                self.process(keys)
        self.queue.shutdown()

    def process(self, keys: list[Key]) -> None:
        try:
            if SOURCE in keys:
                self._intake()
            if RESYNC in keys or LEAD in keys:
                for rid in self.desired:
                    self.queue.add(rid)
                self.queue.add(PRUNE)
            if RESYNC in keys:
                self.queue.add_after(RESYNC, self.options.resync)
            ids = [k for k in keys if isinstance(k, ResourceId) and k in self.desired]
            prune = PRUNE in keys and self.options.prune and self.load_ok
            if ids or prune:
                self._reconcile(ids, prune=prune)
        finally:
            for key in keys:
                self.queue.done(key)
            self.metrics.record_aws_calls(self.aws.stats)

    # -- intake ------------------------------------------------------------
    def _intake(self) -> None:
        snapshot = self.source.snapshot()
        if snapshot is None:
            return
        loaded = load(snapshot.root)
        self.board.set_source(str(snapshot.root), snapshot.revision)
        for warning in loaded.warnings:
            log.warning(
                "manifest_warning",
                revision=snapshot.revision,
                file=warning.location.file,
                line=warning.location.line,
                column=warning.location.column,
                resource=warning.resource,
                path=warning.path,
                message=warning.message,
            )
        if not loaded.ok:
            self.load_ok = False
            for error in loaded.errors:
                log.error(
                    "manifest_invalid",
                    revision=snapshot.revision,
                    file=error.location.file,
                    line=error.location.line,
                    column=error.location.column,
                    resource=error.resource,
                    path=error.path,
                    message=error.message,
                )
            log.error(
                "revision_rejected",
                revision=snapshot.revision,
                errors=len(loaded.errors),
                kept_revision=self.revision,
                message="the last good manifests stay applied; nothing is pruned",
            )
            return
        new = {d.id: d for d in loaded.resources}
        changed = {rid for rid, d in new.items() if self.desired.get(rid) != d}
        removed = set(self.desired) - set(new)
        changed |= batch.dependents(new, changed)
        for rid in removed:
            self.board.remove(rid)
            self.drift.forget(rid)
        self.desired, self.revision, self.load_ok = new, snapshot.revision, True
        log.info(
            "revision_loaded",
            revision=snapshot.revision,
            resources=len(new),
            changed=len(changed),
            removed=len(removed),
        )
        if self._unseen is None:
            self._unseen = set(new)
        else:
            self._unseen &= set(new)
        keys: list[Key] = list(new) if not self.loaded_once else sorted(changed)
        if removed or not self.loaded_once:
            keys.append(PRUNE)
        self.loaded_once = True
        for key in keys:
            self.queue.add(key)
        self._check_ready()

    # -- one pass ------------------------------------------------------------
    def _reconcile(self, ids: list[ResourceId], *, prune: bool) -> None:
        started = time.monotonic()
        options = PlanOptions(
            instance=self.options.instance,
            prune=prune,
            adopt=self.options.adopt,
            load_ok=self.load_ok,
            prune_max_share=self.options.prune_max_share,
            confirm_prune=self.options.confirm_prune,
            keep_revisions=self.options.keep_revisions,
        )
        try:
            observation = batch.observe_subset(
                self.aws, self.desired, ids, options, revision=self.revision
            )
        except AwsError as error:
            log.error("observe_failed", error=str(error), retryable=error.retryable)
            for rid in ids:
                self.board.update(rid, sync=SyncState.FAILED, error=str(error))
                self.queue.add_rate_limited(rid)
            return
        plan = observation.plan
        wanted = set(ids)
        if not self.is_leader():
            self._stand_by(plan, wanted, observation.live)
            self._pass_done(wanted)
            return
        to_apply, drifted = self._decide(plan, observation.live)
        results = apply_plan(
            self.aws,
            Plan(actions=tuple(to_apply), resolved_task_definitions=plan.resolved_task_definitions),
            observation.live,
            revision=self.revision,
            concurrency=self.options.concurrency,
            skip_preflight=self.options.skip_preflight,
        )
        self._record(plan, wanted, results, drifted, observation.live)
        elapsed = time.monotonic() - started
        for rid in wanted:
            outcome = next((r.outcome for r in results if r.id == rid), None)
            self.metrics.observe_reconcile(
                str(rid.kind), str(outcome) if outcome else "unchanged", elapsed / len(wanted)
            )
        if not any(r.outcome.failed for r in results) and not plan.problems:
            self.metrics.mark_synced(time.time())
        self._pass_done(wanted)

    def _pass_done(self, wanted: set[ResourceId]) -> None:
        self.metrics.set_drifted(self.board.counts().get(str(SyncState.OUT_OF_SYNC), 0))
        if self._unseen:
            self._unseen -= wanted
        self.metrics.record_aws_calls(self.aws.stats)  # before readiness: a probe may scrape next
        self._check_ready()

    def _stand_by(
        self, plan: Plan, wanted: set[ResourceId], live: Mapping[ResourceId, Live]
    ) -> None:
        """Not the leader: report what the leader would change; change nothing, alert nothing.

        Drift alerts come from the leader only, so two replicas never alert twice.
        """
        pending = {a.id for a in plan.actions}
        problems = {p.id: p.message for p in plan.problems}
        for rid in wanted:
            if rid in problems:
                self.board.update(rid, sync=SyncState.FAILED, error=problems[rid])
            elif rid in pending:
                self.board.update(rid, sync=SyncState.OUT_OF_SYNC, message=STANDBY)
            else:
                self.drift.converged(rid, batch.fingerprint(self.desired, rid))
                found = live.get(rid)
                health = None
                if rid.kind is Kind.SERVICE and found is not None:
                    health = assess_service(found.status).health
                self.board.update(rid, sync=SyncState.SYNCED, health=health)

    def _decide(
        self, plan: Plan, live: Mapping[ResourceId, Live]
    ) -> tuple[list[Action], dict[ResourceId, str]]:
        """Which actions to run, and which of them correct drift (id → drift signature)."""
        to_apply: list[Action] = []
        drifted: dict[ResourceId, str] = {}
        for action in plan.actions:
            if action.type in REMOVALS:
                to_apply.append(action)
                continue
            rid = action.id
            if rid not in self.desired:
                continue
            fingerprint = batch.fingerprint(self.desired, rid)
            if not self.drift.is_drift(rid, fingerprint):
                to_apply.append(action)
                continue
            if action.type is ActionType.RUN:
                self._skip_rerun(action, live.get(rid))
                continue
            drift = signature(action.changes)
            fields = [c.to_dict() for c in action.changes]
            if not self.options.alert_only or self.drift.should_alert(rid, drift):
                log.warning(
                    "drift_detected", **rid.log_fields(), revision=self.revision, fields=fields
                )
            if self.options.alert_only:
                self.board.update(rid, sync=SyncState.OUT_OF_SYNC, message="drift (alert only)")
                continue
            if self.drift.record_correction(rid, drift):
                log.warning(
                    "drift_flapping",
                    **rid.log_fields(),
                    revision=self.revision,
                    fields=fields,
                    retry_in=self.drift.flap_window,
                    message="the same drift keeps coming back: another system is writing "
                    "this resource; not correcting it until the back-off ends",
                )
                self.board.update(rid, sync=SyncState.OUT_OF_SYNC, message="drift flapping")
                self.queue.add_after(rid, self.drift.flap_window)
                continue
            drifted[rid] = drift
            to_apply.append(action)
        return to_apply, drifted

    def _skip_rerun(self, action: Action, live: Live | None) -> None:
        """A one-off task that ran for these very manifests is never run again by a resync.

        Its run record (a cluster tag) is ecsync's memory, not the task's content:
        when it is removed or edited outside ecsync (or the revision the task
        resolves to changed by hand), nothing in the manifests asks for a second
        run of, say, a migration. Logged once per record value, not as drift.
        """
        rid = action.id
        recorded = live.status.get("record") if live is not None else None
        if self.drift.should_alert(rid, f"record {recorded}"):
            log.warning(
                "task_rerun_skipped",
                **rid.log_fields(),
                revision=self.revision,
                record=f"{TASK_RECORD_PREFIX}{rid.name}",
                recorded=recorded,
                reason=action.reason,
                message=RERUN_SKIPPED,
            )
        self.board.update(rid, sync=SyncState.SYNCED, message=RERUN_SKIPPED)

    def _record(
        self,
        plan: Plan,
        wanted: set[ResourceId],
        results: list[Result],
        drifted: Mapping[ResourceId, str],
        live: Mapping[ResourceId, Live],
    ) -> None:
        by_id = {r.id: r for r in results}
        problems = {p.id: p for p in plan.problems}
        acted = {a.id for a in plan.actions}
        for rid in wanted | set(by_id):
            result = by_id.get(rid)
            if rid in problems:
                self.board.update(rid, sync=SyncState.FAILED, error=problems[rid].message)
                log.warning(
                    "resource_blocked",
                    **rid.log_fields(),
                    revision=self.revision,
                    message=problems[rid].message,
                )
                continue
            if result is not None and result.outcome.failed:
                self.board.update(rid, sync=SyncState.FAILED, error=result.error)
                if result.retryable:
                    self.queue.add_rate_limited(rid)
                continue
            if result is None and rid in acted:
                continue  # drift held back (alert-only or flapping); already recorded
            if rid not in self.desired:
                self.board.remove(rid)  # pruned, or an old revision deregistered
                continue
            self.queue.forget(rid)
            self.drift.converged(rid, batch.fingerprint(self.desired, rid))
            if rid in drifted and result is not None:
                log.info(
                    "drift_corrected",
                    **rid.log_fields(),
                    revision=self.revision,
                    outcome=str(result.outcome),
                )
            health = None
            if rid.kind is Kind.SERVICE:
                health = self._follow_rollout(rid, result, live.get(rid))
            self.board.update(rid, sync=SyncState.SYNCED, health=health, error=None)

    def _follow_rollout(
        self, rid: ResourceId, result: Result | None, live: Live | None
    ) -> Health | None:
        assessment, poll = self.rollouts.observe(rid, result, live, revision=self.revision)
        if poll:
            self.queue.add_after(rid, self.options.rollout_poll)
        return assessment.health if assessment else None

    def _check_ready(self) -> None:
        """Ready once every desired resource went through one pass since start."""
        if self._unseen is not None and not self._unseen and not self.ready:
            self.ready = True
            self.board.set_ready(True)
            log.info("sync_ready", revision=self.revision, resources=len(self.desired))
