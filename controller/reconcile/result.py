"""What one pass is asked to do, and what it found: controller-runtime's Request and Result.

A `Request` names keys (resource ids), or everything, and whether to look for
resources to prune. The pass answers with a `PassResult`: the plan, what
apply did, and per key an outcome and a `Requeue`, which says when the key
should come back. The requeue rules are controller-runtime's:

- a temporary error → per-key exponential backoff (`BACKOFF`);
- `after` a delay (a rollout to follow, a fight to sit out) → reset the
  backoff, then come back after that delay;
- success, or an error only a change of input can fix → reset the backoff
  (`FORGET`); the next event or resync brings the key back.

The pass decides them all here, in one place, and the daemon applies them,
in one place (`controller.daemon.loop`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from controller.apply.outcomes import Outcome, Result
from controller.aws.errors import AwsError
from controller.core.kinds import ResourceId
from controller.plan.actions import Plan
from controller.reconcile.health import Health, RolloutProgress


class Mode(StrEnum):
    APPLY = "apply"
    """Write what the plan says, correct or hold drift, follow rollouts."""
    PLAN = "plan"
    """Write nothing; what apply would refuse (preflight) becomes a problem of the plan."""
    OBSERVE = "observe"
    """Write nothing and alert nothing: a standby replica reports what the leader would do."""


@dataclass(frozen=True)
class Request:
    keys: frozenset[ResourceId] = frozenset()
    """The resources to reconcile; what they depend on is read and planned with them."""
    everything: bool = False
    """Every desired resource, with one read of everything (a resync, a new leader, a CLI run)."""
    prune: bool = False
    """Also look for owned resources no manifest names (only with the prune setting on)."""
    mode: Mode = Mode.APPLY

    @classmethod
    def all(cls, mode: Mode = Mode.APPLY, *, prune: bool = True) -> Request:
        return cls(everything=True, prune=prune, mode=mode)


@dataclass(frozen=True)
class Requeue:
    """When a key comes back (see the module docstring)."""

    backoff: bool = False
    after: float | None = None


FORGET = Requeue()
BACKOFF = Requeue(backoff=True)


@dataclass(frozen=True)
class KeyResult:
    """What one pass concluded about one resource."""

    id: ResourceId
    outcome: Outcome
    requeue: Requeue = FORGET
    error: str | None = None
    message: str | None = None
    health: Health | None = None
    """A service's health, when it was assessed in this pass."""
    rollout: RolloutProgress | None = None
    """Where the service deployment ecsync follows stands, when its record was read."""


@dataclass(frozen=True)
class PassResult:
    keys: Mapping[ResourceId, KeyResult] = field(default_factory=dict)
    """Each requested key, and each resource an action of this pass touched."""
    plan: Plan | None = None
    """None when live state could not be read (`error`): nothing was planned or written."""
    applied: tuple[Result, ...] = ()
    """What apply did, one Result per action, in plan order."""
    error: AwsError | None = None
    seconds: float = 0.0

    @classmethod
    def unread(cls, ids: Iterable[ResourceId], error: AwsError, seconds: float) -> PassResult:
        """Live state could not be read: every key failed, and backs off."""
        keys = {rid: KeyResult(rid, Outcome.FAILED, BACKOFF, error=str(error)) for rid in ids}
        return cls(keys, error=error, seconds=seconds)

    @property
    def converged(self) -> bool:
        """Everything planned could be written, and was."""
        return (
            self.plan is not None
            and not self.plan.problems
            and not any(r.outcome.failed for r in self.applied)
        )
