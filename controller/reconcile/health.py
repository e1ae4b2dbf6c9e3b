"""The health of an ECS service, read from ECS's own deployment state.

`assess_service` takes one service's typed state (`ServiceState`, which the aws
layer reads from DescribeServices) and decides,
in this order (the first rule that matches wins):

- **Missing**: the service is DRAINING or INACTIVE, i.e. deleted or being
  deleted.
- **Unknown**: the document is not one this module understands (another
  service status, or no task counts).
- **Degraded, rollout FAILED**: the PRIMARY deployment's `rolloutState` is
  FAILED (the circuit breaker stopped it and no rollback was configured), or
  ECS rolled back: its `rolloutStateReason` or an event says "rolling back to
  deployment <the PRIMARY's id>". A rollback stays Degraded until a new
  deployment replaces it, because what runs is not what was asked for.
- **Progressing**: a rollout is under way: the PRIMARY is IN_PROGRESS (ECS
  marks it COMPLETED only once the service is steady), or, for deployments
  without `rolloutState` (services older than the field), more than one
  deployment is live. The message counts the new deployment's tasks, and those that failed.
- Otherwise the service is steady, and its counts decide:
  - desired 0 and nothing running: **Healthy** ("scaled to zero");
  - fewer running than desired: **Degraded** ("2 of 3 tasks running");
  - more running than desired (scale-in, or desired 0 while tasks stop):
    **Progressing**;
  - running == desired: **Healthy**.

A FAILED deployment that is no longer PRIMARY, with no rollback naming the
PRIMARY, is history (a later deployment replaced it) and does not count.
Timestamps are never compared (the typed state does not keep them).

`assess_deployment` judges a rollout by ECS's own record of it, the service
deployment (DescribeServiceDeployments), for every strategy (ROLLING,
BLUE_GREEN, LINEAR, CANARY): PENDING, IN_PROGRESS and STOP_REQUESTED are
**Progressing** (with the lifecycle stage and the share of production traffic
the new revision is asked to take); SUCCESSFUL is **Healthy**; STOPPED, and
every rollback state (requested, in progress, successful or failed), are
**Degraded**, because what runs is not what was deployed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from controller.aws import services
from controller.core.resources import Live
from controller.core.service_state import (
    Deployment,
    DeploymentRecord,
    DeploymentStatus,
    ServiceState,
)


class Health(StrEnum):
    """Ordered best to worst, like Argo CD's health: `rank` compares them."""

    HEALTHY = "Healthy"
    PROGRESSING = "Progressing"
    DEGRADED = "Degraded"
    MISSING = "Missing"
    UNKNOWN = "Unknown"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {health: rank for rank, health in enumerate(Health)}


def worst(*healths: Health) -> Health:
    """The worst of `healths`; with none given, Healthy (nothing is wrong)."""
    return max(healths, key=lambda h: h.rank, default=Health.HEALTHY)


class Rollout(StrEnum):
    """ECS's `rolloutState` of the PRIMARY deployment (FAILED also after a rollback)."""

    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class RolloutProgress:
    """Where one service deployment stands, as `ecsync status` and `/status` show it."""

    deployment: str
    """The service deployment's ARN."""
    status: str
    strategy: str
    stage: str | None = None
    traffic: float | None = None
    """The share (0-100) of production traffic the new revision is asked to take."""

    @classmethod
    def of(cls, record: DeploymentRecord) -> RolloutProgress:
        return cls(
            record.arn,
            str(record.status),
            record.strategy,
            record.lifecycle_stage,
            record.production_traffic,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "deployment": self.deployment,
            "status": self.status,
            "strategy": self.strategy,
            "stage": self.stage,
            "trafficPercent": self.traffic,
        }


@dataclass(frozen=True)
class Assessment:
    health: Health
    rollout: Rollout | None
    """None when ECS reports no `rolloutState` (or the service is gone)."""
    message: str
    deployment_id: str | None
    """The PRIMARY deployment's id (the service deployment's, from its record)."""
    progress: RolloutProgress | None = None
    """Set when the assessment comes from the service deployment's own record."""


_ROLLBACK = re.compile(
    r"rolling back to deployment(?:\s*id)?[:\s]+\(?([\w/.-]+?)\)?\.?(?:\s|$)", re.I
)
_FAILED_EVENT = re.compile(r"deployment \(?([\w/.-]+?)\)? deployment failed:?\s*(.*)$", re.I)


def assess_service(state: ServiceState) -> Assessment:
    """Assess one service's state (see the module docstring)."""
    deployments = [d for d in state.deployments if d.status != "INACTIVE"]
    primary = next((d for d in deployments if d.status == "PRIMARY"), None)
    primary_id = primary.id if primary else None
    desired, running = state.desired_count, state.running_count
    service_status = state.status
    if service_status in ("DRAINING", "INACTIVE"):
        return Assessment(Health.MISSING, None, f"service is {service_status}", primary_id)
    if service_status != "ACTIVE" or desired is None or running is None:
        message = (
            f"unrecognised service status {service_status!r}"
            if service_status != "ACTIVE"
            else "DescribeServices output has no desiredCount/runningCount"
        )
        return Assessment(Health.UNKNOWN, None, message, primary_id)

    rollout = _rollout_state(primary)
    failure = _failure(primary, deployments, state.events)
    if failure:
        return Assessment(Health.DEGRADED, Rollout.FAILED, failure, primary_id)
    if rollout is Rollout.IN_PROGRESS or (rollout is None and len(deployments) > 1):
        message = _progress(primary, running, desired)
        return Assessment(Health.PROGRESSING, rollout, message, primary_id)
    health, message = _steady(running, desired, state.pending_count)
    return Assessment(health, rollout, message, primary_id)


def assess_deployment(record: DeploymentRecord) -> Assessment:
    """Assess one rollout by its service deployment record (see the module docstring)."""
    status, progress = record.status, RolloutProgress.of(record)
    head = f"{record.strategy} deployment {short_id(record.arn)}"
    reason = _sentence(record.rollback_reason or record.status_reason)
    because = f": {reason}" if reason else ""
    if status is DeploymentStatus.SUCCESSFUL:
        return Assessment(
            Health.HEALTHY, Rollout.COMPLETED, f"{head} succeeded", record.arn, progress
        )
    if status.rolling_back:
        doing = {
            DeploymentStatus.ROLLBACK_REQUESTED: "ECS is about to roll it back",
            DeploymentStatus.ROLLBACK_IN_PROGRESS: "ECS is rolling it back",
            DeploymentStatus.ROLLBACK_SUCCESSFUL: "ECS rolled it back",
            DeploymentStatus.ROLLBACK_FAILED: "ECS could not roll it back",
        }[status]
        message = f"{head} failed{because}; {doing}"
        return Assessment(Health.DEGRADED, Rollout.FAILED, message, record.arn, progress)
    if status is DeploymentStatus.STOPPED:
        message = f"{head} stopped{because}"
        return Assessment(Health.DEGRADED, Rollout.FAILED, message, record.arn, progress)
    return Assessment(
        Health.PROGRESSING,
        Rollout.IN_PROGRESS,
        _record_progress(head, record),
        record.arn,
        progress,
    )


def short_id(arn: str) -> str:
    """A deployment's id: the last part of its ARN."""
    return arn.rsplit("/", 1)[-1]


def _record_progress(head: str, record: DeploymentRecord) -> str:
    """ "LINEAR deployment x is PRODUCTION_TRAFFIC_SHIFT: 30% of production traffic, 2 of 2
    tasks running" (the parts ECS reports)."""
    parts = []
    if record.production_traffic is not None:
        parts.append(f"{record.production_traffic:g}% of production traffic")
    if record.target_requested:
        parts.append(f"{record.target_running} of {record.target_requested} tasks running")
    if record.failed_tasks:
        parts.append(f"{record.failed_tasks} failed")
    stage = record.lifecycle_stage or str(record.status)
    return f"{head} in {stage}" + (f": {', '.join(parts)}" if parts else "")


def assess_live(live: Live) -> Assessment | None:
    """The assessment of a service's live state; None when it holds no service state."""
    state = services.state_of(live)
    return assess_service(state) if state is not None else None


def _steady(running: int, desired: int, pending: int) -> tuple[Health, str]:
    """Health of a service with no rollout in flight: the counts decide."""
    if desired == 0 and running == 0:
        return Health.HEALTHY, "scaled to zero"
    counted = _counted(running, desired, pending)
    if running < desired:
        return Health.DEGRADED, counted
    if running > desired:
        return Health.PROGRESSING, f"{counted}; stopping {running - desired}"
    return Health.HEALTHY, counted


def _rollout_state(deployment: Deployment | None) -> Rollout | None:
    return _ROLLOUTS.get(deployment.rollout_state) if deployment else None


_ROLLOUTS: dict[str | None, Rollout] = {str(state): state for state in Rollout}


def _failure(
    primary: Deployment | None, deployments: list[Deployment], events: Sequence[str]
) -> str | None:
    """Why the current rollout failed, or None when it has not."""
    if primary is None:
        return None
    if _rollout_state(primary) is Rollout.FAILED:
        reason = _sentence(primary.rollout_state_reason) or "rollout failed"
        return f"deployment {primary.id} failed: {reason}"
    primary_id = primary.id
    if not primary_id:
        return None
    rollback_notes = [primary.rollout_state_reason or "", *events]  # ECS lists the newest first
    if not any(_rollback_target(note) == primary_id for note in rollback_notes):
        return None
    failed_id, reason = _failed_deployment(deployments, events)
    doing = "is rolling back" if _rollout_state(primary) is Rollout.IN_PROGRESS else "rolled back"
    what = f"deployment {failed_id} failed: {reason}" if failed_id else "a deployment failed"
    return f"{what}; ECS {doing} to deployment {primary_id}"


def _rollback_target(note: str) -> str | None:
    match = _ROLLBACK.search(note)
    return match.group(1) if match else None


def _failed_deployment(
    deployments: list[Deployment], messages: Sequence[str]
) -> tuple[str | None, str]:
    """The deployment that failed and why: from its own entry, else from the events."""
    for deployment in deployments:
        if _rollout_state(deployment) is Rollout.FAILED:
            reason = _sentence(deployment.rollout_state_reason)
            return deployment.id, reason or "rollout failed"
    for message in messages:
        match = _FAILED_EVENT.search(message)
        if match:
            return match.group(1), _sentence(match.group(2)) or "rollout failed"
    return None, ""


def _progress(primary: Deployment | None, running: int, desired: int) -> str:
    if primary is None:
        return f"deployment in progress: {_counted(running, desired, 0)}"
    head = f"deployment {primary.id}"
    if primary.task_definition:
        head += f" ({primary.task_definition.rsplit('/', 1)[-1]})"
    counts = _counted(primary.running_count, primary.desired_count, primary.pending_count)
    if primary.failed_tasks:
        counts += f", {primary.failed_tasks} failed"
    return f"{head} in progress: {counts}"


def _counted(running: int, desired: int, pending: int) -> str:
    text = f"{running} of {desired} tasks running"
    return f"{text}, {pending} pending" if pending else text


def _sentence(text: object) -> str:
    """ECS reasons end with a full stop; messages built from them read better without."""
    return str(text or "").strip().rstrip(".")
