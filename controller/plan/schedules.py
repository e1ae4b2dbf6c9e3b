"""What a Schedule refers to: the cluster it runs tasks in and the task definition it runs.

A schedule that runs ECS tasks names its cluster in `Target.Arn` and its task
definition in `Target.EcsParameters.TaskDefinitionArn`. EventBridge Scheduler
takes ARNs there; a manifest may also write the name of a Cluster and the
family of a TaskDefinition of the manifests, which resolve as a Service's do:
the cluster to its ARN, the family to the revision ecsync registered for it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

TARGET = "Target"
ECS = "EcsParameters"
TASK_DEFINITION = "TaskDefinitionArn"


def is_arn(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("arn:")


def cluster_name(spec: Mapping[str, Any]) -> str | None:
    """The cluster a schedule runs tasks in: `Target.Arn` as a name, or the name in an ECS
    cluster ARN; None for a target that is not an ECS cluster (a queue, a function...)."""
    arn = (spec.get(TARGET) or {}).get("Arn")
    if not isinstance(arn, str) or not arn:
        return None
    if not is_arn(arn):
        return arn
    if ":ecs:" in arn and ":cluster/" in arn:
        return arn.rsplit(":cluster/", 1)[1]
    return None


def task_definition(spec: Mapping[str, Any]) -> str | None:
    """`Target.EcsParameters.TaskDefinitionArn` as written, if any."""
    value = ((spec.get(TARGET) or {}).get(ECS) or {}).get(TASK_DEFINITION)
    return value if isinstance(value, str) and value else None


def family(spec: Mapping[str, Any], families: set[str] | frozenset[str]) -> str | None:
    """The TaskDefinition family of the manifests the schedule names, if it names one."""
    value = task_definition(spec)
    return value if value is not None and value in families else None


def with_task_definition(spec: Mapping[str, Any], arn: str) -> dict[str, Any]:
    """A copy of `spec` running `arn` (the family resolved to a revision)."""
    resolved = copy.deepcopy(dict(spec))
    resolved[TARGET][ECS][TASK_DEFINITION] = arn
    return resolved


def with_cluster_arn(spec: Mapping[str, Any], arns: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `spec` whose `Target.Arn`, a cluster name, is that cluster's ARN (`arns`:
    cluster name -> ARN); unchanged when it is an ARN already or the cluster is unknown."""
    arn = (spec.get(TARGET) or {}).get("Arn")
    if not isinstance(arn, str) or is_arn(arn) or arn not in arns:
        return dict(spec)
    resolved = copy.deepcopy(dict(spec))
    resolved[TARGET]["Arn"] = arns[arn]
    return resolved


def pinned(spec: Mapping[str, Any]) -> str | None:
    """The revision a schedule pins (`family:N`, from an ARN or as written), if any."""
    value = task_definition(spec)
    if value is None:
        return None
    tail = value.rsplit("/", 1)[-1]
    return tail if ":" in tail else None
