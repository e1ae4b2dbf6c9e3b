"""Application Auto Scaling: tags, defaults, deregistration and paging as AWS has them.

Stock moto has no TagResource, UntagResource or ListTagsForResource (HTTP
500), drops RegisterScalableTarget's Tags, reports no RoleARN and no
SuspendedState for a target registered without them, keeps a deregistered
target's policies and scheduled actions, matches DescribeScalingPolicies'
ResourceId by substring and pages DescribeScalableTargets from a wrong
offset. Sources: Application Auto Scaling API Reference (the operations
named below), and the DescribeScalableTargets example in botocore's
examples-1.json.
"""

from __future__ import annotations

import json
from typing import Any

from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    FakeScalableTarget,
)
from moto.applicationautoscaling.responses import (
    ApplicationAutoScalingResponse,
    _build_policy,
    _build_scheduled_action,
    _build_target,
)
from moto.core.exceptions import JsonRESTError

from ecsync_local.fixes.patching import Fix, Method, patch

Response = ApplicationAutoScalingResponse

SUSPENDED_DEFAULTS = {
    "DynamicScalingInSuspended": False,
    "DynamicScalingOutSuspended": False,
    "ScheduledScalingSuspended": False,
}
"""SuspendedState: "The default is false" for each member."""

PAGE_SIZES = {
    "describe_scalable_targets": 50,
    "describe_scheduled_actions": 50,
    "describe_scaling_policies": 10,
}
"""Default and most MaxResults: "between 1 and 50" (policies: "between 1 and 10")."""

_SERVICE_LINKED_ROLE = (
    "arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_ECSService"
)


class ObjectNotFoundError(JsonRESTError):
    """What deletes and deregistrations of something missing answer."""

    def __init__(self, message: str) -> None:
        super().__init__("ObjectNotFoundException", message)


class ResourceNotFoundError(JsonRESTError):
    """The tagging APIs' documented error for an ARN they do not know."""

    def __init__(self, arn: str) -> None:
        super().__init__("ResourceNotFoundException", f"No scalable target found for {arn}")


def _tags(backend: ApplicationAutoscalingBackend) -> dict[str, dict[str, str]]:
    """Tags by scalable target ARN, kept on the backend (so a backend reset clears them)."""
    store: dict[str, dict[str, str]] | None = getattr(backend, "_ecsync_tags", None)
    if store is None:
        store = {}
        backend._ecsync_tags = store  # type: ignore[attr-defined]
    return store


def _targets(backend: ApplicationAutoscalingBackend) -> list[FakeScalableTarget]:
    return [t for by_id in backend.targets.values() for t in by_id.values()]


def _target_arns(backend: ApplicationAutoscalingBackend) -> set[str]:
    return {t.arn for t in _targets(backend)}


@patch(Response, "register_scalable_target")
def register_like_aws(original: Method) -> Method:
    """AWS's RegisterScalableTarget tags the target it creates ("Use this parameter to tag the
    scalable target when it is created"), reports the ECS service-linked role when no
    RoleARN was given and every SuspendedState member (false unless set), and brings the
    service's desired count inside the new range ("it changes the resource's current
    capacity to a value that is inside of this range")."""

    def register_scalable_target(self: Response) -> Any:
        backend = self.applicationautoscaling_backend
        before = _target_arns(backend)
        answer = original(self)
        arn = json.loads(answer)["ScalableTargetARN"]
        target = next(t for t in _targets(backend) if t.arn == arn)
        if arn not in before:
            _tags(backend)[arn] = dict(self._get_param("Tags") or {})
            if not target.role_arn:
                target.role_arn = _SERVICE_LINKED_ROLE.format(account=backend.account_id)
        # moto declares it a str; it holds the request's mapping (or None).
        state: Any = target.suspended_state or {}
        target.suspended_state = {**SUSPENDED_DEFAULTS, **state}  # type: ignore[assignment]
        if target.service_namespace == "ecs":
            _clamp_desired_count(backend, target)
        return answer

    return register_scalable_target


def _clamp_desired_count(
    backend: ApplicationAutoscalingBackend, target: FakeScalableTarget
) -> None:
    _, cluster, name = target.resource_id.split("/")
    services, _ = backend.ecs_backend.describe_services(cluster, [name])
    for service in services:
        low, high = target.min_capacity, target.max_capacity
        count = service.desired_count
        if low is not None and count < low:
            service.desired_count = low
        elif high is not None and count > high:
            service.desired_count = high


@patch(ApplicationAutoscalingBackend, "deregister_scalable_target")
def deregister_with_policies(original: Method) -> Method:
    """AWS's DeregisterScalableTarget "deletes the scaling policies and the scheduled actions
    that are associated with it"; moto keeps them, and the target's tags."""

    def deregister_scalable_target(
        self: ApplicationAutoscalingBackend, namespace: str, r_id: str, dimension: str
    ) -> None:
        if not self._scalable_target_exists(r_id, dimension):
            raise ObjectNotFoundError(
                f"No scalable target found for service namespace: {namespace}, resource ID: "
                f"{r_id}, scalable dimension: {dimension}"
            )
        arns = {
            t.arn
            for t in _targets(self)
            if (t.resource_id, t.scalable_dimension) == (r_id, dimension)
        }
        original(self, namespace, r_id, dimension)
        self.policies = {
            key: policy
            for key, policy in self.policies.items()
            if (policy.service_namespace, policy.resource_id, policy.scalable_dimension)
            != (namespace, r_id, dimension)
        }
        self.scheduled_actions = [
            action
            for action in self.scheduled_actions
            if (action.service_namespace, action.resource_id, action.scalable_dimension)
            != (namespace, r_id, dimension)
        ]
        for arn in arns:
            _tags(self).pop(arn, None)

    return deregister_scalable_target


@patch(ApplicationAutoscalingBackend, "delete_scaling_policy")
def unknown_policy_on_delete(original: Method) -> Method:
    """AWS answers DeleteScalingPolicy of a policy that does not exist with
    ObjectNotFoundException ("For any operation that deletes or deregisters a resource");
    moto says ValidationException."""

    def delete_scaling_policy(self: ApplicationAutoscalingBackend, **request: Any) -> None:
        try:
            original(self, **request)
        except AWSValidationException as exc:
            raise ObjectNotFoundError(exc.message) from exc

    return delete_scaling_policy


@patch(ApplicationAutoscalingBackend, "delete_scheduled_action")
def unknown_scheduled_action_on_delete(original: Method) -> Method:
    """AWS answers DeleteScheduledAction of an action that does not exist with
    ObjectNotFoundException; moto answers success."""

    def delete_scheduled_action(
        self: ApplicationAutoscalingBackend,
        service_namespace: str,
        scheduled_action_name: str,
        resource_id: str,
        scalable_dimension: str,
    ) -> None:
        key = (service_namespace, scheduled_action_name, resource_id, scalable_dimension)
        if not any(_action_key(a) == key for a in self.scheduled_actions):
            raise ObjectNotFoundError(f"No scheduled action found: {scheduled_action_name}")
        original(self, *key)

    return delete_scheduled_action


def _action_key(action: Any) -> tuple[str, str, str, str]:
    return (
        action.service_namespace,
        action.scheduled_action_name,
        action.resource_id,
        action.scalable_dimension,
    )


def answer_tagging() -> None:
    """AWS's TagResource, UntagResource and ListTagsForResource on scalable target ARNs (the
    only Application Auto Scaling resource that takes tags); moto has none of them."""

    def tag_resource(self: Response) -> str:
        store = _known(self)
        store[self._get_param("ResourceARN")].update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self: Response) -> str:
        store = _known(self)
        tags = store[self._get_param("ResourceARN")]
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return "{}"

    def list_tags_for_resource(self: Response) -> str:
        store = _known(self)
        return json.dumps({"Tags": store[self._get_param("ResourceARN")]})

    for handler in (tag_resource, untag_resource, list_tags_for_resource):
        setattr(Response, handler.__name__, handler)


def _known(self: Response) -> dict[str, dict[str, str]]:
    backend = self.applicationautoscaling_backend
    arn = self._get_param("ResourceARN")
    if arn not in _target_arns(backend):
        raise ResourceNotFoundError(str(arn))
    store = _tags(backend)
    store.setdefault(arn, {})
    return store


def answer_describes_in_pages() -> None:
    """DescribeScalableTargets, DescribeScalingPolicies and DescribeScheduledActions as AWS
    answers them: filtered by the exact ResourceId(s) and ScalableDimension, paged by
    MaxResults (refused outside its range) and NextToken (refused when unknown)."""

    def describe_scalable_targets(self: Response) -> str:
        ids = self._get_param("ResourceIds") or []
        found = [
            _build_target(t)
            for t in _targets(self.applicationautoscaling_backend)
            if _matches(self, t.service_namespace, t.resource_id, t.scalable_dimension)
            and (not ids or t.resource_id in ids)
        ]
        return _page(self, "describe_scalable_targets", "ScalableTargets", found)

    def describe_scaling_policies(self: Response) -> str:
        names = self._get_param("PolicyNames") or []
        found = [
            _build_policy(p)
            for p in self.applicationautoscaling_backend.policies.values()
            if _matches(self, p.service_namespace, p.resource_id, p.scalable_dimension)
            and (not names or p.policy_name in names)
        ]
        return _page(self, "describe_scaling_policies", "ScalingPolicies", found)

    def describe_scheduled_actions(self: Response) -> str:
        names = self._get_param("ScheduledActionNames") or []
        found = [
            _build_scheduled_action(a)
            for a in self.applicationautoscaling_backend.scheduled_actions
            if _matches(self, a.service_namespace, a.resource_id, a.scalable_dimension)
            and (not names or a.scheduled_action_name in names)
        ]
        return _page(self, "describe_scheduled_actions", "ScheduledActions", found)

    for handler in (
        describe_scalable_targets,
        describe_scaling_policies,
        describe_scheduled_actions,
    ):
        setattr(Response, handler.__name__, handler)


def _matches(self: Response, namespace: str, resource_id: str, dimension: str) -> bool:
    wanted = (
        self._get_param("ServiceNamespace"),
        self._get_param("ResourceId"),
        self._get_param("ScalableDimension"),
    )
    found = (namespace, resource_id, dimension)
    return all(w is None or w == v for w, v in zip(wanted, found, strict=True))


def _page(self: Response, operation: str, key: str, items: list[Any]) -> str:
    most = PAGE_SIZES[operation]
    size = self._get_param("MaxResults")
    token = self._get_param("NextToken")
    if size is not None and not 1 <= int(size) <= most:
        raise AWSValidationException(f"MaxResults must be between 1 and {most}.")
    if token is not None and not (str(token).isdigit() and int(token) <= len(items)):
        raise JsonRESTError("InvalidNextTokenException", "The next token is not valid.")
    start, count = int(token or 0), int(size or most)
    result: dict[str, Any] = {key: items[start : start + count]}
    if start + count < len(items):
        result["NextToken"] = str(start + count)
    return json.dumps(result)


FIXES: tuple[Fix, ...] = (
    register_like_aws,
    deregister_with_policies,
    unknown_policy_on_delete,
    unknown_scheduled_action_on_delete,
    answer_tagging,
    answer_describes_in_pages,
)
