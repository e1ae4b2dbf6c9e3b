"""What every source offers the controller: a snapshot to read and a change signal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Snapshot:
    """Where to load manifests from, and which revision they are.

    For Git, `root` lies inside an extracted tree of exactly one commit that is
    never modified after creation; for a folder it is the folder itself.
    """

    root: Path
    revision: str | None


class Source(Protocol):
    """A background watcher that calls its `on_change` callback when `snapshot()` may differ.

    `on_change` runs on the source's own thread and must return quickly (it is
    expected to put a key on the work queue, nothing more).
    """

    def start(self) -> None:
        """Start the background thread(s) and return at once."""

    def stop(self) -> None:
        """Stop the background thread(s); returns within one second."""

    def snapshot(self) -> Snapshot | None:
        """The current good snapshot, or None until the first one exists."""

    def trigger(self) -> None:
        """Check for changes now (the Git webhook); a no-op where it means nothing."""
