"""Tags: AWS's two list shapes <-> the manifest mapping, and minimal re-tagging.

ECS spells tags `[{"key", "value"}]`, ECR `[{"Key", "Value"}]`; manifests and
`Live.spec` use a plain mapping. Tags whose key starts with `aws:` belong to
AWS: they never enter the mapping and are never written or removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from controller.aws import calls

if TYPE_CHECKING:
    from controller.aws.clients import Aws


def is_reserved(key: str) -> bool:
    """AWS owns `aws:`-prefixed tags; users can neither set nor remove them."""
    return key.lower().startswith("aws:")


def from_ecs(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    return {t["key"]: t.get("value", "") for t in tags or () if not is_reserved(t["key"])}


def to_ecs(mapping: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in sorted(mapping.items()) if not is_reserved(k)]


def from_ecr(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in tags or () if not is_reserved(t["Key"])}


def to_ecr(mapping: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(mapping.items()) if not is_reserved(k)]


def ecs_request(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest-shape `spec` as ECS request parameters: tags as a list, left out when empty."""
    params = {k: v for k, v in spec.items() if k != "tags"}
    if spec.get("tags"):
        params["tags"] = to_ecs(spec["tags"])
    return params


def changes(
    desired: Mapping[str, str], live: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """(tags to add or change, keys to remove) that turn `live` into `desired`."""
    to_set = {k: v for k, v in desired.items() if live.get(k) != v and not is_reserved(k)}
    to_remove = sorted(k for k in live if k not in desired and not is_reserved(k))
    return to_set, to_remove


def retag_ecs(
    aws: Aws, arn: str, resource: str, desired: Mapping[str, str], live: Mapping[str, str]
) -> None:
    """TagResource for added/changed keys, UntagResource for removed ones (ECS)."""
    to_set, to_remove = changes(desired, live)
    if to_set:
        calls.call(aws, "ecs", "tag_resource", resource, resourceArn=arn, tags=to_ecs(to_set))
    if to_remove:
        calls.call(aws, "ecs", "untag_resource", resource, resourceArn=arn, tagKeys=to_remove)


def retag_ecr(
    aws: Aws, arn: str, resource: str, desired: Mapping[str, str], live: Mapping[str, str]
) -> None:
    """TagResource for added/changed keys, UntagResource for removed ones (ECR)."""
    to_set, to_remove = changes(desired, live)
    if to_set:
        calls.call(aws, "ecr", "tag_resource", resource, resourceArn=arn, tags=to_ecr(to_set))
    if to_remove:
        calls.call(aws, "ecr", "untag_resource", resource, resourceArn=arn, tagKeys=to_remove)
