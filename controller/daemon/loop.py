"""The daemon's loop: it only schedules. Sources enqueue, the queue deduplicates and backs
off, the pass decides.

Keys are resource ids plus a few of the loop's own:
- `SOURCE`: read the source's current snapshot, then enqueue what changed;
- `ALL`: one pass over every desired resource, with one read of everything
  and a look for what to prune (after the first load, for a new leader);
- `RESYNC`: `ALL`, then the next resync after the resync interval;
- `PRUNE`: look for owned resources that no manifest names any more.

Every ready key is taken at once and goes into one pass
(`controller.reconcile.reconciler.reconcile`), whose result says, per key,
when it comes back; `_requeue` applies that, and nothing else requeues.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import threading
import time
from collections.abc import Callable, Iterator

from controller.aws.clients import Aws
from controller.core.kinds import ResourceId
from controller.core.settings import Settings
from controller.daemon import intake
from controller.daemon.metrics import Metrics
from controller.daemon.queue import WorkQueue
from controller.daemon.reporting import Reporter
from controller.daemon.sources.base import Source
from controller.daemon.status import StatusBoard
from controller.manifests.loader import FileCache
from controller.reconcile.desired import DesiredSet
from controller.reconcile.reconciler import reconcile
from controller.reconcile.result import Mode, PassResult, Request
from controller.reconcile.target import Memory, Target

SOURCE = "source"
ALL = "all"
RESYNC = "resync"
PRUNE = "prune"
LEAD = "lead"
"""This replica just became the leader: reconcile everything afresh."""

_EVERYTHING = frozenset({ALL, RESYNC, LEAD})

Key = ResourceId | str


class Controller:
    def __init__(
        self,
        aws: Aws,
        source: Source,
        settings: Settings,
        *,
        board: StatusBoard,
        metrics: Metrics,
        is_leader: Callable[[], bool] | None = None,
        freeze_loaded: bool = False,
    ) -> None:
        self.target = Target(aws, settings, DesiredSet({}), Memory.for_settings(settings))
        self.source = source
        self.is_leader = is_leader or (lambda: True)
        """Leader election's fencing check: only a leader writes (standbys read and report)."""
        self.board = board
        self.metrics = metrics
        self.reporter = Reporter(board, metrics)
        self.queue: WorkQueue[Key] = WorkQueue()
        self.files = FileCache()
        self.loaded_once = False
        self.freeze_loaded = freeze_loaded
        """After each load, move what was loaded out of the cyclic collector's sight (the
        desired set and the file cache live until the next load, and the collector would
        scan them again on every collection: at 10,000 services, a third of the time a
        one-file edit takes to load); and pause the collector while a pass runs (see
        `_collector_paused`). Process-wide, so only for the daemon's own process."""
        self.heartbeat = time.monotonic()

    @property
    def ready(self) -> bool:
        return self.reporter.ready

    @property
    def revision(self) -> str | None:
        return self.target.desired.revision

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
        self.queue.add_after(RESYNC, self.target.settings.resync)
        while not stop.is_set():
            self.heartbeat = time.monotonic()
            keys = self.queue.get_batch(timeout=0.5)
            self.metrics.set_queue_depth(len(self.queue))
            if keys:
                self.process(keys)
        self.queue.shutdown()

    def process(self, keys: list[Key]) -> None:
        """One round: take in a new snapshot if asked, then one pass over the keys."""
        try:
            if SOURCE in keys:
                self._intake()
            if RESYNC in keys:
                self.queue.add_after(RESYNC, self.target.settings.resync)
            request = self._request(keys)
            if request is not None:
                with _collector_paused(self.freeze_loaded):
                    result = reconcile(self.target, request)
                self.metrics.record_aws_calls(self.target.aws.stats)  # before a probe sees ready
                self._requeue(request, result)
                self.reporter.report(result, request.mode, self.revision)
        finally:
            for key in keys:
                self.queue.done(key)
            self.metrics.record_aws_calls(self.target.aws.stats)

    def _request(self, keys: list[Key]) -> Request | None:
        """The pass `keys` ask for; None when there is nothing to do (or nothing loaded)."""
        if not self.loaded_once:
            return None
        desired = self.target.desired
        everything = not _EVERYTHING.isdisjoint(keys)
        ids = frozenset(k for k in keys if isinstance(k, ResourceId) and k in desired)
        prune = everything or PRUNE in keys
        wants_prune = prune and self.target.settings.prune and desired.load_ok
        if not (everything or ids or wants_prune):
            return None
        mode = Mode.APPLY if self.is_leader() else Mode.OBSERVE
        return Request(ids, everything, prune, mode)

    def _requeue(self, request: Request, result: PassResult) -> None:
        """When each key comes back, as the pass decided; the only place that requeues."""
        if result.error is not None and request.everything:
            self.queue.add_rate_limited(ALL)  # one read of everything failed: retry it as one
            return
        if request.everything:
            self.queue.forget(ALL)
        desired = self.target.desired.resources
        succeeded: list[Key] = []
        for rid, key in result.keys.items():
            if rid not in desired:
                continue
            if key.requeue.backoff:
                self.queue.add_rate_limited(rid)
                continue
            succeeded.append(rid)
            if key.requeue.after is not None:
                self.queue.add_after(rid, key.requeue.after)
        self.queue.forget_all(succeeded)

    def _intake(self) -> None:
        snapshot = self.source.snapshot()
        if snapshot is None:
            return
        self.board.set_source(str(snapshot.root), snapshot.revision)
        current = self.target.desired if self.loaded_once else None
        taken = intake.read(snapshot, current, self.files)
        self.target = dataclasses.replace(self.target, desired=taken.desired)
        if not taken.ok:
            return
        if self.freeze_loaded:
            gc.freeze()
        self.reporter.removed(taken.removed)
        assert self.target.memory is not None
        for rid in taken.removed:
            self.target.memory.forget(rid)
        if not self.loaded_once:
            self.queue.add(ALL)
        else:
            for rid in sorted(taken.changed):
                self.queue.add(rid)
            if taken.removed:
                self.queue.add(PRUNE)
        self.loaded_once = True
        self.reporter.expect(list(taken.desired.resources), self.revision)


@contextlib.contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """The cyclic collector waits while a pass runs (when `pause`), and resumes after.

    A pass allocates what it reads and plans, and holds it to its end: the
    collector's young generations filled with it, over and over, and each
    collection scanned it again without freeing any of it (reference counting
    frees it when the pass ends). At 10,000 services, that was a tenth of a
    resync's CPU. The few reference cycles a pass leaves are collected once it
    has ended.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
