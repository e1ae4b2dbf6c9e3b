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
    SUCCEEDED = "succeeded"
    """A one-off task ran and every essential container exited 0."""
    FAILED = "failed"
    BLOCKED = "blocked"
    """Not attempted, because something it depends on failed."""

    @property
    def failed(self) -> bool:
        return self in (Outcome.FAILED, Outcome.BLOCKED)


@dataclass(frozen=True)
class Result:
    id: ResourceId
    outcome: Outcome
    error: str = ""
    retryable: bool = False
    """True when the failure was temporary (throttling, 5xx): try again later."""
    arn: str = ""
