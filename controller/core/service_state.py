"""An ECS service's runtime state, typed: what health and rollout following read.

The aws layer fills it from DescribeServices (`controller.aws.services.service_state`)
and from the service deployment APIs (`controller.aws.deployments`); nothing above it
reads the raw answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Deployment:
    """One entry of a service's `deployments`."""

    id: str | None = None
    status: str | None = None
    """PRIMARY, ACTIVE or INACTIVE."""
    rollout_state: str | None = None
    """IN_PROGRESS, COMPLETED or FAILED; None for deployments older than the field."""
    rollout_state_reason: str | None = None
    task_definition: str | None = None
    desired_count: int = 0
    running_count: int = 0
    pending_count: int = 0
    failed_tasks: int = 0


@dataclass(frozen=True, slots=True)
class ServiceState:
    status: str | None = "ACTIVE"
    """ACTIVE, DRAINING or INACTIVE."""
    desired_count: int | None = None
    running_count: int | None = None
    pending_count: int = 0
    task_definition: str | None = None
    deployments: tuple[Deployment, ...] = ()
    events: tuple[str, ...] = ()
    """The messages of the service's latest events, newest first (as ECS lists them)."""
    current_deployment: str | None = None
    """`currentServiceDeployment`: the ARN of the service deployment ECS works on, or
    last finished (absent from endpoints older than service deployments)."""

    @property
    def task_definitions(self) -> frozenset[str]:
        """The task definitions the service uses: its own and each deployment's."""
        found = {self.task_definition, *(d.task_definition for d in self.deployments)}
        return frozenset(value for value in found if value)


class DeploymentStatus(StrEnum):
    """A service deployment's `status` (ECS API Reference, ServiceDeployment)."""

    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    STOP_REQUESTED = "STOP_REQUESTED"
    ROLLBACK_REQUESTED = "ROLLBACK_REQUESTED"
    ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
    SUCCESSFUL = "SUCCESSFUL"
    STOPPED = "STOPPED"
    ROLLBACK_SUCCESSFUL = "ROLLBACK_SUCCESSFUL"
    ROLLBACK_FAILED = "ROLLBACK_FAILED"

    @property
    def ended(self) -> bool:
        """The "Completed" stage of the ECS Developer Guide ("View service history using
        Amazon ECS service deployments"): nothing changes the record any more."""
        return self in _ENDED

    @property
    def rolling_back(self) -> bool:
        return self in (
            DeploymentStatus.ROLLBACK_REQUESTED,
            DeploymentStatus.ROLLBACK_IN_PROGRESS,
            DeploymentStatus.ROLLBACK_SUCCESSFUL,
            DeploymentStatus.ROLLBACK_FAILED,
        )


_ENDED = frozenset(
    {
        DeploymentStatus.SUCCESSFUL,
        DeploymentStatus.STOPPED,
        DeploymentStatus.ROLLBACK_SUCCESSFUL,
        DeploymentStatus.ROLLBACK_FAILED,
    }
)

ROLLING = "ROLLING"
"""The strategy of a deployment whose configuration names none (ECS API Reference,
DeploymentConfiguration.strategy: the default)."""


@dataclass(frozen=True, slots=True)
class DeploymentRecord:
    """One ECS service deployment, as DescribeServiceDeployments reports it: the record
    ECS keeps of one rollout, from start to its end (SUCCESSFUL, STOPPED or a rollback)."""

    arn: str
    status: DeploymentStatus
    status_reason: str | None = None
    lifecycle_stage: str | None = None
    """RECONCILE_SERVICE ... CLEAN_UP; absent on ROLLING deployments that report none."""
    strategy: str = ROLLING
    target_revision: str | None = None
    """The ARN of the service revision being deployed."""
    production_traffic: float | None = None
    """`targetServiceRevision.requestedProductionTrafficWeight`: the share (0-100) of
    production traffic the target revision is asked to take."""
    test_traffic: float | None = None
    target_running: int = 0
    target_requested: int = 0
    failed_tasks: int | None = None
    """`deploymentCircuitBreaker.failureCount`, when the circuit breaker monitors."""
    rollback_reason: str | None = None
    rollback_revision: str | None = None
    """`rollback.serviceRevisionArn`: the service revision the rollback deployed."""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServiceRevision:
    """The part of a DescribeServiceRevisions item that rollout reports need."""

    arn: str
    task_definition: str | None = None
