"""Live resources as minimal manifests: the pure half of `ecsync import`.

A live resource (manifest shape, as the readers in `controller.aws` give it)
becomes the smallest manifest that plans as in sync with it:

1. Only the fields of the kind's create call are kept (the spec model's
   fields), so ARNs, status, counts, deployments, events, revisions and
   registration dates never reach a manifest. References are names: the
   service's cluster, its task definition family, the Auto Scaling group.
   Tags are the user's own, without ecsync's or AWS's; a resource protected
   from prune (`ecsync:prune=false`) gets the annotation that says so.
2. Every value ECS or ECR fills in by itself is dropped. The normalisers in
   `controller.diff.normalise` are the one record of those defaults: a field
   goes when the normalised spec is the same without it. For fields that the
   planner leaves unmanaged when a manifest omits them, `OMITTED` adds the
   values AWS reports for a create request that left them out.
3. The result is validated by the kind's spec model and dumped in the model's
   field order (the API's own; tags last), so files are stable and pass
   `ecsync validate`.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from pydantic import ValidationError

from controller.core import scaling
from controller.core.kinds import API_VERSION, Kind, ResourceId
from controller.core.resources import PRUNE_TAG, Desired, Live
from controller.diff import pointer
from controller.diff.normalise import common, normalise, scalable_target, schedule
from controller.manifests import switches
from controller.manifests.specs import SPEC_MODELS

OPAQUE = frozenset({"tags", "lifecyclePolicy", "repositoryPolicy"})
"""Top-level fields kept exactly as they are: the user's tags, and policy documents
(whose normalised form adds what IAM assumes, such as `Version`)."""

OMITTED: dict[Kind, dict[str, Any]] = {
    Kind.SERVICE: {
        "/platformVersion": "LATEST",
        "/availabilityZoneRebalancing": "ENABLED",
        "/deploymentConfiguration/strategy": "ROLLING",
        "/deploymentConfiguration/alarms": {"alarmNames": [], "enable": False, "rollback": False},
    },
    Kind.CLUSTER: {"/configuration/executeCommandConfiguration/logging": "DEFAULT"},
}
"""What AWS reports for fields a create request left out, where the normalisers
do not fill them in (the planner does not manage them when a manifest omits them)."""

FOLDERS: dict[Kind, str] = {
    Kind.REPOSITORY: "repositories",
    Kind.CAPACITY_PROVIDER: "capacity-providers",
    Kind.CLUSTER: "clusters",
    Kind.TASK_DEFINITION: "task-definitions",
    Kind.SERVICE: "services",
    Kind.SCALABLE_TARGET: "scalable-targets",
    Kind.SCALING_POLICY: "scaling-policies",
    Kind.LOG_GROUP: "log-groups",
    Kind.SCHEDULE: "schedules",
}

_PROBE = "\x00probe"
_SERVICE_LINKED_ROLE = "/aws-service-role/"


class ExportError(ValueError):
    """A live resource holds a value its spec model does not accept (a newer API)."""


@dataclass(frozen=True)
class Exported:
    """One manifest document and the file it goes to, relative to the output folder."""

    id: ResourceId
    path: PurePosixPath
    document: dict[str, Any]

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.document["spec"]
        return spec

    def desired(self) -> Desired:
        """The document as the loader would load it."""
        values = self.document["metadata"].get("annotations", {})
        annotations, _ = switches.parse(self.id.kind, values)
        return Desired(self.id, self.spec, annotations)


def export(live: Live, *, task_definition: str | None = None) -> Exported:
    """The minimal manifest of `live`; a Service names `task_definition` (see
    `task_definition_reference`), or the revision it runs when that is not given."""
    kind = live.id.kind
    spec = minimal_spec(kind, _references(live, task_definition))
    model = SPEC_MODELS[kind]
    try:
        validated = model.model_validate(spec)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ExportError(
            f"{live.id}: spec.{where}: {first['msg']}; AWS reports a value this version of "
            "ecsync does not know, so it cannot be written as a manifest"
        ) from exc
    dumped = validated.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)
    if "tags" in dumped:  # last, as people write them
        dumped["tags"] = dumped.pop("tags")
    metadata: dict[str, Any] = {"name": live.id.name}
    if (live.spec.get("tags") or {}).get(PRUNE_TAG) == "false":
        metadata["annotations"] = {switches.PRUNE: "false"}
    document = {"apiVersion": API_VERSION, "kind": str(kind), "metadata": metadata, "spec": dumped}
    return Exported(live.id, path_for(live.id), document)


def minimal_spec(kind: Kind, spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` (manifest shape) without the fields its create call does not take and
    without the values AWS fills in by itself; the input is not modified."""
    fields = {f.alias or name for name, f in SPEC_MODELS[kind].model_fields.items()}
    taken = {k: v for k, v in common.drop_empty(spec).items() if k in fields}
    result = _without_defaults(kind, taken)
    for path, default in OMITTED.get(kind, {}).items():
        value = pointer.get(result, path)
        if pointer.has(result, path) and common.drop_empty(value) == common.drop_empty(default):
            result = _removed(result, tuple(pointer.split(path)))
    cleaned: dict[str, Any] = common.drop_empty(result)
    return cleaned


def task_definition_reference(service: Live, families: Mapping[str, Live]) -> str:
    """What an imported service's `taskDefinition` says.

    The family, when the family is imported too and the service runs its
    latest active revision (whose content the family's manifest holds).
    Otherwise `family:revision`, a pin, so that the plan does not roll the
    service onto another revision.
    """
    family, revision = parse_revision(str(service.spec.get("taskDefinition", "")))
    latest = families.get(family)
    if revision is None or (latest is not None and latest.status.get("revision") == revision):
        return family
    return f"{family}:{revision}"


def parse_revision(reference: str) -> tuple[str, int | None]:
    """`arn:…:task-definition/web:3` or `web:3` -> ("web", 3); `web` -> ("web", None)."""
    family, _, number = reference.rsplit("/", 1)[-1].rpartition(":")
    if not family:
        return number, None
    return family, int(number) if number.isdigit() else None


def path_for(rid: ResourceId) -> PurePosixPath:
    """Where a resource's manifest goes: one folder per kind, services under their cluster.

    Repository names may hold `/` (`team/web`), which become folders; so do the
    `<cluster>/<service>` parts of scalable target and scaling policy names, and the
    parts of a log group name (`/ecs/web`, without its leading `/`). A policy
    name may hold any printable character, so its file name keeps only the safe ones
    (and a digest of the name when it had others).
    """
    folder = PurePosixPath(FOLDERS[rid.kind])
    if rid.cluster:
        folder = folder / rid.cluster
    if rid.kind is Kind.SCALING_POLICY:
        target, policy = scaling.split_policy(rid.name)
        return folder / target / f"{_file_name(policy)}.yaml"
    if rid.kind is Kind.LOG_GROUP:  # `/ecs/web` -> log-groups/ecs/web.yaml
        *parents, last = [_file_name(part) for part in rid.name.strip("/").split("/") if part]
        return folder.joinpath(*parents, f"{last}.yaml")
    return folder / f"{rid.name}.yaml"


def _file_name(name: str) -> str:
    """`name` as one safe path segment: other characters become `_`, plus a digest."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    if safe == name:
        return name
    return f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def _references(live: Live, task_definition: str | None) -> dict[str, Any]:
    """The live spec with references by name and the user's tags only."""
    spec = {k: v for k, v in live.spec.items() if k != "tags"}
    tags = common.user_tags(live.spec.get("tags"))
    if tags:
        spec["tags"] = dict(sorted(tags.items()))
    if live.id.kind is Kind.SERVICE:
        spec["cluster"] = live.id.cluster
        reference = task_definition or str(spec.get("taskDefinition", ""))
        spec["taskDefinition"] = reference.rsplit("/", 1)[-1]
        # The service-linked role is ECS's own; CreateService refuses it for awsvpc services.
        if _SERVICE_LINKED_ROLE in str(spec.get("role", "")):
            del spec["role"]
    if live.id.kind is Kind.SCALABLE_TARGET:
        # Application Auto Scaling's own role, used when a registration names none.
        if _SERVICE_LINKED_ROLE in str(spec.get("RoleARN", "")):
            del spec["RoleARN"]
        spec["ScheduledActions"] = [
            {
                k: scalable_target.timestamp(v) if k in scalable_target.TIMESTAMPS else v
                for k, v in action.items()
            }
            for action in spec.get("ScheduledActions") or []
        ]
    if live.id.kind is Kind.SCHEDULE:
        # GetSchedule's times are epoch seconds; a manifest holds ISO 8601 text.
        for field in schedule.TIMES:
            if field in spec:
                spec[field] = schedule.instant(spec[field])
    provider = spec.get("autoScalingGroupProvider")
    if live.id.kind is Kind.CAPACITY_PROVIDER and isinstance(provider, dict):
        group = common.arn_tail(provider.get("autoScalingGroupArn"), "autoScalingGroupName/")
        spec["autoScalingGroupProvider"] = {**provider, "autoScalingGroupArn": group}
    return spec


def _without_defaults(kind: Kind, spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` without every field that normalisation would put back by itself.

    Fields are tried one at a time, outermost first; a field goes when the
    normalised spec is the same without it. A task definition is compared as
    a whole, so that is the whole test there. For the other kinds, a mapping
    left empty may go too (an omitted field is not managed), so while a field
    is tried, the mapping that holds it keeps a placeholder: removing its last
    default field is then not mistaken for removing the mapping itself.
    """
    result = copy.deepcopy(spec)
    for path in list(_paths(spec)):
        if _has(result, path) and _filled_in(kind, result, path):
            result = _removed(result, path)
    return result


def _filled_in(kind: Kind, spec: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    if kind is not Kind.TASK_DEFINITION and len(path) > 1:
        spec = _with(spec, (*path[:-1], _PROBE), True)
    return normalise(kind, spec) == normalise(kind, _removed(spec, path))


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every mapping entry under `node`, parents before children
    (list items are walked into, never removed; opaque top-level fields are skipped)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if prefix or key not in OPAQUE:
                yield (*prefix, key)
                yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _paths(item, (*prefix, index))


def _parent(document: Any, path: tuple[str | int, ...]) -> Any:
    node = document
    for token in path[:-1]:
        node = node[token]
    return node


def _has(document: dict[str, Any], path: tuple[str | int, ...]) -> bool:
    node: Any = document
    try:
        for token in path:
            node = node[token]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _removed(document: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    del _parent(copied, path)[path[-1]]
    return copied


def _with(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    _parent(copied, path)[path[-1]] = value
    return copied
