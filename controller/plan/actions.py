"""The plan: typed actions that can be printed, serialised and tested."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from controller.core.kinds import ResourceId
from controller.diff.compare import FieldChange


class ActionType(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REGISTER = "register"
    """A new task definition revision."""
    REPLACE = "replace"
    """Delete and create again, for fields ECS cannot update in place."""
    DELETE = "delete"
    DEREGISTER = "deregister"
    """An old task definition revision ecsync registered, beyond the number to keep."""
    RUN = "run"
    """A one-off task run."""


REMOVALS = frozenset({ActionType.DELETE, ActionType.DEREGISTER})
"""Action types that take something away: they run after every write, in reverse order."""


@dataclass(frozen=True)
class Action:
    """One resource-level step of a plan.

    `spec` is exactly what the writer sends (manifest shape, system tags
    included, ignored fields carrying their live values); `fields` are the
    top-level fields an update writes, and nothing else is sent.
    """

    type: ActionType
    id: ResourceId
    changes: tuple[FieldChange, ...] = ()
    fields: frozenset[str] = frozenset()
    spec: dict[str, Any] = field(default_factory=dict)
    depends_on: tuple[ResourceId, ...] = ()
    wave: int = 0
    reason: str = ""
    resume_task: str = ""
    """For a RUN: the ARN of a task an earlier pass started and did not see
    finish (a crash); the executor waits for it instead of starting another."""
    hook: str = ""
    """For a RUN of a hook: its `ecsync/hook` phase, logged with the run's events."""
    record: str = ""
    """For a RUN of a post-sync or sync-fail hook: the version its run record keeps (the
    sync it runs for, `controller.plan.triggers`); empty: the fingerprint of its spec."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": str(self.type),
            "kind": str(self.id.kind),
            "name": self.id.name,
            **({"cluster": self.id.cluster} if self.id.cluster else {}),
            "changes": [c.to_dict() for c in self.changes],
            **({"reason": self.reason} if self.reason else {}),
        }


@dataclass(frozen=True)
class Problem:
    """A resource ecsync cannot converge, with what the user should do about it."""

    id: ResourceId
    message: str
    changes: tuple[FieldChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.id.kind),
            "name": self.id.name,
            **({"cluster": self.id.cluster} if self.id.cluster else {}),
            "message": self.message,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class PruneBlocked:
    """A prune that the mass-deletion guard held back: nothing was deleted."""

    would_delete: tuple[ResourceId, ...]
    owned: int
    """Live resources this instance owns (the deletes included)."""
    max_share: float
    empty_desired: bool
    """True when the manifests name no resource at all."""

    @property
    def share(self) -> float:
        return len(self.would_delete) / self.owned if self.owned else 1.0

    def message(self) -> str:
        count = len(self.would_delete)
        if self.empty_desired:
            why = (
                f"the manifests name no resources, so it would delete all {count} "
                "resource(s) this instance owns"
            )
        else:
            why = (
                f"it would delete {count} of the {self.owned} resources this instance owns "
                f"({self.share:.0%}, more than --prune-max-share {self.max_share:g})"
            )
        return (
            f"prune blocked: {why}; nothing is deleted. Check that the manifests are complete "
            "(a wrong --path, branch or folder looks like this), then run again with "
            "--confirm-prune to delete them"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "deletes": len(self.would_delete),
            "owned": self.owned,
            "share": round(self.share, 4),
            "max_share": self.max_share,
            "empty_desired": self.empty_desired,
            "resources": [str(rid) for rid in self.would_delete],
        }


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...] = ()
    problems: tuple[Problem, ...] = ()
    in_sync: tuple[ResourceId, ...] = ()
    notes: tuple[str, ...] = ()
    resolved_task_definitions: dict[str, str] = field(default_factory=dict)
    """Task definition family -> ARN of the revision services should run, for
    families whose desired content is already registered."""
    prune_blocked: PruneBlocked | None = None
    """Set when the mass-deletion guard held the prune back."""

    @property
    def empty(self) -> bool:
        return not self.actions and not self.problems

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for action in self.actions:
            counts[str(action.type)] = counts.get(str(action.type), 0) + 1
        return {
            "summary": {**counts, "problems": len(self.problems), "in_sync": len(self.in_sync)},
            "actions": [a.to_dict() for a in self.actions],
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
            **({"prune_blocked": self.prune_blocked.to_dict()} if self.prune_blocked else {}),
        }
