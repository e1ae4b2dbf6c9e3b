"""Sync order: wave, then kind rank, then name; deletes run in reverse."""

from __future__ import annotations

from collections.abc import Sequence

from controller.plan.actions import REMOVALS, Action


def sort(actions: Sequence[Action]) -> list[Action]:
    """Writes first; then deletes and deregistrations, in reverse order."""
    writes = [a for a in actions if a.type not in REMOVALS]
    deletes = [a for a in actions if a.type in REMOVALS]
    writes.sort(key=lambda a: (a.wave, a.id.kind.rank, str(a.id)))
    deletes.sort(key=lambda a: (a.wave, a.id.kind.rank, str(a.id)), reverse=True)
    return writes + deletes
