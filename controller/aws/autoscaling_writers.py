"""Writers of ScalableTarget and ScalingPolicy (Application Auto Scaling API Reference).

RegisterScalableTarget and PutScalingPolicy create or update ("Registers or
updates a scalable target"; PutScalingPolicy "Creates or updates a scaling
policy"), so sending one twice changes nothing more: no create-then-find is
needed. An update of a target sends only the capacity and suspension fields
that changed (the others keep their values). PutScalingPolicy replaces the
policy's whole configuration, so it always sends the full desired policy.
Deregistering a target deletes its policies and scheduled actions with it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from controller.aws import calls, errors, tags
from controller.aws.autoscaling import SCHEDULED_ACTIONS
from controller.core import scaling
from controller.core.kinds import ResourceId
from controller.core.resources import Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

_REGISTERED = ("MinCapacity", "MaxCapacity", "RoleARN", "SuspendedState")
"""The members of RegisterScalableTarget a manifest sets (besides tags)."""


def _identity(target: str) -> dict[str, str]:
    return {
        "ServiceNamespace": scaling.SERVICE_NAMESPACE,
        "ResourceId": scaling.resource_id(target),
        "ScalableDimension": scaling.SCALABLE_DIMENSION,
    }


class ScalableTargetWriter:
    """RegisterScalableTarget, Put/DeleteScheduledAction, Tag/UntagResource, Deregister."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        params = {k: spec[k] for k in _REGISTERED if k in spec}
        wanted_tags = {k: v for k, v in (spec.get("tags") or {}).items() if not tags.is_reserved(k)}
        if wanted_tags:  # the ownership tag among them, set as the target is made
            params["Tags"] = wanted_tags
        answer = calls.call(
            aws,
            "application-autoscaling",
            "register_scalable_target",
            str(id),
            **_identity(id.name),
            **params,
        )
        arn = str(answer.get("ScalableTargetARN") or "")
        for action in spec.get(SCHEDULED_ACTIONS) or []:
            _put_action(aws, id, action)
        return arn

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        changed = {k: spec[k] for k in _REGISTERED if k in fields and k in spec}
        if changed:
            calls.call(
                aws,
                "application-autoscaling",
                "register_scalable_target",
                str(id),
                **_identity(id.name),
                **changed,
            )
        if SCHEDULED_ACTIONS in fields:
            _write_actions(aws, id, spec.get(SCHEDULED_ACTIONS) or [], live)
        if "tags" in fields:
            retag(aws, live.arn, str(id), spec.get("tags") or {}, live.spec.get("tags") or {})
        return live.arn

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """DeregisterScalableTarget: its policies and scheduled actions go with it. The
        service keeps the desired count it has."""
        with contextlib.suppress(errors.NotFoundError):
            calls.call(
                aws,
                "application-autoscaling",
                "deregister_scalable_target",
                str(id),
                **_identity(id.name),
            )


class ScalingPolicyWriter:
    """PutScalingPolicy (create and update alike) and DeleteScalingPolicy."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        target, name = scaling.split_policy(id.name)
        params = {k: v for k, v in spec.items() if k != "tags"}  # policies have no tags
        answer = calls.call(
            aws,
            "application-autoscaling",
            "put_scaling_policy",
            str(id),
            PolicyName=name,
            **_identity(target),
            **params,
        )
        return str(answer.get("PolicyARN") or "")

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        return self.create(aws, id, spec)

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        target, name = scaling.split_policy(id.name)
        with contextlib.suppress(errors.NotFoundError):
            calls.call(
                aws,
                "application-autoscaling",
                "delete_scaling_policy",
                str(id),
                PolicyName=name,
                **_identity(target),
            )


def _write_actions(aws: Aws, id: ResourceId, wanted: list[dict[str, Any]], live: Live) -> None:
    """Put every desired scheduled action (PutScheduledAction creates or replaces one) and
    delete the live ones the manifest no longer lists."""
    names = {a.get("ScheduledActionName") for a in wanted}
    for action in wanted:
        _put_action(aws, id, action)
    for action in live.spec.get(SCHEDULED_ACTIONS) or []:
        name = action.get("ScheduledActionName")
        if name not in names:
            with contextlib.suppress(errors.NotFoundError):
                calls.call(
                    aws,
                    "application-autoscaling",
                    "delete_scheduled_action",
                    f"{id}/{name}",
                    ScheduledActionName=name,
                    **_identity(id.name),
                )


def _put_action(aws: Aws, id: ResourceId, action: dict[str, Any]) -> None:
    name = action.get("ScheduledActionName")
    calls.call(
        aws,
        "application-autoscaling",
        "put_scheduled_action",
        f"{id}/{name}",
        **_identity(id.name),
        **action,
    )


def retag(aws: Aws, arn: str, resource: str, desired: dict[str, str], live: dict[str, str]) -> None:
    """TagResource for added or changed keys, UntagResource for removed ones (Application
    Auto Scaling spells tags as a map: `Tags`, `TagKeys`)."""
    to_set, to_remove = tags.changes(desired, live)
    if to_set:
        calls.call(
            aws, "application-autoscaling", "tag_resource", resource, ResourceARN=arn, Tags=to_set
        )
    if to_remove:
        calls.call(
            aws,
            "application-autoscaling",
            "untag_resource",
            resource,
            ResourceARN=arn,
            TagKeys=to_remove,
        )
