"""Manifest specs as the AWS requests they stand for, and refusal paths back to the spec.

A spec is the create request minus its name parameter, with tags as a
mapping (the spec rule in DESIGN.md). A Repository's `lifecyclePolicy` and
`repositoryPolicy` are sent by their own calls, as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from controller.core import scaling
from controller.core.kinds import Kind
from controller.manifests.refusals.base import Path

OPERATIONS = {
    Kind.REPOSITORY: "CreateRepository",
    Kind.CLUSTER: "CreateCluster",
    Kind.CAPACITY_PROVIDER: "CreateCapacityProvider",
    Kind.TASK_DEFINITION: "RegisterTaskDefinition",
    Kind.SERVICE: "CreateService",
    Kind.TASK: "RunTask",
    Kind.LOG_GROUP: "CreateLogGroup",
    Kind.SCALABLE_TARGET: "RegisterScalableTarget",
    Kind.SCALING_POLICY: "PutScalingPolicy",
    Kind.SCHEDULE: "CreateSchedule",
}
"""The create call of each kind."""

NAME_PARAMETERS = {
    Kind.REPOSITORY: "repositoryName",
    Kind.CLUSTER: "clusterName",
    Kind.CAPACITY_PROVIDER: "name",
    Kind.TASK_DEFINITION: "family",
    Kind.SERVICE: "serviceName",
    Kind.LOG_GROUP: "logGroupName",
    Kind.SCHEDULE: "Name",
}
"""Where `metadata.name` goes; RunTask has no name, and the Application Auto Scaling
kinds name their service (controller/core/scaling.py)."""

TAG_MAPS = {Kind.LOG_GROUP: "tags", Kind.SCALABLE_TARGET: "Tags"}
"""Kinds whose create call takes tags as a mapping (CreateLogGroup, RegisterScalableTarget),
and its member's name; the others take a list of key/value objects."""

LOG_GROUP_PARTS = {"retentionInDays": ("PutRetentionPolicy", "retentionInDays")}
"""LogGroup spec fields sent by calls of their own: (operation, parameter)."""

REPOSITORY_PARTS = {
    "lifecyclePolicy": ("PutLifecyclePolicy", "lifecyclePolicyText"),
    "repositoryPolicy": ("SetRepositoryPolicy", "policyText"),
}
"""Repository spec fields sent by calls of their own: (operation, JSON text parameter)."""

_PARTS: dict[Kind, dict[str, tuple[str, str]]] = {
    Kind.REPOSITORY: REPOSITORY_PARTS,
    Kind.LOG_GROUP: LOG_GROUP_PARTS,
}


def request_for(kind: Kind, name: str, spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The create call of `kind` and its request, as boto3 takes it."""
    parts = _PARTS.get(kind, {})
    request: dict[str, Any] = {}
    if kind in NAME_PARAMETERS:
        request[NAME_PARAMETERS[kind]] = name
    request.update(scaled_identity(kind, name))
    request.update((k, v) for k, v in spec.items() if k != "tags" and k not in parts)
    tags = spec.get("tags")
    if kind in TAG_MAPS:
        if tags:
            request[TAG_MAPS[kind]] = tags
    elif isinstance(tags, Mapping):
        if tags:  # in the mapping's order, so that a list index names a key of the spec
            key, value = ("Key", "Value") if kind is Kind.REPOSITORY else ("key", "value")
            request["tags"] = [{key: k, value: v} for k, v in tags.items()]
    elif tags is not None:
        request["tags"] = tags
    return OPERATIONS[kind], request


def scaled_identity(kind: Kind, name: str) -> dict[str, str]:
    """The members a ScalableTarget's or ScalingPolicy's name stands for: the target's
    ServiceNamespace, ResourceId and ScalableDimension, and a policy's PolicyName."""
    if kind is Kind.SCALABLE_TARGET:
        target, policy = name, None
    elif kind is Kind.SCALING_POLICY:
        target, policy = scaling.split_policy(name)
    else:
        return {}
    identity = {
        "ServiceNamespace": scaling.SERVICE_NAMESPACE,
        "ResourceId": scaling.resource_id(target),
        "ScalableDimension": scaling.SCALABLE_DIMENSION,
    }
    return identity if policy is None else {"PolicyName": policy, **identity}


def requests_for(
    kind: Kind, name: str, spec: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """Every request applying `spec` sends: the create call, then a Repository's policies."""
    requests = [request_for(kind, name, spec)]
    if kind is Kind.LOG_GROUP:
        for part, (operation, parameter) in LOG_GROUP_PARTS.items():
            if spec.get(part) is not None:
                requests.append((operation, {"logGroupName": name, parameter: spec[part]}))
    if kind is Kind.REPOSITORY:
        for part, (operation, parameter) in REPOSITORY_PARTS.items():
            if spec.get(part) is not None:
                text = json.dumps(spec[part])
                requests.append((operation, {"repositoryName": name, parameter: text}))
    return requests


_ANY_POLICY = "cluster/service/policy"
"""A ScalingPolicy name, to list the members a name stands for."""


def spec_path(kind: Kind, spec: Mapping[str, Any], operation: str, path: Path) -> tuple[Path, bool]:
    """The document path of a refusal's request `path`, and whether it names a mapping key.

    The name parameter is `metadata.name`; the i-th tag is the i-th key of
    `spec.tags`; a policy's JSON text is the policy object in the spec.
    """
    if not path:
        return ("spec",), False
    head, rest = path[0], path[1:]
    if head == NAME_PARAMETERS.get(kind) or head in scaled_identity(kind, _ANY_POLICY):
        return ("metadata", "name"), False
    for part, (call, parameter) in (*REPOSITORY_PARTS.items(), *LOG_GROUP_PARTS.items()):
        if operation == call and head == parameter:
            return ("spec", part, *rest), False
    tags = spec.get("tags")
    if head == "tags" and isinstance(tags, Mapping) and rest and isinstance(rest[0], int):
        keys = list(tags)
        if rest[0] < len(keys):
            at_key = len(rest) > 1 and rest[1] in ("key", "Key")
            return ("spec", "tags", keys[rest[0]]), at_key
    return ("spec", *path), False
