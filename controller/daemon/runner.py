"""Wiring for `ecsync run`: source, HTTP endpoints, signals and the loop."""

from __future__ import annotations

import gc
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType

import structlog

from controller.aws import leases
from controller.aws.clients import Aws, RetryPolicy
from controller.aws.errors import AwsError
from controller.core.settings import Settings
from controller.daemon import leader
from controller.daemon.http import HttpServer
from controller.daemon.loop import Controller
from controller.daemon.metrics import Metrics
from controller.daemon.sources.base import Source
from controller.daemon.sources.folder import FolderSource
from controller.daemon.sources.git import GitSource
from controller.daemon.status import StatusBoard

log = structlog.get_logger()

STALL_AFTER = 300.0
"""/healthz fails when the loop has not come round for this long (seconds)."""

_GIT_PREFIXES = ("http://", "https://", "ssh://", "git://", "file://", "git@")

GC_THRESHOLDS = (2000, 20, 20)
"""The cyclic collector's thresholds in the daemon's process (CPython's are 700, 10, 10).
The daemon holds large long-lived state (the task definition cache, what it remembers per
resource) and allocates much per resync; with the defaults, 3 or 4 full collections ran in
every resync at 10,000 services, a quarter of its CPU. With these, one runs every second
resync or so; most garbage is freed by reference counting all the same."""


@dataclass(frozen=True)
class RunConfig:
    """The settings, plus what `ecsync run` derives from them."""

    settings: Settings
    webhook_secret: bytes | None = None
    """The HMAC secret of POST /hooks/git, read from its file or variable."""
    lease: leader.Timing = field(default_factory=leader.Timing)


def is_git_url(source: str) -> bool:
    return source.startswith(_GIT_PREFIXES) or source.endswith(".git")


def run(aws: Aws, config: RunConfig, stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns the exit status 0.

    With a leader election table that cannot be used (missing, wrong key,
    access denied), logs why and returns 1 at once.
    """
    stop = stop or threading.Event()
    gc.set_threshold(*GC_THRESHOLDS)
    board, metrics = StatusBoard(), Metrics()
    holder: list[Controller] = []

    def changed() -> None:
        holder[0].source_changed()

    def leadership(state: leader.State) -> None:
        board.set_leader(state.holder, state.leading, state.identity)
        metrics.set_leader(state.leading)
        if state.leading:
            holder[0].became_leader()

    settings = config.settings
    identity = settings.leader_id or leader.default_identity()
    elector: leader.Elector | None = None
    if settings.leader_election_table:
        elector = _elector(aws, config, identity, leadership, metrics)
        if elector is None:
            return 1
        aws.write_gate = elector.is_leader
    else:
        board.set_leader(identity, True, identity)
        metrics.set_leader(True)
    source = _make_source(settings, changed)
    controller = Controller(
        aws,
        source,
        settings,
        board=board,
        metrics=metrics,
        is_leader=elector.is_leader if elector else None,
        freeze_loaded=True,
    )
    holder.append(controller)
    http = HttpServer(
        settings.listen,
        board=board,
        metrics=metrics,
        alive=lambda: time.monotonic() - controller.heartbeat < STALL_AFTER,
        ready=lambda: controller.ready,
        on_webhook=source.trigger if isinstance(source, GitSource) else None,
        webhook_secret=config.webhook_secret,
    )
    _install_signal_handlers(stop)
    http.start()
    log.info(
        "daemon_started",
        source=settings.source,
        listen=http.address,
        instance=settings.instance,
        prune=settings.prune,
        alert_only=settings.alert_only,
        identity=identity,
        leader_election=settings.leader_election_table,
    )
    if elector is not None:
        elector.start()
    source.start()
    try:
        controller.run(stop)
    finally:
        if elector is not None:
            elector.stop()  # the loop wrote its last: close the gate, release the lease
        source.stop()
        http.stop()
        log.info("daemon_stopped", revision=controller.revision)
    return 0


def _elector(
    aws: Aws,
    config: RunConfig,
    identity: str,
    on_change: Callable[[leader.State], None],
    metrics: Metrics,
) -> leader.Elector | None:
    """The election on the leader election table; None (after logging why) when it cannot work.

    The lease has a connection of its own: it has no write gate (the lease
    writes are what open it), timeouts of one retry period (at least 1 s)
    rather than 30 s, and one attempt per call, since the election loop
    itself tries again every retry period.
    """
    table_name = config.settings.leader_election_table
    assert table_name
    timeout = max(config.lease.retry_period, 1.0)
    lease_aws = Aws(
        replace(
            aws.config,
            connect_timeout=timeout,
            read_timeout=timeout,
            retry=RetryPolicy(attempts=1),
        )
    )
    table = leases.LeaseTable(lease_aws, table_name)
    try:
        table.check()
    except AwsError as error:
        if not error.retryable:
            log.error("leader_election_failed", table=table_name, error=str(error))
            return None
        log.warning("leader_election_unavailable", table=table_name, error=str(error))
    return leader.Elector(
        table,
        f"ecsync-{config.settings.instance}",
        identity,
        config.lease,
        on_change=on_change,
        after_round=lambda: metrics.record_aws_calls(lease_aws.stats),
    )


def _make_source(settings: Settings, on_change: Callable[[], None]) -> Source:
    if is_git_url(settings.source):
        return GitSource(
            settings.source,
            on_change,
            ref=settings.ref,
            subpath=settings.path,
            cache_dir=settings.cache_dir,
            poll_interval=settings.poll,
        )
    return FolderSource(Path(settings.source) / settings.path, on_change)


def _install_signal_handlers(stop: threading.Event) -> None:
    """SIGTERM/SIGINT stop taking work; the pass in flight finishes, then we exit 0.

    Python as PID 1 (in a container) ignores SIGTERM unless a handler exists.
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        del frame
        log.info("shutdown_requested", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
