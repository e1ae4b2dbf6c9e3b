"""The resource kinds ecsync manages, their sync order, and resource identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

API_VERSION = "ecsync/v1"


class Kind(StrEnum):
    REPOSITORY = "Repository"
    CAPACITY_PROVIDER = "CapacityProvider"
    CLUSTER = "Cluster"
    TASK_DEFINITION = "TaskDefinition"
    TASK = "Task"
    SERVICE = "Service"
    LOG_GROUP = "LogGroup"
    SCALABLE_TARGET = "ScalableTarget"
    SCALING_POLICY = "ScalingPolicy"
    SCHEDULE = "Schedule"

    @property
    def rank(self) -> int:
        """Sync order inside one wave: lower ranks are created first, deleted last."""
        return _RANK[self]

    @property
    def snake(self) -> str:
        """`TaskDefinition` -> `task_definition`, used in log event names."""
        return _SNAKE[self]

    @property
    def cluster_scoped(self) -> bool:
        """Services and tasks live inside a cluster; their identity includes it."""
        return self in (Kind.SERVICE, Kind.TASK)


_RANK = {
    Kind.REPOSITORY: 0,
    Kind.CAPACITY_PROVIDER: 0,
    # A task definition's `awslogs-group` may name a LogGroup of the manifests.
    Kind.LOG_GROUP: 0,
    Kind.CLUSTER: 1,
    Kind.TASK_DEFINITION: 2,
    Kind.TASK: 3,
    Kind.SERVICE: 4,
    # A scalable target acts on a service, and a scaling policy on a scalable target.
    Kind.SCALABLE_TARGET: 5,
    Kind.SCALING_POLICY: 6,
    # A schedule runs a task definition in a cluster; nothing depends on it.
    Kind.SCHEDULE: 5,
}

_SNAKE = {
    Kind.REPOSITORY: "repository",
    Kind.CAPACITY_PROVIDER: "capacity_provider",
    Kind.CLUSTER: "cluster",
    Kind.TASK_DEFINITION: "task_definition",
    Kind.TASK: "task",
    Kind.SERVICE: "service",
    Kind.LOG_GROUP: "log_group",
    Kind.SCALABLE_TARGET: "scalable_target",
    Kind.SCALING_POLICY: "scaling_policy",
    Kind.SCHEDULE: "schedule",
}


@dataclass(frozen=True, order=True, slots=True)
class ResourceId:
    """The identity of one managed resource.

    `name` is the AWS name (repositoryName, clusterName, family, serviceName...).
    `cluster` is set only for cluster-scoped kinds (Service, Task), so that two
    services called `web` in two clusters are two resources.
    """

    kind: Kind
    name: str
    cluster: str = ""
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Ids are dictionary keys on every step of a pass over thousands of resources: hash
        # once (the kind as the string it is, not through Enum's own, slower, hash).
        object.__setattr__(self, "_hash", hash((str.__hash__(self.kind), self.name, self.cluster)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[ResourceId], tuple[Kind, str, str]]:
        """Copies and pickles are made again, so that their hash is their process's."""
        return ResourceId, (self.kind, self.name, self.cluster)

    def __str__(self) -> str:
        if self.cluster:
            return f"{self.kind}/{self.cluster}/{self.name}"
        return f"{self.kind}/{self.name}"

    def log_fields(self) -> dict[str, str]:
        """The `kind`/`name` (and `cluster`) fields every resource log event carries."""
        fields = {"kind": str(self.kind), "name": self.name}
        if self.cluster:
            fields["cluster"] = self.cluster
        return fields
