"""Following the rollouts ecsync starts, by ECS's own record of each, and logging their ends.

Every service write (create, update, replace) that starts an ECS service
deployment is followed to its end through that deployment's record
(DescribeServiceDeployments): the deployment the write's answer names
(`currentServiceDeployment`), else the one DescribeServices names after the
write, else (an endpoint whose DescribeServices names none) the newest one
ListServiceDeployments lists as created after the write. The records of every
followed service are read together, 20 per call, once per pass (`refresh`, in
`controller.reconcile.following`).

Each transition is logged once: `rollout_started`, `rollout_progressed` (a new
lifecycle stage or traffic share), then `rollout_completed` (SUCCESSFUL),
`rollout_rolled_back` (ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED: with the task
definition ecsync deployed and the one running now) or `rollout_failed`
(STOPPED); and `service_degraded` when a service drops to Degraded.

When the record cannot be had (the role may not read service deployments, an
endpoint older than them, a deployment ECS does not know), or the write started
no deployment (tags, a desired count), the rollout is judged from
DescribeServices as before (`health.assess_live`), with a time limit, and
`rollout_record_unavailable` says why.

The tracker also tells the drift rules (`holds`) what must not be written over:
a service whose own rollout is still going, and a service whose rollout ECS
rolled back, which stays Degraded and is not deployed again until its
manifests change (or `ecsync apply` runs).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from controller.apply.outcomes import Outcome, Result
from controller.aws import services
from controller.aws.clients import Aws
from controller.core.kinds import ResourceId
from controller.core.resources import Live
from controller.core.service_state import DeploymentStatus
from controller.reconcile import following
from controller.reconcile.following import Follow
from controller.reconcile.health import (
    Assessment,
    Health,
    Rollout,
    RolloutProgress,
    assess_deployment,
    assess_live,
    short_id,
)

log = structlog.get_logger()

_STARTS = (Outcome.CREATED, Outcome.UPDATED, Outcome.REPLACED)


@dataclass(frozen=True)
class Hold:
    """Why a difference on a service must not be written over now."""

    rolled_back: bool
    """False: the service's own rollout is still going (the difference is converging)."""
    message: str
    progress: RolloutProgress | None = None


@dataclass
class _Seen:
    health: Health | None = None
    follow: Follow | None = None
    rolled_back: tuple[str | None, Hold] | None = None
    """The fingerprint whose rollout ECS rolled back, and what to report for it."""


class RolloutTracker:
    def __init__(
        self,
        timeout: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._timeout = timeout
        self._clock = clock
        self._now = now
        self._seen: dict[ResourceId, _Seen] = {}

    def refresh(self, aws: Aws, live: Mapping[ResourceId, Live]) -> None:
        """Read the record of each followed rollout among `live` (just read)."""
        followed = {
            rid: seen.follow
            for rid, seen in self._seen.items()
            if seen.follow is not None and seen.follow.unavailable is None and rid in live
        }
        following.refresh(aws, followed, live)

    def observe(
        self,
        rid: ResourceId,
        result: Result | None,
        live: Live | None,
        revision: str | None,
        fingerprint: str | None = None,
    ) -> tuple[Assessment | None, bool]:
        """Log what changed for `rid`; returns its assessment and whether to poll again soon.

        `result` is what this pass wrote (None when nothing); `live` is what
        was read before writing, so after a write only the start is logged.
        """
        seen = self._seen.get(rid)
        if seen is None:
            seen = self._seen[rid] = _Seen()
        if result is not None and result.outcome in _STARTS:
            fields = _log_fields(rid, revision)
            return _started(self._start(seen, result, live, fields, fingerprint)), True
        follow = seen.follow
        assessment: Assessment | None
        if follow is not None and follow.record is not None:
            assessment = self._by_record(seen, follow, live, _log_fields(rid, revision))
        else:
            assessment = assess_live(live) if live is not None else None
            if follow is not None and assessment is not None:
                if self._awaits_record(follow):
                    assessment = _awaiting(follow, assessment)
                else:
                    fields = _log_fields(rid, revision)
                    assessment = self._by_service(seen, follow, assessment, fields)
        if assessment is None:
            return None, seen.follow is not None
        if seen.follow is None and seen.rolled_back is not None:
            rolled_fingerprint, hold = seen.rolled_back
            if rolled_fingerprint == fingerprint and assessment.health is not Health.MISSING:
                assessment = Assessment(
                    Health.DEGRADED, Rollout.FAILED, hold.message, None, hold.progress
                )
        if assessment.health is Health.DEGRADED and seen.health is not Health.DEGRADED:
            fields = _log_fields(rid, revision)
            log.warning("service_degraded", **fields, message=assessment.message)
        seen.health = assessment.health
        return assessment, seen.follow is not None

    def _start(
        self,
        seen: _Seen,
        result: Result,
        live: Live | None,
        fields: Mapping[str, object],
        fingerprint: str | None,
    ) -> Follow:
        state = services.state_of(live) if live is not None else None
        before = state.current_deployment if state is not None else None
        follow = Follow(fingerprint, self._clock(), self._now(), before)
        if result.deployment is not None:
            follow.no_deployment = result.deployment == before
            follow.deployment = None if follow.no_deployment else result.deployment
        seen.follow, seen.rolled_back = follow, None
        log.info(
            "rollout_started",
            **fields,
            outcome=str(result.outcome),
            deployment=follow.deployment,
        )
        return follow

    def _by_record(
        self, seen: _Seen, follow: Follow, live: Live | None, fields: Mapping[str, object]
    ) -> Assessment:
        record = follow.record
        assert record is not None
        assessment = assess_deployment(record)
        found = assess_live(live) if live is not None else None
        if found is not None and found.health is Health.MISSING:
            seen.follow = None
            return found
        about = {**fields, "deployment": record.arn, "strategy": record.strategy}
        status = record.status
        if not status.ended:
            shown = (record.lifecycle_stage, record.production_traffic, str(status))
            if shown != follow.shown:
                follow.shown = shown
                log.info(
                    "rollout_progressed",
                    **about,
                    status=str(status),
                    stage=record.lifecycle_stage,
                    traffic_percent=record.production_traffic,
                    message=assessment.message,
                )
            return assessment
        seen.follow = None
        if status is DeploymentStatus.SUCCESSFUL:
            log.info("rollout_completed", **about, message=assessment.message)
        elif status.rolling_back:
            log.error(
                "rollout_rolled_back",
                **about,
                status=str(status),
                target=follow.target,
                restored=follow.restored,
                reason=record.rollback_reason or record.status_reason,
                message=assessment.message,
            )
            hold = Hold(True, _rolled_back_message(assessment.message), assessment.progress)
            seen.rolled_back = (follow.fingerprint, hold)
            return Assessment(
                Health.DEGRADED, Rollout.FAILED, hold.message, record.arn, assessment.progress
            )
        else:
            log.error("rollout_failed", **about, status=str(status), message=assessment.message)
        return assessment

    def _awaits_record(self, follow: Follow) -> bool:
        """A record is due but was not read yet (a transient failure): wait for it, within
        the time limit, rather than judge the rollout from DescribeServices."""
        waiting = follow.unavailable is None and not follow.no_deployment
        return waiting and self._clock() - follow.started_at <= self._timeout

    def _by_service(
        self, seen: _Seen, follow: Follow, assessment: Assessment, fields: Mapping[str, object]
    ) -> Assessment:
        """The rollout judged from DescribeServices (no record to follow)."""
        if follow.unavailable is not None:
            assessment = Assessment(
                assessment.health,
                assessment.rollout,
                f"{assessment.message} (from DescribeServices: the deployment record is "
                "unavailable)",
                assessment.deployment_id,
            )
        if assessment.rollout is Rollout.COMPLETED or (
            assessment.rollout is None and assessment.health is Health.HEALTHY
        ):
            seen.follow = None
            log.info("rollout_completed", **fields, message=assessment.message)
        elif assessment.rollout is Rollout.FAILED:
            seen.follow = None
            log.error("rollout_failed", **fields, message=assessment.message)
        elif self._clock() - follow.started_at > self._timeout:
            seen.follow = None
            log.warning(
                "rollout_failed",
                **fields,
                message=f"no steady state after {self._timeout:.0f}s: {assessment.message}",
            )
        return assessment

    def holds(self, rid: ResourceId, fingerprint: str) -> Hold | None:
        """Why a difference on `rid`, whose manifests have fingerprint `fingerprint`, must not
        be written over now; None when nothing holds it."""
        seen = self._seen.get(rid)
        if seen is None:
            return None
        follow = seen.follow
        if follow is not None and follow.fingerprint == fingerprint:
            what = f"deployment {short_id(follow.deployment)}" if follow.deployment else "rollout"
            progress = RolloutProgress.of(follow.record) if follow.record is not None else None
            return Hold(False, f"ecsync's {what} is still converging", progress)
        if seen.rolled_back is not None and seen.rolled_back[0] == fingerprint:
            return seen.rolled_back[1]
        return None

    def forget(self, rid: ResourceId) -> None:
        self._seen.pop(rid, None)


def _log_fields(rid: ResourceId, revision: str | None) -> dict[str, object]:
    """What every event about `rid` carries (made only when one is logged: most passes log
    nothing about most services)."""
    return {**rid.log_fields(), "revision": revision}


def _started(follow: Follow) -> Assessment | None:
    """Progressing from the write on, so that `/status` does not show a service whose
    rollout just started without health until the first look; None when the write's
    answer shows it started no deployment (tags, a desired count)."""
    if follow.no_deployment:
        return None
    what = f"deployment {short_id(follow.deployment)}" if follow.deployment else "a deployment"
    return Assessment(Health.PROGRESSING, Rollout.IN_PROGRESS, f"{what} started", None)


def _awaiting(follow: Follow, found: Assessment) -> Assessment:
    what = f"deployment {short_id(follow.deployment)}" if follow.deployment else "the deployment"
    message = f"{what} in progress; its record could not be read yet ({found.message})"
    return Assessment(Health.PROGRESSING, Rollout.IN_PROGRESS, message, found.deployment_id)


def _rolled_back_message(message: str) -> str:
    return (
        f"{message}; not deployed again until its manifests (or its task definition's) "
        "change, or `ecsync apply` runs"
    )
