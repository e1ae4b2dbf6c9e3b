"""Wiring for `ecsync run`: source, HTTP endpoints, signals and the loop."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import structlog

from controller.aws.clients import Aws
from controller.daemon.controller import Controller, DaemonOptions
from controller.daemon.http import HttpServer
from controller.daemon.metrics import Metrics
from controller.daemon.sources.base import Source
from controller.daemon.sources.folder import FolderSource
from controller.daemon.sources.git import GitSource
from controller.daemon.status import StatusBoard

log = structlog.get_logger()

STALL_AFTER = 300.0
"""/healthz fails when the loop has not come round for this long (seconds)."""

_GIT_PREFIXES = ("http://", "https://", "ssh://", "git://", "file://", "git@")


@dataclass(frozen=True)
class RunConfig:
    source: str
    ref: str | None = None
    path: str = ""
    poll: float = 30.0
    cache_dir: Path = Path(".ecsync-cache")
    listen: str = "127.0.0.1:8080"
    webhook_secret: bytes | None = None
    options: DaemonOptions = field(default_factory=DaemonOptions)


def is_git_url(source: str) -> bool:
    return source.startswith(_GIT_PREFIXES) or source.endswith(".git")


def run(aws: Aws, config: RunConfig, stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns the exit status 0."""
    stop = stop or threading.Event()
    board, metrics = StatusBoard(), Metrics()
    holder: list[Controller] = []

    def changed() -> None:
        holder[0].source_changed()

    source = _make_source(config, changed)
    controller = Controller(aws, source, config.options, board=board, metrics=metrics)
    holder.append(controller)
    http = HttpServer(
        config.listen,
        board=board,
        metrics=metrics,
        alive=lambda: time.monotonic() - controller.heartbeat < STALL_AFTER,
        ready=lambda: controller.ready,
        on_webhook=source.trigger if isinstance(source, GitSource) else None,
        webhook_secret=config.webhook_secret,
    )
    _install_signal_handlers(stop)
    http.start()
    source.start()
    log.info(
        "daemon_started",
        source=config.source,
        listen=http.address,
        instance=config.options.instance,
        prune=config.options.prune,
        alert_only=config.options.alert_only,
    )
    try:
        controller.run(stop)
    finally:
        source.stop()
        http.stop()
        log.info("daemon_stopped", revision=controller.revision)
    return 0


def _make_source(config: RunConfig, on_change: Callable[[], None]) -> Source:
    if is_git_url(config.source):
        return GitSource(
            config.source,
            on_change,
            ref=config.ref,
            subpath=config.path,
            cache_dir=config.cache_dir,
            poll_interval=config.poll,
        )
    return FolderSource(Path(config.source) / config.path, on_change)


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
