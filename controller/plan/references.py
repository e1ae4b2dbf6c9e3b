"""What each desired resource depends on, and references that lead nowhere."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from controller.core import scaling
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired, Live
from controller.plan import schedules
from controller.plan.actions import Problem

_BUILT_IN_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})


def cluster_name(value: object) -> str:
    """A cluster reference (name or ARN) as a name; ECS's default cluster when absent."""
    if not isinstance(value, str) or not value:
        return "default"
    return value.rsplit(":cluster/", 1)[-1]


@functools.lru_cache(maxsize=1024)
def cluster_id(name: str) -> ResourceId:
    """The id of the cluster `name`: one per name, since every service checks its own."""
    return ResourceId(Kind.CLUSTER, name)


def dependencies(d: Desired, families: set[str]) -> tuple[ResourceId, ...]:
    """The resources that must be in place before `d` is written (a log group a task
    definition logs to counts even when no manifest creates it: it is never pruned)."""
    deps: list[ResourceId] = []
    if d.id.kind in (Kind.SERVICE, Kind.TASK):
        deps.append(ResourceId(Kind.CLUSTER, cluster_name(d.spec.get("cluster"))))
        family = d.spec.get("taskDefinition")
        if isinstance(family, str) and family in families:
            deps.append(ResourceId(Kind.TASK_DEFINITION, family))
    if d.id.kind is Kind.CLUSTER:
        for provider in d.spec.get("capacityProviders") or []:
            if provider not in _BUILT_IN_PROVIDERS:
                deps.append(ResourceId(Kind.CAPACITY_PROVIDER, provider))
    if d.id.kind is Kind.SCALABLE_TARGET:
        deps.append(scaling.service_of(d.id.name))
    if d.id.kind is Kind.SCALING_POLICY:
        deps.append(scaling.target_id(scaling.split_policy(d.id.name)[0]))
    if d.id.kind is Kind.TASK_DEFINITION:
        deps.extend(ResourceId(Kind.LOG_GROUP, group) for group in log_groups(d.spec))
    if d.id.kind is Kind.SCHEDULE:
        cluster = schedules.cluster_name(d.spec)
        if cluster is not None:
            deps.append(ResourceId(Kind.CLUSTER, cluster))
        family = schedules.family(d.spec, families)
        if family is not None:
            deps.append(ResourceId(Kind.TASK_DEFINITION, family))
    return tuple(deps)


def log_groups(task_definition: Mapping[str, Any]) -> list[str]:
    """The log groups a task definition's containers send their logs to: the
    `awslogs-group` option of each `awslogs` log configuration (ECS Developer Guide,
    Using the awslogs log driver), in container order, each once."""
    found: list[str] = []
    for container in task_definition.get("containerDefinitions") or []:
        config = container.get("logConfiguration") if isinstance(container, dict) else None
        if not isinstance(config, dict) or config.get("logDriver") != "awslogs":
            continue
        group = (config.get("options") or {}).get("awslogs-group")
        if isinstance(group, str) and group and group not in found:
            found.append(group)
    return found


def referenced(desired: Sequence[Desired]) -> set[ResourceId]:
    """Everything desired resources point at; such things are never pruned."""
    families = {d.id.name for d in desired if d.id.kind is Kind.TASK_DEFINITION}
    found: set[ResourceId] = set()
    for d in desired:
        found.update(dependencies(d, families))
        family = d.spec.get("taskDefinition")
        if d.id.kind is Kind.SCHEDULE:
            family = schedules.task_definition(d.spec)
        if d.id.kind in (Kind.SERVICE, Kind.TASK, Kind.SCHEDULE) and isinstance(family, str):
            found.add(ResourceId(Kind.TASK_DEFINITION, family.rsplit("/", 1)[-1].split(":")[0]))
    return found


def missing(
    d: Desired, desired_ids: set[ResourceId], live: Mapping[ResourceId, Live]
) -> Problem | None:
    """A Problem when `d` names a cluster (or a ScalingPolicy a scalable target) that
    neither the manifests nor AWS have."""
    if d.id.kind is Kind.SCALING_POLICY:
        target = scaling.target_id(scaling.split_policy(d.id.name)[0])
        if target in live or target in desired_ids:
            return None
        return Problem(
            d.id,
            f"scalable target {target.name!r} is not registered and no ScalableTarget manifest "
            f"registers it; add a ScalableTarget named {target.name!r}, or fix metadata.name",
        )
    if d.id.kind is Kind.SCHEDULE:
        return _missing_schedule_cluster(d, desired_ids, live)
    if d.id.kind not in (Kind.SERVICE, Kind.TASK):
        return None
    cluster = cluster_id(cluster_name(d.spec.get("cluster")))
    if cluster in live or cluster in desired_ids:
        return None
    return Problem(
        d.id,
        f"cluster {cluster.name!r} does not exist and no Cluster manifest creates it; "
        "add a Cluster manifest or fix spec.cluster",
    )


def _missing_schedule_cluster(
    d: Desired, desired_ids: set[ResourceId], live: Mapping[ResourceId, Live]
) -> Problem | None:
    """A schedule's `Target.Arn` written as a cluster name must resolve to a cluster: one of
    the manifests or one AWS has (an ARN is taken as it is)."""
    name = schedules.cluster_name(d.spec)
    arn = (d.spec.get("Target") or {}).get("Arn")
    cluster = ResourceId(Kind.CLUSTER, name or "")
    if name is None or schedules.is_arn(arn) or cluster in live or cluster in desired_ids:
        return None
    return Problem(
        d.id,
        f"cluster {name!r} (Target.Arn) does not exist and no Cluster manifest creates it; "
        "add a Cluster manifest, or write Target.Arn as the target's ARN",
    )
