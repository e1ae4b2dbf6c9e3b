"""Following service rollouts and health, and logging their transitions.

ECS's own deployment state decides (see `health`): this module only
remembers what was seen last per service, so that each transition is logged
once: `rollout_started`, `rollout_completed`, `rollout_failed`, and
`service_degraded` when a steady service drops below its desired count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from controller.apply.outcomes import Outcome, Result
from controller.core.kinds import ResourceId
from controller.core.resources import Live
from controller.reconcile.health import Assessment, Health, Rollout, assess_live

log = structlog.get_logger()

_STARTS = (Outcome.CREATED, Outcome.UPDATED, Outcome.REPLACED)


@dataclass
class _Seen:
    health: Health | None = None
    following: bool = False
    started_at: float = 0.0


class RolloutTracker:
    def __init__(
        self, timeout: float = 1800.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._timeout = timeout
        self._clock = clock
        self._seen: dict[ResourceId, _Seen] = {}

    def observe(
        self, rid: ResourceId, result: Result | None, live: Live | None, revision: str | None
    ) -> tuple[Assessment | None, bool]:
        """Log what changed for `rid`; returns its assessment and whether to poll again soon.

        `result` is what this pass wrote (None when nothing); `live` is what
        was read before writing, so after a write it is stale and only the
        start of a rollout is logged.
        """
        seen = self._seen.setdefault(rid, _Seen())
        fields = {**rid.log_fields(), "revision": revision}
        if result is not None and result.outcome in _STARTS:
            seen.following, seen.started_at = True, self._clock()
            log.info("rollout_started", **fields, outcome=str(result.outcome))
            return None, True
        assessment = assess_live(live) if live is not None else None
        if assessment is None:
            return None, False
        if seen.following:
            if assessment.rollout is Rollout.COMPLETED or (
                assessment.rollout is None and assessment.health is Health.HEALTHY
            ):
                seen.following = False
                log.info("rollout_completed", **fields, message=assessment.message)
            elif assessment.rollout is Rollout.FAILED:
                seen.following = False
                log.error("rollout_failed", **fields, message=assessment.message)
            elif self._clock() - seen.started_at > self._timeout:
                seen.following = False
                log.warning(
                    "rollout_failed",
                    **fields,
                    message=f"no steady state after {self._timeout:.0f}s: {assessment.message}",
                )
        if assessment.health is Health.DEGRADED and seen.health is not Health.DEGRADED:
            log.warning("service_degraded", **fields, message=assessment.message)
        seen.health = assessment.health
        return assessment, seen.following

    def forget(self, rid: ResourceId) -> None:
        self._seen.pop(rid, None)
