"""Sync order: wave, then kind rank, then name; deletes run in reverse."""

from __future__ import annotations

from collections.abc import Sequence

from controller.plan.actions import Action, ActionType


def sort(actions: Sequence[Action]) -> list[Action]:
    writes = [a for a in actions if a.type is not ActionType.DELETE]
    deletes = [a for a in actions if a.type is ActionType.DELETE]
    writes.sort(key=lambda a: (a.wave, a.id.kind.rank, str(a.id)))
    deletes.sort(key=lambda a: (a.wave, a.id.kind.rank, str(a.id)), reverse=True)
    return writes + deletes
