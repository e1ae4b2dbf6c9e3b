"""Application Auto Scaling: scalable targets (with their scheduled actions) and scaling
policies of ECS services' desired count, read in batches and pages.

A ScalableTarget is named `<cluster>/<service>` and a ScalingPolicy
`<cluster>/<service>/<PolicyName>` (`controller.core.scaling`). Reads
(Application Auto Scaling API Reference):
- DescribeScalableTargets takes up to 50 ResourceIds and pages by NextToken
  (MaxResults up to 50); the answer carries no tags, so ListTagsForResource
  runs once per target (the ownership tag lives there);
- DescribeScalingPolicies (MaxResults up to 10) and DescribeScheduledActions
  (up to 50) take one ResourceId and page by NextToken; many targets are read
  with one listing of the whole `ecs` namespace instead of a call per target.
Policies and scheduled actions have no tags: a policy belongs to the owner of
its scalable target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, errors, shapes, tags
from controller.core import scaling
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, PRUNE_TAG, Desired, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

SERVICE = "application-autoscaling"
PAGE_SIZE = 50
"""The most ResourceIds one DescribeScalableTargets takes."""
PAGE_SIZES = {
    "describe_scalable_targets": 50,
    "describe_scheduled_actions": 50,
    "describe_scaling_policies": 10,
}
"""The largest MaxResults of each Describe* call ("between 1 and 50"; policies "between 1
and 10")."""
LIST_ALL_ABOVE = 20
"""More targets than this: list the namespace's policies (or scheduled actions) once,
paged, instead of one call per target."""

IDENTITY = ("ServiceNamespace", "ResourceId", "ScalableDimension")
"""Request members implied by a manifest's name (`controller.core.scaling`)."""
SCHEDULED_ACTIONS = "ScheduledActions"


def read(
    aws: Aws,
    targets: Mapping[str, bool],
    policies: Mapping[str, frozenset[str] | None] | None = None,
) -> dict[ResourceId, Live]:
    """The live scalable targets among `targets` (name -> whether to read its scheduled
    actions) and the live policies among `policies` (target name -> PolicyNames, or None
    for every policy of that target).

    The targets of the policies are read too, and are in the result (a policy's owner is
    its target's, and a policy needs its target). Whatever does not exist is absent.
    """
    policies = policies or {}
    found = _live_targets(aws, _describe_targets(aws, sorted(set(targets) | set(policies))))
    actions = _per_target(
        aws, "describe_scheduled_actions", SCHEDULED_ACTIONS, [n for n in found if targets.get(n)]
    )
    live: dict[ResourceId, Live] = {}
    for name, (target, target_tags) in found.items():
        item = parse_scalable_target(target, target_tags, actions.get(name))
        live[item.id] = item
    wanted = {name: names for name, names in policies.items() if name in found}
    for policy in _policies(aws, wanted):
        owner = live[scaling.target_id(scaling.split_policy(policy.id.name)[0])]
        live[policy.id] = with_target(policy, owner)
    return live


def read_desired(aws: Aws, desired: Iterable[Desired]) -> dict[ResourceId, Live]:
    """`read` for the ScalableTarget and ScalingPolicy resources among `desired` (a target's
    scheduled actions only when its manifest sets them); no call when there are none."""
    targets: dict[str, bool] = {}
    policies: dict[str, set[str]] = {}
    for d in desired:
        if d.id.kind is Kind.SCALABLE_TARGET:
            targets[d.id.name] = SCHEDULED_ACTIONS in d.spec
        elif d.id.kind is Kind.SCALING_POLICY:
            target, policy = scaling.split_policy(d.id.name)
            policies.setdefault(target, set()).add(policy)
    if not targets and not policies:
        return {}
    return read(aws, targets, {t: frozenset(names) for t, names in policies.items()})


def list_owned(aws: Aws, instance: str) -> dict[ResourceId, Live]:
    """Every ECS scalable target tagged as owned by `instance`, and every policy on them."""
    every = _describe_all(aws, "describe_scalable_targets", "ScalableTargets", None)
    described = {n: t for t in every if (n := _target_name(t)) is not None}
    owned: dict[ResourceId, Live] = {}
    targets: dict[str, Live] = {}
    for name, (target, target_tags) in _live_targets(aws, described).items():
        if target_tags.get(OWNER_TAG) == instance:
            targets[name] = owned[scaling.target_id(name)] = parse_scalable_target(
                target, target_tags
            )
    for policy in _policies(aws, dict.fromkeys(targets)):
        owned[policy.id] = with_target(policy, targets[scaling.split_policy(policy.id.name)[0]])
    return owned


def parse_scalable_target(
    target: Mapping[str, Any],
    target_tags: Mapping[str, str] | None,
    scheduled_actions: Sequence[Mapping[str, Any]] | None = None,
) -> Live:
    """A DescribeScalableTargets `ScalableTargets[]` item, its ListTagsForResource `Tags`,
    and (when read) its DescribeScheduledActions `ScheduledActions`, as live state. Pure:
    the fidelity corpus runs it on recorded AWS answers."""
    name = _target_name(target)
    if name is None:
        raise ValueError(f"not an ECS service's scalable target: {target.get('ResourceId')!r}")
    spec = shapes.project(SERVICE, "RegisterScalableTarget", target, exclude=(*IDENTITY, "Tags"))
    spec["tags"] = {k: v for k, v in (target_tags or {}).items() if not tags.is_reserved(k)}
    if scheduled_actions is not None:
        spec[SCHEDULED_ACTIONS] = [
            shapes.project(SERVICE, "PutScheduledAction", action, exclude=IDENTITY)
            for action in scheduled_actions
        ]
    status = {k: target[k] for k in ("ResourceId", "PredictedCapacity") if k in target}
    return Live(
        id=scaling.target_id(name),
        arn=str(target.get("ScalableTargetARN") or ""),
        spec=spec,
        owner=spec["tags"].get(OWNER_TAG),
        status=status,
    )


def parse_scaling_policy(policy: Mapping[str, Any]) -> Live:
    """A DescribeScalingPolicies `ScalingPolicies[]` item as live state, without an owner
    (see `with_target`). Pure: the fidelity corpus runs it on recorded AWS answers."""
    target = scaling.target_of_resource_id(str(policy.get("ResourceId", "")))
    if target is None:
        raise ValueError(f"not an ECS service's scaling policy: {policy.get('ResourceId')!r}")
    spec = shapes.project(SERVICE, "PutScalingPolicy", policy, exclude=(*IDENTITY, "PolicyName"))
    return Live(
        id=ResourceId(Kind.SCALING_POLICY, scaling.policy_name(target, policy["PolicyName"])),
        arn=str(policy.get("PolicyARN") or ""),
        spec=spec,
        status={"Alarms": list(policy.get("Alarms") or [])},
    )


def with_target(policy: Live, target: Live) -> Live:
    """`policy` owned by its scalable target's owner; its target's `ecsync:prune` tag
    (policies have no tags of their own) kept in `status`, so prune honours it."""
    status = {**policy.status, PRUNE_TAG: (target.spec.get("tags") or {}).get(PRUNE_TAG)}
    return Live(policy.id, policy.arn, policy.spec, owner=target.owner, status=status)


def _target_name(target: Mapping[str, Any]) -> str | None:
    """`<cluster>/<service>` of an ECS service's desired-count target; None for others."""
    if target.get("ScalableDimension", scaling.SCALABLE_DIMENSION) != scaling.SCALABLE_DIMENSION:
        return None
    return scaling.target_of_resource_id(str(target.get("ResourceId", "")))


def _describe_targets(aws: Aws, names: list[str]) -> dict[str, dict[str, Any]]:
    """DescribeScalableTargets for `names`, 50 ResourceIds per request, requests side by side."""

    def page_through(batch: list[str]) -> list[Any]:
        return _describe_all(
            aws,
            "describe_scalable_targets",
            "ScalableTargets",
            None,
            resource=batching.label("ScalableTarget", batch),
            ResourceIds=[scaling.resource_id(n) for n in batch],
        )

    pages = batching.each(page_through, list(batching.chunks(names, PAGE_SIZE)))
    wanted = set(names)
    return {
        name: target
        for page in pages
        for target in page
        if (name := _target_name(target)) is not None and name in wanted
    }


def _live_targets(
    aws: Aws, described: Mapping[str, dict[str, Any]]
) -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """Each described target with its tags (read side by side); one deregistered while
    being read is left out."""
    read_tags = batching.each(lambda t: _tags_of(aws, t), list(described.values()))
    return {
        name: (target, target_tags)
        for (name, target), target_tags in zip(described.items(), read_tags, strict=True)
        if target_tags is not None
    }


def _tags_of(aws: Aws, target: Mapping[str, Any]) -> dict[str, str] | None:
    """The target's tags; None when it is gone. A target without an ARN (registered before
    AWS gave targets ARNs) has no tags."""
    arn = target.get("ScalableTargetARN")
    if not arn:
        return {}
    name = _target_name(target) or ""
    try:
        got = calls.call(
            aws,
            "application-autoscaling",
            "list_tags_for_resource",
            f"ScalableTarget/{name}",
            ResourceARN=arn,
        )
    except errors.NotFoundError:
        return None
    return dict(got.get("Tags") or {})


def _policies(aws: Aws, wanted: Mapping[str, frozenset[str] | None]) -> list[Live]:
    """The live policies among `wanted`: target name -> its PolicyNames (None: all)."""
    found = _per_target(aws, "describe_scaling_policies", "ScalingPolicies", sorted(wanted))
    return [
        parse_scaling_policy(policy)
        for name, items in found.items()
        for policy in items
        if (names := wanted[name]) is None or policy.get("PolicyName") in names
    ]


def _per_target(
    aws: Aws, operation: str, result_key: str, names: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Target name -> the items `operation` describes for it (policies or scheduled
    actions): one paged call per target, side by side, or for many targets one paged
    listing of the namespace. Items are kept by their exact ResourceId (a lenient
    stand-in may match a ResourceId by substring)."""
    grouped: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    if not names:
        return grouped
    if len(names) > LIST_ALL_ABOVE:
        listed = [_describe_all(aws, operation, result_key, None)]
    else:
        listed = batching.each(lambda n: _describe_all(aws, operation, result_key, n), names)
    for items in listed:
        for item in items:
            name = _target_name(item)
            if name in grouped:
                grouped[name].append(item)
    return grouped


def _describe_all(
    aws: Aws,
    operation: str,
    result_key: str,
    target: str | None,
    *,
    resource: str = "",
    **params: Any,
) -> list[Any]:
    """Every page of `operation` for one target (None: the whole `ecs` namespace, unless
    `params` names ResourceIds). The dimension is sent only beside a resource id: "If you
    specify a scalable dimension, you must also specify a resource ID"."""
    scope = dict(params)
    if target is not None:
        scope["ResourceId"] = scaling.resource_id(target)
    if "ResourceId" in scope or "ResourceIds" in scope:
        scope["ScalableDimension"] = scaling.SCALABLE_DIMENSION
    return calls.paginate(
        aws,
        "application-autoscaling",
        operation,
        result_key,
        resource or (f"ScalableTarget/{target}" if target else "ScalableTarget"),
        cursor="NextToken",
        MaxResults=PAGE_SIZES[operation],
        ServiceNamespace=scaling.SERVICE_NAMESPACE,
        **scope,
    )
