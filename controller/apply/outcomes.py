"""What happened to each resource in one apply."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from controller.core.kinds import ResourceId


class Outcome(StrEnum):
    UNCHANGED = "unchanged"
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

    @property
    def failed(self) -> bool:
        return self in (Outcome.FAILED, Outcome.BLOCKED, Outcome.PREFLIGHT_FAILED)


@dataclass(frozen=True)
class Result:
    id: ResourceId
    outcome: Outcome
    error: str = ""
    retryable: bool = False
    """True when the failure was temporary (throttling, 5xx): try again later."""
    arn: str = ""
