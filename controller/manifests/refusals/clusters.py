"""What CreateCluster and CreateCapacityProvider refuse, and the tag rules of every call.

Sources: botocore's ECS model documentation of each field (the API reference
text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from controller.manifests.refusals.base import Found, entries, rule, text
from controller.manifests.refusals.taskdefs import ECS_NAME

CLUSTER, PROVIDER = "CreateCluster", "CreateCapacityProvider"
TAGGED = (
    CLUSTER,
    PROVIDER,
    "RegisterTaskDefinition",
    "CreateService",
    "RunTask",
    "CreateRepository",
)
RESERVED_PREFIXES = ("aws", "ecs", "fargate")
INSIGHTS = ("enhanced", "enabled", "disabled")


# Model docs of CreateClusterRequest.clusterName: up to 255 letters, numbers, - and _.
@rule("cluster-name", CLUSTER)
def _cluster_name(request: Mapping[str, Any]) -> Found:
    name = request.get("clusterName")
    if isinstance(name, str) and not ECS_NAME.fullmatch(name):
        yield ("clusterName",), "a cluster name is 1-255 letters, digits, hyphens and underscores"


# Model docs of ClusterSetting.value: "The supported values are enhanced, enabled, and disabled."
@rule("cluster-setting-value", CLUSTER)
def _setting(request: Mapping[str, Any]) -> Found:
    for i, setting in entries(request.get("settings")):
        value = setting.get("value")
        if setting.get("name") == "containerInsights" and value not in INSIGHTS:
            yield ("settings", i, "value"), f"containerInsights is {', '.join(INSIGHTS)}"


# Model docs of CreateCapacityProviderRequest.name: up to 255 letters, numbers, - and _;
# "The name can't be prefixed with "aws", "ecs", or "fargate"."
@rule("capacity-provider-name", PROVIDER)
def _provider_name(request: Mapping[str, Any]) -> Found:
    name = request.get("name")
    if isinstance(name, str) and not ECS_NAME.fullmatch(name):
        yield ("name",), "a capacity provider name is 1-255 letters, digits, '-' and '_'"


@rule("capacity-provider-prefix", PROVIDER)
def _provider_prefix(request: Mapping[str, Any]) -> Found:
    name = text(request.get("name")) or ""
    if name.lower().startswith(RESERVED_PREFIXES):
        yield ("name",), "a capacity provider name cannot start with aws, ecs or fargate"


# Model docs of `tags` (every ECS call that takes them): "Do not use aws:, AWS:, or any upper
# or lowercase combination of such as a prefix for either keys or values as it is reserved".
@rule("tag-reserved-prefix", *TAGGED)
def _tags(request: Mapping[str, Any]) -> Found:
    for i, tag in entries(request.get("tags")):
        for field in ("key", "value", "Key", "Value"):
            value = text(tag.get(field))
            if value is not None and value.lower().startswith("aws:"):
                part = field.lower()
                yield ("tags", i, field), f"a tag {part} cannot start with 'aws:' (AWS reserves it)"
