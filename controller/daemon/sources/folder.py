"""Watching a folder of manifests with inotify (watchfiles) and signalling changes.

Two things inotify does not tell us directly, and how they are handled:

- A folder moved into the tree arrives as one event for the directory, none
  for the files inside, so a directory event counts as a change (the
  controller rescans everything anyway).
- When the watched folder itself is deleted and re-created, the old watch
  goes silent for good. The folder's identity (device, inode) is checked
  whenever the watcher wakes up, at least every `_CHECK_MS`, and the watch is
  restarted, with a change signalled, whenever it was lost.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import structlog
import watchfiles

from controller.daemon.sources.base import Snapshot

log = structlog.get_logger()

MANIFEST_SUFFIXES = frozenset({".yaml", ".yml", ".json"})

_CHECK_MS = 500  # how often the watcher wakes up to check that the folder is still there
_STEP_MS = 30
"""How often watchfiles looks for new changes (and for a stop), in ms. A change is signalled
a step or more after it is written (one step to see it, one more to see nothing more come);
each look wakes the process, which costs about 85 µs of CPU on a small VM. Measured idle, the
whole daemon used 10 ms of CPU a second at a 10 ms step, 6.5 at 15 and 3.5 at 50. At 10,000
services a one-service edit took 218 ms (p50) to its first write at 15, 290 at 40 and 232 at
30 (docs/benchmarks.md)."""
_RETRY_FIRST = 0.1  # seconds before re-watching after a failure; doubles...
_RETRY_MAX = 2.0  # ...up to this


class FolderSource:
    """Calls `on_change()` once per debounced batch of changes to manifest files or folders."""

    def __init__(
        self, path: Path, on_change: Callable[[], None], *, debounce_ms: int = 100
    ) -> None:
        self.path = path
        self._root = Path(os.path.abspath(path))
        self._on_change = on_change
        self._debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"ecsync-folder-{self.path}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=0.9)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.path, None)

    def trigger(self) -> None:
        """Nothing to do: a folder is always current."""

    def is_relevant(self, change: watchfiles.Change, path: str) -> bool:
        """True for changes the controller must see: manifests, directories, the root itself.

        Paths with a component starting with `.` are skipped, like the loader
        skips them. A deleted path can no longer be checked for being a
        directory, so one without a suffix counts too (a spare rescan is cheap,
        a missed one is not).
        """
        target = Path(path)
        try:
            parts = target.relative_to(self._root).parts
        except ValueError:
            parts = (target.name,)
        if any(part.startswith(".") for part in parts):
            return False
        if not parts or target.suffix.lower() in MANIFEST_SUFFIXES:
            return True
        if change == watchfiles.Change.deleted:
            return target.suffix == ""
        return target.is_dir()

    def _run(self) -> None:
        """Watch until stopped; any failure is logged and the watch restarted after a backoff.

        A failure that repeats with the same message is logged at debug level
        only, so a folder that stays missing does not flood the log.
        """
        delay = _RETRY_FIRST
        started = False
        last_error: str | None = None
        while not self._stop.is_set():
            try:
                identity = _identity(self._root)
                if started:
                    log.info("folder_watch_resumed", path=str(self.path))
                    self._notify()  # whatever happened meanwhile was not seen
                started = True
                last_error = None
                self._watch(identity)
                delay = _RETRY_FIRST
            except Exception as exc:  # the thread must never die silently
                report = log.debug if str(exc) == last_error else log.error
                report(
                    "folder_watch_failed",
                    path=str(self.path),
                    error=str(exc),
                    retry_in=delay,
                )
                last_error = str(exc)
                started = True  # a folder missing at start is news when it appears
                self._stop.wait(delay)
                delay = min(delay * 2, _RETRY_MAX)

    def _watch(self, identity: tuple[int, int]) -> None:
        """Signal each relevant batch; return when stopped or when the folder was replaced."""
        for changes in watchfiles.watch(
            self._root,
            watch_filter=self.is_relevant,
            debounce=self._debounce_ms,
            step=_STEP_MS,
            stop_event=self._stop,
            rust_timeout=_CHECK_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            recursive=True,
        ):
            if changes:
                log.debug("folder_changed", path=str(self.path), changes=len(changes))
                self._notify()
            root_touched = any(Path(p) == self._root for _, p in changes)
            if root_touched or _identity_or_none(self._root) != identity:
                # Moved away, deleted or replaced: the inotify watch may be dead.
                raise FileNotFoundError(f"folder {self.path} was moved, deleted or replaced")

    def _notify(self) -> None:
        try:
            self._on_change()
        except Exception:  # a faulty callback must not stop the watch
            log.exception("source_callback_failed", path=str(self.path))


def _identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a directory")
    return stat.st_dev, stat.st_ino


def _identity_or_none(path: Path) -> tuple[int, int] | None:
    try:
        return _identity(path)
    except OSError:
        return None
