"""Sources for tests that drive the daemon's loop themselves."""

from __future__ import annotations

from pathlib import Path

from controller.daemon.sources.base import Snapshot


class FixedFolder:
    """A source that always offers the same folder, as revision `rev-1`, and never wakes the
    loop: the test decides when a pass runs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def trigger(self) -> None:
        pass

    def snapshot(self) -> Snapshot:
        return Snapshot(self.root, "rev-1")
