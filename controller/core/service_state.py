"""An ECS service's runtime state, typed: what health and rollout following read.

The aws layer fills it from DescribeServices (`controller.aws.services.service_state`);
nothing above it reads the raw answer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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

    @property
    def task_definitions(self) -> frozenset[str]:
        """The task definitions the service uses: its own and each deployment's."""
        found = {self.task_definition, *(d.task_definition for d in self.deployments)}
        return frozenset(value for value in found if value)
