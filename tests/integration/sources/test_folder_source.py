"""FolderSource on a real folder with real inotify: what signals a change, and what does not."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog
from structlog.typing import EventDict

from controller.daemon.sources.folder import FolderSource

QUIET = 0.5  # seconds without a signal that count as "nothing happened" (5 debounce periods)


def eventually(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.01)


@contextlib.contextmanager
def capture_all_logs() -> Iterator[list[EventDict]]:
    """capture_logs(), keeping debug events even where structlog was set up to drop them."""
    wrapper = structlog.get_config()["wrapper_class"]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        with structlog.testing.capture_logs() as logs:
            yield logs
    finally:
        structlog.configure(wrapper_class=wrapper)


class Calls:
    """Counts `on_change` calls, from the watcher's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def __call__(self) -> None:
        with self._lock:
            self.count += 1

    def since(self, mark: int) -> int:
        return self.count - mark

    def settled(self) -> int:
        """The count once no call has come for QUIET seconds (calls that never stop fail)."""
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            mark = self.count
            time.sleep(QUIET)
            if self.count == mark:
                return mark
        raise AssertionError("on_change kept being called for 5 s")


class Watched:
    """A started FolderSource on `root` and the calls it made."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls = Calls()
        self.source = FolderSource(root, self.calls)

    def ready(self) -> int:
        """Wait until the watch is live (a probe edit is seen); return the settled call count.

        start() does not say when inotify is watching, and edits made before
        that are not seen: this is the test waiting for the source, not a
        leniency about what the source misses.
        """
        self.edit_until_seen(self.root / "probe.yaml")
        return self.calls.settled()

    def edit_until_seen(self, path: Path) -> None:
        """Rewrite manifest `path` until a call arrives (the watch may still be starting)."""
        mark = self.calls.count
        deadline = time.monotonic() + 5.0
        while self.calls.count == mark:
            assert time.monotonic() < deadline, f"edits to {path} were never signalled"
            path.write_text(f"probe: {time.monotonic()}\n")
            time.sleep(0.2)


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[Watched]:
    """A started folder source on a folder holding one manifest and a README."""
    root = tmp_path / "manifests"
    root.mkdir()
    (root / "web.yaml").write_text("kind: Service\n")
    (root / "README.md").write_text("# manifests\n")
    watched = Watched(root)
    watched.source.start()
    yield watched
    watched.source.stop()


def test_editing_a_manifest_signals(watched: Watched) -> None:
    """Changing a YAML manifest calls on_change."""
    mark = watched.ready()
    (watched.root / "web.yaml").write_text("kind: Service\nname: web\n")
    eventually(lambda: watched.calls.since(mark) >= 1, "on_change after the edit")


def test_a_burst_of_writes_is_debounced(watched: Watched) -> None:
    """Twenty writes within 50 ms make at most three calls."""
    mark = watched.ready()
    started = time.monotonic()
    for i in range(20):
        (watched.root / f"svc-{i % 4}.yaml").write_text(f"n: {i}\n")
    assert time.monotonic() - started < 0.05
    eventually(lambda: watched.calls.since(mark) >= 1, "on_change after the burst")
    assert 1 <= watched.calls.settled() - mark <= 3


def test_an_atomic_save_signals(watched: Watched) -> None:
    """Writing a hidden temp file and renaming it onto the manifest counts as a change."""
    mark = watched.ready()
    temporary = watched.root / ".web.yaml.tmp"
    temporary.write_text("kind: Service\nname: saved\n")
    os.replace(temporary, watched.root / "web.yaml")
    eventually(lambda: watched.calls.since(mark) >= 1, "on_change after the atomic save")


def test_a_folder_moved_in_signals_and_is_watched(watched: Watched, tmp_path: Path) -> None:
    """A folder renamed into the tree signals, and edits inside it are seen afterwards."""
    outside = tmp_path / "outside" / "api"
    outside.mkdir(parents=True)
    (outside / "service.yaml").write_text("kind: Service\n")
    mark = watched.ready()
    outside.rename(watched.root / "api")
    eventually(lambda: watched.calls.since(mark) >= 1, "on_change after the move")
    watched.calls.settled()
    watched.edit_until_seen(watched.root / "api" / "service.yaml")


def test_editing_other_files_does_not_signal(watched: Watched) -> None:
    """Edits to README.md, a hidden file or a temp file make no call; a manifest edit then does."""
    mark = watched.ready()
    (watched.root / "README.md").write_text("# changed\n")
    (watched.root / ".web.yaml.swp").write_text("x")
    (watched.root / "notes.txt").write_text("x")
    time.sleep(QUIET)
    assert watched.calls.since(mark) == 0
    (watched.root / "web.yaml").write_text("kind: Service\nname: control\n")
    eventually(lambda: watched.calls.since(mark) >= 1, "on_change after the control edit")


def test_the_folder_deleted_and_recreated_is_watched_again(watched: Watched) -> None:
    """After the watched folder is deleted and created again, edits in the new one are seen."""
    watched.ready()
    with structlog.testing.capture_logs() as logs:
        shutil.rmtree(watched.root)
        watched.root.mkdir()
        eventually(
            lambda: any(e["event"] == "folder_watch_resumed" for e in list(logs)),
            "folder_watch_resumed logged",
        )
        watched.calls.settled()
        watched.edit_until_seen(watched.root / "new.yaml")


def test_a_folder_created_after_start_is_picked_up(tmp_path: Path) -> None:
    """A missing folder is reported once as an error, then watched once it exists."""
    root = tmp_path / "later"
    watched = Watched(root)
    with capture_all_logs() as logs:
        watched.source.start()
        try:
            eventually(lambda: len(failures(logs)) >= 3, "three failed attempts")
            root.mkdir()
            eventually(lambda: watched.calls.count >= 1, "on_change when the folder appears")
            watched.edit_until_seen(root / "web.yaml")
        finally:
            watched.source.stop()
    levels = [event["log_level"] for event in failures(logs)]
    assert levels[0] == "error"
    assert set(levels[1:]) == {"debug"}
    assert [e["event"] for e in logs].count("folder_watch_resumed") == 1


def failures(logs: list[EventDict]) -> list[EventDict]:
    return [event for event in list(logs) if event["event"] == "folder_watch_failed"]


def test_a_failing_callback_does_not_stop_the_watch(tmp_path: Path) -> None:
    """An exception from on_change is logged and later changes still signal."""
    root = tmp_path / "manifests"
    root.mkdir()
    calls = Calls()

    def flaky() -> None:
        calls()
        raise RuntimeError("queue is full")

    source = FolderSource(root, flaky)
    with structlog.testing.capture_logs() as logs:
        source.start()
        try:
            eventually(lambda: write_and_count(root / "a.yaml", calls) >= 2, "two calls")
        finally:
            source.stop()
    assert any(e["event"] == "source_callback_failed" for e in logs)


def write_and_count(path: Path, calls: Calls) -> int:
    path.write_text(f"t: {time.monotonic()}\n")
    time.sleep(0.2)
    return calls.count


@pytest.mark.parametrize("folder_exists", [True, False])
def test_stop_returns_within_a_second(tmp_path: Path, folder_exists: bool) -> None:
    """stop() returns within one second and the thread is gone, watching or waiting to retry."""
    root = tmp_path / "manifests"
    if folder_exists:
        root.mkdir()
    source = FolderSource(root, lambda: None)
    source.start()
    time.sleep(0.3)  # let the thread settle into its watch (or its retry wait)
    started = time.monotonic()
    source.stop()
    assert time.monotonic() - started < 1.0
    assert not any(
        t.name == f"ecsync-folder-{root}" and t.is_alive() for t in threading.enumerate()
    )
