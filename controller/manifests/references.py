"""Checks across documents: duplicates, and references between kinds.

These run after every document is parsed, on the specs as written, so they
also see documents whose spec failed validation: a typo in a TaskDefinition
must not turn into a second, misleading "no such family" error on its Service.
Names that may exist in AWS outside the manifests only warn; AWS is checked at
plan time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import NO_ANNOTATIONS, Annotations
from controller.manifests import parity
from controller.manifests.errors import FieldPath, ManifestError
from controller.manifests.suggest import clip, did_you_mean
from controller.manifests.yamlload import Located

BUILT_IN_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
DEFAULT_CLUSTER = "default"


@dataclass(frozen=True, slots=True)
class Entry:
    """One document whose kind and name are valid, with its spec as written."""

    id: ResourceId
    spec: Mapping[str, Any]
    document: Located
    annotations: Annotations = NO_ANNOTATIONS

    @property
    def resource(self) -> str:
        return f"{self.id.kind}/{self.id.name}"

    def error(self, path: FieldPath, message: str) -> ManifestError:
        return self.document.error(self.resource, path, message)

    def text(self, key: str) -> str | None:
        value = self.spec.get(key)
        return value if isinstance(value, str) else None

    def items(self, key: str) -> list[Any]:
        value = self.spec.get(key)
        return value if isinstance(value, list) else []


def cluster_name(value: Any) -> str:
    """The cluster of a Service or Task: a name, the name in a cluster ARN, or `default`."""
    if not isinstance(value, str) or not value:
        return DEFAULT_CLUSTER
    if value.startswith("arn:") and ":cluster/" in value:
        return value.rsplit("/", 1)[1]
    return value


class _Clean(NamedTuple):
    entry: Entry
    family: str | None
    """The family of the manifests it names, if any (`_family_named`)."""
    family_entry: Entry | None
    cluster_entry: Entry | None


class Pairs:
    """Which documents the checks of the last load found nothing wrong with, given the task
    definition and the cluster they name, kept from one load to the next by a caller that
    keeps documents (the daemon's file cache). A Service or Task that is the very same
    document as then, naming the very same two documents, is not checked again: at 10,000
    services those checks were most of the time a one-file edit took to load. What a check
    finds is never kept: it is worked out again, with its suggestions, on every load."""

    def __init__(self) -> None:
        self._clean: dict[int, _Clean] = {}
        self._next: dict[int, _Clean] = {}

    def check(
        self,
        entry: Entry,
        families: Mapping[str, Entry],
        clusters: Mapping[str, Entry],
        errors: list[ManifestError],
        warnings: list[ManifestError],
    ) -> None:
        """`_task_definition` and `_placement` of a Service or Task, unless it was clean."""
        known = self._clean.get(id(entry))
        if (
            known is not None
            and known.entry is entry
            and (families.get(known.family) if known.family else None) is known.family_entry
            and clusters.get(entry.id.cluster) is known.cluster_entry
        ):
            self._next[id(entry)] = known
            return
        found: list[ManifestError] = []
        warned: list[ManifestError] = []
        _task_definition(entry, families, found)
        _placement(entry, clusters, found, warned)
        if not found and not warned:
            named = _family_named(entry)
            family = families.get(named) if named else None
            self._next[id(entry)] = _Clean(entry, named, family, clusters.get(entry.id.cluster))
        errors += found
        warnings += warned

    def settle(self) -> None:
        """Keep only the documents of this load."""
        self._clean, self._next = self._next, {}


def check(
    entries: Sequence[Entry], pairs: Pairs | None = None
) -> tuple[list[ManifestError], list[ManifestError]]:
    """Errors and warnings about how the documents fit together; `pairs` keeps what the
    checks of documents against their task definitions found, for the next load."""
    pairs = pairs or Pairs()
    errors = _duplicates(entries)
    warnings: list[ManifestError] = []
    by_kind: dict[Kind, dict[str, Entry]] = defaultdict(dict)
    for entry in entries:
        by_kind[entry.id.kind].setdefault(entry.id.name, entry)
    for entry in entries:
        if entry.id.kind is Kind.CLUSTER:
            _cluster(entry, by_kind[Kind.CAPACITY_PROVIDER], errors, warnings)
        elif entry.id.kind.cluster_scoped:
            pairs.check(
                entry, by_kind[Kind.TASK_DEFINITION], by_kind[Kind.CLUSTER], errors, warnings
            )
        elif entry.id.kind is Kind.SCHEDULE:
            _schedule(entry, by_kind[Kind.TASK_DEFINITION], by_kind[Kind.CLUSTER], errors, warnings)
    pairs.settle()
    return errors, warnings


def _duplicates(entries: Sequence[Entry]) -> list[ManifestError]:
    if len({entry.id for entry in entries}) == len(entries):
        return []
    groups: dict[ResourceId, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[entry.id].append(entry)
    errors = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for entry in group:
            others = ", ".join(
                f"{o.document.file}:{o.document.start[0]}" for o in group if o is not entry
            )
            where = f" in cluster '{entry.id.cluster}'" if entry.id.cluster else ""
            message = (
                f"{entry.resource}{where} is defined more than once (also at {others}); keep one"
            )
            errors.append(entry.error(("metadata", "name"), message))
    return errors


def _cluster(
    entry: Entry,
    providers: Mapping[str, Entry],
    errors: list[ManifestError],
    warnings: list[ManifestError],
) -> None:
    attached = entry.items("capacityProviders")
    for i, name in enumerate(attached):
        if isinstance(name, str) and name not in BUILT_IN_PROVIDERS and name not in providers:
            message = (
                f"capacity provider '{clip(name)}' is not in the manifests"
                f"{did_you_mean(name, [*providers, *BUILT_IN_PROVIDERS])}; "
                "it must already exist in AWS"
            )
            warnings.append(entry.error(("spec", "capacityProviders", i), message))
    for i, item in enumerate(entry.items("defaultCapacityProviderStrategy")):
        name = item.get("capacityProvider") if isinstance(item, dict) else None
        if isinstance(name, str) and name not in attached:
            message = (
                f"capacity provider '{clip(name)}' is in the default strategy but not attached; "
                "add it to this cluster's spec.capacityProviders"
            )
            path = ("spec", "defaultCapacityProviderStrategy", i, "capacityProvider")
            errors.append(entry.error(path, message))


def _family_named(entry: Entry) -> str | None:
    """The family of the manifests a Service or Task names (not pinned to a revision, not an
    ARN), which its checks read."""
    reference = entry.text("taskDefinition")
    if reference is None or reference.startswith("arn:"):
        return None
    family, _, revision = reference.partition(":")
    return None if revision else family


def _task_definition(
    entry: Entry, families: Mapping[str, Entry], errors: list[ManifestError]
) -> None:
    reference = entry.text("taskDefinition")
    if reference is None or reference.startswith("arn:"):
        return
    path = ("spec", "taskDefinition")
    family, _, revision = reference.partition(":")
    if revision:
        if not revision.isdigit():
            message = (
                f"revision '{clip(revision)}' is not a number; write 'family:REVISION' or an ARN"
            )
            errors.append(entry.error(path, message))
        return
    if family in families:  # what AWS refuses in this request given that task definition
        errors += parity.against(
            entry.id.kind,
            entry.id.name,
            entry.spec,
            families[family].spec,
            family=family,
            document=entry.document,
            resource=entry.resource,
        )
        return
    message = (
        f"no TaskDefinition '{clip(family)}' in the manifests"
        f"{did_you_mean(family, families)}; to use one registered outside ecsync, "
        f"pin it as '{clip(family)}:REVISION' or give its ARN"
    )
    errors.append(entry.error(path, message))


def _placement(
    entry: Entry,
    clusters: Mapping[str, Entry],
    errors: list[ManifestError],
    warnings: list[ManifestError],
) -> None:
    """The cluster a Service or Task runs in, and the capacity it asks of that cluster."""
    cluster = clusters.get(entry.id.cluster)
    if cluster is None:
        named = entry.text("cluster") is not None
        given = f"cluster '{clip(entry.id.cluster)}' is not in the manifests"
        if not named:
            given = "spec.cluster is not set, and the 'default' cluster is not in the manifests"
        message = (
            f"{given}{did_you_mean(entry.id.cluster, clusters)}; "
            "it must already exist in AWS (checked at plan time)"
        )
        warnings.append(entry.error(("spec", "cluster"), message))
    strategy = entry.items("capacityProviderStrategy")  # launchType beside it: refusals
    if cluster is None or not isinstance(cluster.spec.get("capacityProviders"), list):
        return  # providers attached outside the manifests are not known here
    attached = cluster.items("capacityProviders")
    for i, item in enumerate(strategy):
        name = item.get("capacityProvider") if isinstance(item, dict) else None
        if isinstance(name, str) and name not in attached:
            message = (
                f"capacity provider '{clip(name)}' is not attached to cluster '{cluster.id.name}'; "
                "add it to that Cluster's spec.capacityProviders"
            )
            errors.append(
                entry.error(("spec", "capacityProviderStrategy", i, "capacityProvider"), message)
            )


def _schedule(
    entry: Entry,
    families: Mapping[str, Entry],
    clusters: Mapping[str, Entry],
    errors: list[ManifestError],
    warnings: list[ManifestError],
) -> None:
    """A Schedule's ECS target: EventBridge Scheduler takes ARNs, so a name in `Target.Arn`
    must be a cluster and a name in `TaskDefinitionArn` a family of the manifests."""
    target = entry.spec.get("Target")
    if not isinstance(target, dict):
        return
    arn, ecs = target.get("Arn"), target.get("EcsParameters")
    if isinstance(arn, str) and arn and not arn.startswith("arn:"):
        path = ("spec", "Target", "Arn")
        if not isinstance(ecs, dict):
            message = (
                f"'{clip(arn)}' is not an ARN; a name here is an ECS cluster's, for a "
                "schedule that runs tasks (add Target.EcsParameters), else give the target's ARN"
            )
            errors.append(entry.error(path, message))
        elif arn not in clusters:
            message = (
                f"cluster '{clip(arn)}' is not in the manifests{did_you_mean(arn, clusters)}; "
                "it must already exist in AWS (checked at plan time)"
            )
            warnings.append(entry.error(path, message))
    reference = ecs.get("TaskDefinitionArn") if isinstance(ecs, dict) else None
    if not isinstance(reference, str) or reference.startswith("arn:") or reference in families:
        return
    suggestion = did_you_mean(reference, families)
    message = (
        f"no TaskDefinition '{clip(reference)}' in the manifests{suggestion}; "
        "name a family of the manifests, or give the task definition's ARN (EventBridge "
        "Scheduler takes ARNs)"
    )
    errors.append(entry.error(("spec", "Target", "EcsParameters", "TaskDefinitionArn"), message))
