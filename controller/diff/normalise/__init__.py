"""One canonical form for desired and live specs, per kind.

ECS and ECR fill in defaults, reorder lists and turn names into ARNs. Both
sides go through the same normaliser before any comparison, so that a field
ECS filled in never shows as a difference (apply, then plan, is empty).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from controller.core.kinds import Kind
from controller.diff.normalise import (
    capacity_provider,
    cluster,
    log_group,
    repository,
    scalable_target,
    scaling_policy,
    schedule,
    service,
    task,
    task_definition,
)

Spec = dict[str, Any]

_NORMALISERS: dict[Kind, Callable[[Spec], Spec]] = {
    Kind.REPOSITORY: repository.normalise,
    Kind.CLUSTER: cluster.normalise,
    Kind.CAPACITY_PROVIDER: capacity_provider.normalise,
    Kind.TASK_DEFINITION: task_definition.normalise,
    Kind.SERVICE: service.normalise,
    Kind.TASK: task.normalise,
    Kind.LOG_GROUP: log_group.normalise,
    Kind.SCHEDULE: schedule.normalise,
    Kind.SCALABLE_TARGET: scalable_target.normalise,
    Kind.SCALING_POLICY: scaling_policy.normalise,
}


COMPUTED: dict[Kind, tuple[str, ...]] = {
    Kind.CAPACITY_PROVIDER: (
        "/autoScalingGroupProvider/managedScaling",
        # Given without a status, ECS still reports one for managed scaling.
        "/autoScalingGroupProvider/managedScaling/status",
        "/autoScalingGroupProvider/managedTerminationProtection",
        "/autoScalingGroupProvider/managedDraining",
    ),
    Kind.SERVICE: (
        "/deploymentConfiguration/deploymentCircuitBreaker",
        "/deploymentConfiguration/alarms",
        "/deploymentConfiguration/strategy",
        "/deploymentConfiguration/bakeTimeInMinutes",
        "/deploymentConfiguration/lifecycleHooks",
        # Without a namespace, Service Connect uses the cluster's default one, and
        # ECS reports its ARN (ECS API Reference, ServiceConnectConfiguration).
        "/serviceConnectConfiguration/namespace",
        # Documented defaults that depend on the namespace or the task definition
        # (ServiceConnectClientAlias.dnsName: discoveryName.namespace;
        # ServiceConnectService.ingressPortOverride: the container port).
        "/serviceConnectConfiguration/services/*/clientAliases/*/dnsName",
        "/serviceConnectConfiguration/services/*/ingressPortOverride",
    ),
    Kind.CLUSTER: (
        # The two parts of `configuration` are separate settings: a manifest that
        # writes one does not manage the other (ECS reports exec logging DEFAULT).
        "/configuration/executeCommandConfiguration",
        "/configuration/managedStorageConfiguration",
        "/configuration/executeCommandConfiguration/logging",
        # `settings: []` sets nothing: ECS reports the account defaults
        # (containerInsights), so an empty list is the same as none.
        "/settings",
    ),
    # KMS encryption without a key uses the AWS managed key (alias aws/ecr),
    # and ECR reports that key's ARN.
    Kind.REPOSITORY: ("/encryptionConfiguration/kmsKey",),
}
"""Nested fields AWS computes when a manifest leaves them out.

A manifest that omits one of these does not manage it: the planner takes the
live value, so AWS's choice never shows as drift. A manifest that sets one
manages it like any other field. A `*` token stands for every index of a list
the manifest has there.
"""


NAMESPACE_REFERENCES: dict[Kind, tuple[str, ...]] = {
    Kind.SERVICE: ("/serviceConnectConfiguration/namespace",),
    Kind.CLUSTER: ("/serviceConnectDefaults/namespace",),
}
"""Where a Cloud Map namespace may be written by name and comes back as its ARN
(ECS API Reference, ServiceConnectConfiguration and ClusterServiceConnectDefaults);
see `common.arns_as_names`."""


def normalise(kind: Kind, spec: Spec) -> Spec:
    """The canonical form of a manifest-shaped spec of `kind` (input is not modified)."""
    return _NORMALISERS[kind](spec)
