"""What happened to each resource in one pass: written, unchanged, held back, or failed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from controller.core.kinds import ResourceId


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
    """Live state already matched the manifests: nothing was written."""
    CREATED = "created"
    UPDATED = "updated"
    REGISTERED = "registered"
    REPLACED = "replaced"
    DELETED = "deleted"
    DEREGISTERED = "deregistered"
    """An old task definition revision was deregistered."""
    SUCCEEDED = "succeeded"
    """A one-off task ran and every essential container exited 0."""
    FAILED = "failed"
    BLOCKED = "blocked"
    """Not attempted, because something it depends on failed."""
    PREFLIGHT_FAILED = "preflight_failed"
    """Not written, because a preflight check failed (see `controller.plan.preflight`)."""
    PENDING = "pending"
    """A change is due but this pass writes nothing: a plan, or a replica on standby."""
    DRIFT_HELD = "drift_held"
    """Drift was found and not corrected: alert-only mode, or another writer keeps fighting."""

    @property
    def failed(self) -> bool:
        return self in (Outcome.FAILED, Outcome.BLOCKED, Outcome.PREFLIGHT_FAILED)

    @property
    def removed(self) -> bool:
        """The resource is gone from AWS and from the desired set (pruned, or an old
        revision deregistered)."""
        return self in (Outcome.DELETED, Outcome.DEREGISTERED)


@dataclass(frozen=True)
class Result:
    id: ResourceId
    outcome: Outcome
    error: str = ""
    retryable: bool = False
    """True when the failure was temporary (throttling, 5xx): try again later."""
    arn: str = ""
    deployment: str | None = None
    """The ECS service deployment a service write left ECS working on, when its answer
    named one (`currentServiceDeployment`)."""
