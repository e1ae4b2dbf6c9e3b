"""What the daemon tells people after each pass: the status board, the metrics, readiness.

It only reports: every decision (outcome, health, when a key comes back) was
made by the pass (`controller.reconcile.judge`). Each key's outcome maps to
one sync state: written or unchanged → Synced, pending or drift held back →
OutOfSync, failed → Failed; a pruned resource leaves the board.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection

import structlog

from controller.apply.outcomes import Outcome
from controller.core.kinds import ResourceId
from controller.daemon.metrics import Metrics
from controller.daemon.status import Row, StatusBoard, SyncState
from controller.reconcile.result import KeyResult, Mode, PassResult

log = structlog.get_logger()

_OUT_OF_SYNC = frozenset({Outcome.PENDING, Outcome.DRIFT_HELD})


class Reporter:
    def __init__(self, board: StatusBoard, metrics: Metrics) -> None:
        self.board = board
        self.metrics = metrics
        self._unseen: set[ResourceId] | None = None
        """Desired resources not reconciled yet since start; ready when empty."""
        self._expected = 0
        self.ready = False

    def report(self, result: PassResult, mode: Mode, revision: str | None) -> None:
        """Write one pass's outcomes to the board and the metrics; log blocked resources."""
        if result.error is not None:
            log.error("observe_failed", error=str(result.error), retryable=result.error.retryable)
        elif mode is Mode.APPLY and result.plan is not None:
            for problem in result.plan.problems:
                if problem.id in result.keys:
                    log.warning(
                        "resource_blocked",
                        **problem.id.log_fields(),
                        revision=revision,
                        message=problem.message,
                    )
        rows: list[Row] = []
        for key in result.keys.values():
            if key.outcome.removed:
                self.board.remove(key.id)
            else:
                rows.append(_row(key))
        self.board.update_all(rows)
        if result.error is None:
            self._observe(result, mode)
            self.seen(result.keys, revision)

    def _observe(self, result: PassResult, mode: Mode) -> None:
        if mode is Mode.APPLY and result.keys:
            share = result.seconds / len(result.keys)
            counts = Counter((str(key.id.kind), str(key.outcome)) for key in result.keys.values())
            self.metrics.observe_reconciles(counts, share)
            if result.converged:
                self.metrics.mark_synced(time.time())
        self.metrics.set_drifted(self.board.counts().get(str(SyncState.OUT_OF_SYNC), 0))

    def removed(self, ids: Collection[ResourceId]) -> None:
        """Resources that left the manifests leave the board."""
        for rid in ids:
            self.board.remove(rid)

    def expect(self, ids: Collection[ResourceId], revision: str | None) -> None:
        """The desired set is now `ids`: ready once each went through a pass since start."""
        self._expected = len(ids)
        if self._unseen is None:
            self._unseen = set(ids)
        else:
            self._unseen &= set(ids)
        self.seen((), revision)

    def seen(self, ids: Collection[ResourceId], revision: str | None) -> None:
        """`ids` went through a pass."""
        if self._unseen is None or self.ready:
            return
        self._unseen -= set(ids)
        if not self._unseen:
            self.ready = True
            self.board.set_ready(True)
            log.info("sync_ready", revision=revision, resources=self._expected)


def _row(key: KeyResult) -> Row:
    if key.outcome.failed:
        return Row(key.id, SyncState.FAILED, error=key.error)
    sync = SyncState.OUT_OF_SYNC if key.outcome in _OUT_OF_SYNC else SyncState.SYNCED
    return Row(key.id, sync, key.health, message=key.message, rollout=key.rollout)
