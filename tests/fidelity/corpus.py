"""The fidelity corpus: AWS answers shaped as AWS really gives them, and what ecsync makes of them.

Each case file (cases/<kind-folder>/<case>.yaml) holds one manifest, the live
resource exactly as AWS describes it, and the public source of that shape.
This module turns a case into the product's own inputs, through the product's
own code: the manifest through the manifest loader (validation included), the
live answer through the AWS readers' parse functions, the Cloud Map lookups
through the same function a pass uses. `test_corpus.py` then plans with the
product's planner. See README.md beside this file for the format.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from controller.aws import (
    autoscaling,
    clusters,
    digests,
    kms,
    loggroups,
    namespaces,
    repositories,
    schedules,
    services,
    taskdefs,
)
from controller.core import scaling
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Desired, Live
from controller.diff import pointer
from controller.manifests.loader import load
from controller.plan import image_pins
from controller.plan import schedules as plan_schedules
from controller.plan.references import cluster_name
from controller.reconcile import image_updates, observe

CASES = Path(__file__).resolve().parent / "cases"
INSTANCE = "ecsync"
"""The ecsync instance the live resources belong to (the planner's default)."""

FOLDERS = {
    "service": Kind.SERVICE,
    "cluster": Kind.CLUSTER,
    "task-definition": Kind.TASK_DEFINITION,
    "capacity-provider": Kind.CAPACITY_PROVIDER,
    "repository": Kind.REPOSITORY,
    "scalable-target": Kind.SCALABLE_TARGET,
    "scaling-policy": Kind.SCALING_POLICY,
    "log-group": Kind.LOG_GROUP,
    "schedule": Kind.SCHEDULE,
}
"""Case folder -> the kind of the manifests it holds."""

KEYS = frozenset({"title", "source", "manifest", "also", "live", "lookups", "changes"})
REQUIRED = frozenset({"title", "source", "manifest", "live"})
CHANGE_KEYS = frozenset({"set", "value", "remove", "expect"})
LOOKUPS = frozenset({"namespaces", "kmsAliases", "images"})
REGION = "us-east-1"
"""The region the cases' ECR images and ARNs are in (ecsync's region for the lookups)."""


class CaseError(Exception):
    """A case file that does not follow the format."""


@dataclass(frozen=True)
class Change:
    """One real change to the live answer, and the one field path the plan must report."""

    set: str | None
    value: Any
    remove: str | None
    expect: str

    def apply(self, live: Any) -> Any:
        """A copy of `live` with this change made."""
        changed = copy.deepcopy(live)
        target = self.set if self.set is not None else self.remove
        assert target is not None
        tokens = pointer.split(target)
        parent = changed
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if self.remove is not None:
                del parent[index]
            elif index == len(parent):
                parent.append(copy.deepcopy(self.value))
            else:
                parent[index] = copy.deepcopy(self.value)
        elif self.remove is not None:
            if last not in parent:
                raise CaseError(f"remove: {target} is not in the live answer")
            del parent[last]
        else:
            parent[last] = copy.deepcopy(self.value)
        return changed


@dataclass(frozen=True)
class Case:
    path: Path
    kind: Kind
    title: str
    source: str
    manifest: dict[str, Any]
    also: tuple[dict[str, Any], ...]
    live: Any
    lookups: dict[str, Any]
    changes: tuple[Change, ...]

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"


def case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.yaml"))


def read_case(path: Path) -> Case:
    """One case file, checked against the format (a bad file is a `CaseError`)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CaseError(f"{path}: a case is a mapping")
    if path.parent.name not in FOLDERS:
        raise CaseError(f"{path}: folder must be one of {sorted(FOLDERS)}")
    unknown = set(data) - KEYS
    missing = REQUIRED - set(data)
    if unknown or missing:
        raise CaseError(f"{path}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    unknown_lookups = set(data.get("lookups") or {}) - LOOKUPS
    if unknown_lookups:
        raise CaseError(f"{path}: unknown lookups {sorted(unknown_lookups)}")
    changes = []
    for raw in data.get("changes") or []:
        if not isinstance(raw, dict) or set(raw) - CHANGE_KEYS or "expect" not in raw:
            raise CaseError(f"{path}: a change is {{set, value, expect}} or {{remove, expect}}")
        if ("set" in raw) == ("remove" in raw) or ("set" in raw) != ("value" in raw):
            raise CaseError(f"{path}: a change has either `set` and `value`, or `remove`")
        changes.append(Change(raw.get("set"), raw.get("value"), raw.get("remove"), raw["expect"]))
    return Case(
        path=path,
        kind=FOLDERS[path.parent.name],
        title=str(data["title"]),
        source=str(data["source"] or ""),
        manifest=data["manifest"],
        also=tuple(data.get("also") or ()),
        live=data["live"],
        lookups=dict(data.get("lookups") or {}),
        changes=tuple(changes),
    )


def load_desired(case: Case, root: Path) -> tuple[Desired, list[Desired]]:
    """The case's manifest (and `also`) through the product's loader: (the case's resource,
    every resource). The manifests must be valid."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifests.yaml").write_text(
        yaml.safe_dump_all([case.manifest, *case.also], sort_keys=False), encoding="utf-8"
    )
    loaded = load(root)
    if not loaded.ok:
        raise CaseError(
            f"{case.path}: the manifests do not validate: "
            + "; ".join(str(e) for e in loaded.errors)
        )
    main = [d for d in loaded.resources if d.id.kind is case.kind]
    name = case.manifest["metadata"]["name"]
    chosen = [d for d in main if d.id.name == name]
    if len(chosen) != 1:
        raise CaseError(f"{case.path}: expected exactly one {case.kind} named {name!r}")
    return chosen[0], list(loaded.resources)


def owned(kind: Kind, answer: Any) -> Any:
    """A copy of the AWS answer carrying ecsync's ownership tag, in that API's tag shape:
    the state after ecsync applied the manifest (the answer's other tags are kept)."""
    answer = copy.deepcopy(answer)
    if kind is Kind.SCALING_POLICY:  # no tags: a policy is owned through its target
        return answer
    if kind is Kind.SCALABLE_TARGET:  # Application Auto Scaling tags are a mapping
        answer["tags"] = {**(answer.get("tags") or {}), OWNER_TAG: INSTANCE}
        return answer
    if kind is Kind.REPOSITORY:
        answer["tags"] = [*answer.get("tags", []), {"Key": OWNER_TAG, "Value": INSTANCE}]
    elif kind is Kind.LOG_GROUP:  # CloudWatch Logs tags are a mapping
        answer["tags"] = {**(answer.get("tags") or {}), OWNER_TAG: INSTANCE}
    elif kind is Kind.SCHEDULE:  # no tags: ownership is a marker in the description
        answer["Description"] = schedules.with_marker(
            answer.get("Description"), {OWNER_TAG: INSTANCE}
        )
    else:  # DescribeTaskDefinition's tags sit beside `taskDefinition`, the others' inside
        answer["tags"] = [*answer.get("tags", []), {"key": OWNER_TAG, "value": INSTANCE}]
    return answer


def parse_live(kind: Kind, name: str, answer: Any) -> Live:
    """The live answer through the product's own parse function for `kind`."""
    if kind is Kind.SERVICE:
        return services.parse_service(answer)
    if kind is Kind.CLUSTER:
        return clusters.parse_cluster(answer)
    if kind is Kind.CAPACITY_PROVIDER:
        return clusters.parse_capacity_provider(answer)
    if kind is Kind.TASK_DEFINITION:
        revision = taskdefs.revision_of(answer["taskDefinition"], answer.get("tags"))
        return taskdefs.parse_family(name, [revision])
    if kind is Kind.REPOSITORY:
        return repositories.parse_repository(
            answer["repository"],
            answer.get("tags"),
            answer.get("lifecyclePolicyText"),
            answer.get("policyText"),
        )
    if kind is Kind.LOG_GROUP:
        return loggroups.parse_log_group(answer["logGroup"], answer.get("tags"))
    if kind is Kind.SCHEDULE:
        return schedules.parse_schedule(answer)
    if kind is Kind.SCALABLE_TARGET:
        return autoscaling.parse_scalable_target(
            answer["target"], answer.get("tags"), answer.get("scheduledActions")
        )
    if kind is Kind.SCALING_POLICY:
        return autoscaling.parse_scaling_policy(answer)
    raise CaseError(f"no live parser for {kind}")


def live_state(
    case: Case, main: Desired, desired: list[Desired], answer: Any
) -> dict[ResourceId, Live]:
    """What a pass would hold as live state: the case's resource (owned by ecsync), the
    cluster a Service runs in (it exists), and the lookups the pass reads (only when the
    manifests need them, as in `observe.read_live`)."""
    parsed = parse_live(case.kind, main.id.name, owned(case.kind, answer))
    if parsed.id != main.id:
        raise CaseError(f"{case.path}: the live answer is {parsed.id}, the manifest {main.id}")
    live: dict[ResourceId, Live] = {parsed.id: parsed}
    if case.kind is Kind.SCALING_POLICY:  # its scalable target exists, owned by ecsync
        target = scaling.target_id(scaling.split_policy(main.id.name)[0])
        arn = "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0"
        owner = Live(target, arn, {"tags": {OWNER_TAG: INSTANCE}}, owner=INSTANCE)
        live = {parsed.id: autoscaling.with_target(parsed, owner), target: owner}
    if case.kind in (Kind.SERVICE, Kind.SCHEDULE):
        name = cluster_name(main.spec.get("cluster"))
        if case.kind is Kind.SCHEDULE:
            name = plan_schedules.cluster_name(main.spec) or name
        arn = f"arn:aws:ecs:us-east-1:123456789012:cluster/{name}"
        live.setdefault(
            ResourceId(Kind.CLUSTER, name), Live(ResourceId(Kind.CLUSTER, name), arn, {})
        )
    if observe.names_kms_alias(desired):
        targets = kms.alias_targets(case.lookups.get("kmsAliases") or [])
        live = observe.with_kms_aliases(live, desired, targets)
    if not observe.names_namespace(desired):
        return live
    names = namespaces.names_by_arn(case.lookups.get("namespaces") or [])
    return observe.with_namespace_names(live, names)


def with_image_digests(
    case: Case, desired: list[Desired], live: Mapping[ResourceId, Live]
) -> list[Desired]:
    """`desired` as a pass plans it: the task definitions that follow their tags at the
    digests the case's DescribeImages `imageDetails` (lookup `images`) give them, through
    the same functions a pass uses (`digests.answered`, `image_updates.pin`)."""
    followed = {f.image for d in desired for f in image_pins.followed(d)}
    if not followed:
        return desired
    lookups = digests.answered(followed, case.lookups.get("images") or [])
    return image_updates.pin(desired, live, lookups, region=REGION).desired


def coverage(cases: list[Case]) -> Mapping[Kind, int]:
    counts: dict[Kind, int] = {}
    for case in cases:
        counts[case.kind] = counts.get(case.kind, 0) + 1
    return counts
