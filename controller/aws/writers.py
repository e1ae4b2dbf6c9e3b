"""One uniform create/update/delete interface per kind, for the apply layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from controller.aws import (
    autoscaling_writers,
    clusters,
    loggroups,
    repositories,
    schedules,
    services,
    taskdefs,
)
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws


class Writer(Protocol):
    """Writes one kind. `spec` is the desired manifest-shape spec (tags as a mapping,
    OWNER_TAG included; references already resolved to names/ARNs)."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        """Create the resource; return its ARN."""
        ...

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        """Change only `fields` (top-level spec fields that differ); return the ARN
        (a new revision's ARN for task definitions)."""
        ...

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """Delete the resource; a resource that is already gone is not an error."""
        ...


WRITERS: dict[Kind, Writer] = {
    Kind.REPOSITORY: repositories.RepositoryWriter(),
    Kind.CAPACITY_PROVIDER: clusters.CapacityProviderWriter(),
    Kind.CLUSTER: clusters.ClusterWriter(),
    Kind.TASK_DEFINITION: taskdefs.TaskDefinitionWriter(),
    Kind.SERVICE: services.ServiceWriter(),
    Kind.LOG_GROUP: loggroups.LogGroupWriter(),
    Kind.SCHEDULE: schedules.ScheduleWriter(),
    Kind.SCALABLE_TARGET: autoscaling_writers.ScalableTargetWriter(),
    Kind.SCALING_POLICY: autoscaling_writers.ScalingPolicyWriter(),
}
