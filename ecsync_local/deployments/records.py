"""Service revisions and service deployments as the stand-in keeps and answers them.

Shapes: ECS API Reference, ServiceRevision, ServiceDeployment,
ServiceDeploymentBrief, ServiceRevisionSummary, Rollback,
ServiceDeploymentCircuitBreaker; aws-cli's `describe-service-deployments`,
`list-service-deployments` and `describe-service-revisions` examples (ARNs
`service-deployment/<cluster>/<service>/<21 letters and digits>` and
`service-revision/<cluster>/<service>/<19 digits>`, a finished deployment's
circuit breaker `MONITORING_COMPLETE` with its `threshold`, alarms
`{"status": "DISABLED"}` when none are set).

The circuit breaker threshold: "0.5 * desired task count", at least 3 and
at most 200 (ServiceDeploymentCircuitBreaker.threshold); with a
`thresholdConfiguration`, COUNT is the value itself, BOUNDED_PERCENT that
percentage of the desired count within the same 3 to 200, UNBOUNDED_PERCENT
without the bounds (at least 1).

The wording of a deployment that alarms failed is the stand-in's own: AWS
documents none (the circuit breaker's is from real answers); it names the
alarms, as `alarms.triggeredAlarmNames` does.
"""

from __future__ import annotations

import math
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecsync_local.deployments import alarms, timeline

STATUS_REASON = "ECS deployment circuit breaker: tasks failed to start."
"""rolloutStateReason of a deployment the circuit breaker failed (aws/containers-roadmap#1488)."""
ROLLBACK_REASON = (
    "Service deployment rolled back because the circuit breaker threshold was exceeded."
)


def alarm_reason(names: str) -> str:
    """statusReason and rolloutStateReason of a deployment that alarms failed."""
    return f"ECS deployment alarms: {names} in ALARM state."


def alarm_rollback_reason(names: str) -> str:
    return f"Service deployment rolled back because alarms went into ALARM state: {names}."


_FOREVER = 1e12
"""Units since creation of a deployment at pace 0: later than any stage ends."""


def deployment_id() -> str:
    """A service deployment id: 21 letters and digits, like `ejGvqq2ilnbKT9qj0vLJe`."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(21))


def revision_id() -> str:
    """A service revision id: 19 digits, like `1485800978477494678`."""
    return str(10**18 + secrets.randbelow(9 * 10**18))


def ecs_deployment_id() -> str:
    """A DescribeServices deployment id, like `ecs-svc/8127465930017726154`."""
    return f"ecs-svc/{revision_id()}"


@dataclass
class Revision:
    """One service revision: the workload configuration a deployment rolls out."""

    arn: str
    service_arn: str
    cluster_arn: str
    content: dict[str, Any]
    """ServiceRevision members other than the ARNs and createdAt."""
    created_at: datetime
    entry: dict[str, Any]
    """The DescribeServices `deployments[]` item that runs this revision (a template)."""

    def describe(self) -> dict[str, Any]:
        return {
            "serviceRevisionArn": self.arn,
            "serviceArn": self.service_arn,
            "clusterArn": self.cluster_arn,
            **self.content,
            "createdAt": self.created_at,
        }


@dataclass
class Record:
    """One service deployment, with everything needed to tell where it stands at any time."""

    arn: str
    service_arn: str
    cluster_arn: str
    created_at: datetime
    pace: float
    """Seconds per stage (ECSYNC_LOCAL_STAGE_SECONDS when it was created)."""
    target: Revision
    sources: tuple[Revision, ...]
    configuration: dict[str, Any]
    settings: timeline.Settings
    failure: str | None
    """Why the target's tasks never run healthy, or None."""
    restore: Revision | None
    """The revision a rollback returns to: the last one that completed."""
    ecs_id: str
    rollback_ecs_id: str = field(default_factory=ecs_deployment_id)
    cut: datetime | None = None
    """When a newer deployment of the service replaced it."""
    applied: set[str] = field(default_factory=set)
    """Effects on the service already made (events written, task definition restored)."""
    watch: alarms.Watch | None = None
    """The CloudWatch alarms that can fail it, when they are enabled."""

    def at(self, now: datetime) -> timeline.Moment:
        """Where it stands at `now`; a watched alarm in ALARM fails it now."""
        moment = self._moment(now)
        watch = self.watch
        if watch is None or watch.ignored or watch.tripped is not None or not moment.watched:
            return moment
        firing = watch.firing()
        if not firing:
            return moment
        watch.tripped, watch.triggered = now, firing
        return self._moment(now)

    def reason(self, moment: timeline.Moment) -> str:
        """Why it failed (statusReason), once it did."""
        if moment.cause == timeline.ALARMS and self.watch is not None:
            return alarm_reason(self.watch.reason())
        return STATUS_REASON

    def _moment(self, now: datetime) -> timeline.Moment:
        tripped = self.watch.tripped if self.watch is not None else None
        return timeline.moment(
            self.settings,
            self._units(now),
            self._cut_units(),
            None if tripped is None else self._units(tripped),
        )

    def time(self, units: float) -> datetime:
        """The time `units` after creation; at pace 0 everything happened on creation,
        except that a deployment cut short stopped when it was replaced."""
        if self.pace <= 0:
            return self.cut if self.cut is not None and units >= _FOREVER else self.created_at
        return self.created_at + timedelta(seconds=units * self.pace)

    def live(self, now: datetime) -> tuple[Revision, ...]:
        """The revisions with tasks serving at `now`."""
        moment = self.at(now)
        if moment.status == "SUCCESSFUL":
            return (self.target,)
        if moment.status in ("ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL") and self.restore:
            return (self.restore,)
        if moment.target_running:
            return (*self.sources, self.target)
        return self.sources

    def good(self, now: datetime) -> Revision | None:
        """The revision this deployment left completed, if it did."""
        status = self.at(now).status
        if status == "SUCCESSFUL":
            return self.target
        return self.restore if status == "ROLLBACK_SUCCESSFUL" else None

    def threshold(self, desired: int) -> int:
        breaker = self.configuration.get("deploymentCircuitBreaker") or {}
        limit = breaker.get("thresholdConfiguration") or {}
        kind, value = limit.get("type", "BOUNDED_PERCENT"), limit.get("value", 50)
        if kind == "COUNT":
            return max(1, int(value))
        share = math.ceil(desired * float(value) / 100)
        return max(1, share) if kind == "UNBOUNDED_PERCENT" else min(200, max(3, share))

    def describe(self, now: datetime, desired: int) -> dict[str, Any]:
        """The DescribeServiceDeployments item."""
        moment = self.at(now)
        answer: dict[str, Any] = {
            **self.brief(now),
            "updatedAt": self.time(moment.updated),
            "sourceServiceRevisions": [
                self._summary(r, moment, desired, source=True) for r in self.sources
            ],
            "targetServiceRevision": self._summary(self.target, moment, desired, source=False),
            "deploymentConfiguration": self.configuration,
            "deploymentCircuitBreaker": self._breaker(moment, desired),
            "alarms": self._alarms(moment),
        }
        del answer["targetServiceRevisionArn"]
        if moment.stage is not None:
            answer["lifecycleStage"] = moment.stage
        if moment.status == "STOPPED" and moment.finished is not None:
            answer["stoppedAt"] = self.time(moment.finished)
        if moment.status.startswith("ROLLBACK") and self.restore is not None:
            started = moment.failed if moment.failed is not None else moment.updated
            alarmed = moment.cause == timeline.ALARMS and self.watch is not None
            answer["rollback"] = {
                "reason": alarm_rollback_reason(self.watch.reason())
                if alarmed and self.watch is not None
                else ROLLBACK_REASON,
                "startedAt": self.time(started),
                "serviceRevisionArn": self.restore.arn,
            }
        return answer

    def brief(self, now: datetime) -> dict[str, Any]:
        """The ListServiceDeployments item."""
        moment = self.at(now)
        answer: dict[str, Any] = {
            "serviceDeploymentArn": self.arn,
            "serviceArn": self.service_arn,
            "clusterArn": self.cluster_arn,
            "createdAt": self.created_at,
            "targetServiceRevisionArn": self.target.arn,
            "status": moment.status,
        }
        if moment.started is not None:
            answer["startedAt"] = self.time(moment.started)
        if moment.finished is not None:
            answer["finishedAt"] = self.time(moment.finished)
        if moment.failed is not None:
            answer["statusReason"] = self.reason(moment)
        return answer

    def _summary(
        self, revision: Revision, moment: timeline.Moment, desired: int, *, source: bool
    ) -> dict[str, Any]:
        """Task counts: a source runs until the target took over (or to the end, when the
        target failed); the target runs once scaled up, and asks for tasks until it failed."""
        if source:
            running = moment.status != "SUCCESSFUL"
            requested, pending = running and moment.stage != "CLEAN_UP", False
        else:
            running = moment.target_running
            stopped = (moment.failed is not None or moment.status == "STOPPED") and not running
            pending = moment.stage == "SCALE_UP" and not stopped and not moment.is_finished
            requested = not stopped and moment.status != "PENDING"
        summary: dict[str, Any] = {
            "arn": revision.arn,
            "requestedTaskCount": desired if requested else 0,
            "runningTaskCount": desired if running else 0,
            "pendingTaskCount": desired if pending else 0,
        }
        if self.settings.strategy in timeline.TRAFFIC_STRATEGIES:
            production, test = moment.production, moment.test
            if source:
                production, test = 100.0 - production, 100.0 - test
            summary["requestedProductionTrafficWeight"] = production
            summary["requestedTestTrafficWeight"] = test
        return summary

    def _breaker(self, moment: timeline.Moment, desired: int) -> dict[str, Any]:
        if not self.settings.breaker:
            return {"status": "DISABLED"}
        threshold = self.threshold(desired)
        if moment.failed is not None and moment.cause == timeline.BREAKER:
            status = "TRIGGERED"
        elif moment.is_finished:
            status = "MONITORING_COMPLETE"
        else:
            status = "MONITORING"
        failures = math.floor(moment.failure_share * threshold) if moment.failing else 0
        return {"status": status, "failureCount": failures, "threshold": threshold}

    def _alarms(self, moment: timeline.Moment) -> dict[str, Any]:
        configured = self.configuration.get("alarms") or {}
        names = list(configured.get("alarmNames") or [])
        watch = self.watch
        if not configured.get("enable") or (watch is not None and watch.ignored):
            return {"status": "DISABLED", "alarmNames": names} if names else {"status": "DISABLED"}
        if moment.failed is not None and moment.cause == timeline.ALARMS and watch is not None:
            status = "TRIGGERED"
        elif moment.is_finished:
            status = "MONITORING_COMPLETE"
        else:
            status = "MONITORING"
        triggered = list(watch.triggered) if watch is not None and status == "TRIGGERED" else []
        return {"status": status, "alarmNames": names, "triggeredAlarmNames": triggered}

    def _units(self, now: datetime) -> float:
        if self.pace <= 0:
            return _FOREVER
        return max(0.0, (now - self.created_at).total_seconds() / self.pace)

    def _cut_units(self) -> float | None:
        if self.cut is None:
            return None
        if self.pace <= 0:
            return _FOREVER
        return max(0.0, (self.cut - self.created_at).total_seconds() / self.pace)
