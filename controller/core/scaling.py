"""How ScalableTarget and ScalingPolicy manifests name what Application Auto Scaling scales.

A scalable target has no name of its own in AWS: it is the triple
(ServiceNamespace, ResourceId, ScalableDimension). ecsync scales only an ECS
service's desired count, so a ScalableTarget is named by its service,
`<cluster>/<service>`, and the rest of the triple is implied. A scaling policy
is unique only per scalable target, so a ScalingPolicy is named
`<cluster>/<service>/<PolicyName>`. Cluster and service names cannot hold `/`
(ECS API Reference, CreateCluster/CreateService); a PolicyName may
(`\\p{Print}{1,256}`), so a policy name splits at its first two `/` only.
"""

from __future__ import annotations

import re

from controller.core.kinds import Kind, ResourceId

SERVICE_NAMESPACE = "ecs"
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
"""The one dimension ecsync scales (Application Auto Scaling API Reference,
RegisterScalableTarget: `ecs:service:DesiredCount` - the task count of an ECS service)."""

_ECS_NAME = r"[A-Za-z0-9_-]{1,255}"
TARGET_NAME = re.compile(rf"({_ECS_NAME})/({_ECS_NAME})")
"""`<cluster>/<service>`: the name of a ScalableTarget."""
POLICY_NAME = re.compile(rf"({_ECS_NAME})/({_ECS_NAME})/([^\x00-\x1f\x7f]{{1,256}})")
"""`<cluster>/<service>/<PolicyName>`: the name of a ScalingPolicy (PolicyName is
`\\p{Print}+`, 1-256 characters: no control characters)."""


def resource_id(target: str) -> str:
    """`prod/web` -> `service/prod/web`, the AWS ResourceId of a ScalableTarget name."""
    return f"service/{target}"


def target_of_resource_id(value: str) -> str | None:
    """`service/prod/web` -> `prod/web`; None for a resource id that is not an ECS service."""
    kind, _, rest = value.partition("/")
    return rest if kind == "service" and TARGET_NAME.fullmatch(rest) else None


def split_policy(name: str) -> tuple[str, str]:
    """`prod/web/cpu` -> (`prod/web`, `cpu`): the ScalableTarget name and the PolicyName."""
    cluster, service, policy = name.split("/", 2)
    return f"{cluster}/{service}", policy


def policy_name(target: str, policy: str) -> str:
    """The ScalingPolicy name of `policy` on the ScalableTarget `target`."""
    return f"{target}/{policy}"


def target_id(target: str) -> ResourceId:
    return ResourceId(Kind.SCALABLE_TARGET, target)


def service_of(target: str) -> ResourceId:
    """The Service a ScalableTarget named `<cluster>/<service>` scales."""
    cluster, service = target.split("/", 1)
    return ResourceId(Kind.SERVICE, service, cluster)


def target_of_service(service: ResourceId) -> ResourceId:
    """The ScalableTarget that would scale `service`."""
    return target_id(f"{service.cluster}/{service.name}")
