"""Read exactly the live state a set of desired resources needs, no more.

Without prune, only the resources the manifests name (and the clusters they
point at) are described, in batches. With prune, everything this instance
owns is listed too, so that what left the manifests can be found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from controller.aws import (
    autoscaling,
    clusters,
    kms,
    loggroups,
    namespaces,
    repositories,
    schedules,
    services,
    taskdefs,
)
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import TASK_RECORD_PREFIX, Desired, Live
from controller.diff import pointer
from controller.diff.normalise import NAMESPACE_REFERENCES
from controller.diff.normalise import repository as repository_norm
from controller.diff.normalise.common import is_arn
from controller.plan import schedules as schedule_refs
from controller.plan.planner import KMS_KEY_ALIAS, NAMESPACE_NAMES
from controller.plan.references import cluster_name

_REPOSITORY_PARTS = frozenset({"lifecyclePolicy", "repositoryPolicy"})


def read_live(
    aws: Aws,
    desired: Sequence[Desired],
    *,
    owned_by: str | None = None,
    revision_reads: taskdefs.RevisionReads = taskdefs.DEFAULT_READS,
) -> dict[ResourceId, Live]:
    """Live state keyed like the desired resources; `owned_by` also lists owned ones.
    `revision_reads` says which task definition revisions to describe
    (`taskdefs.RevisionReads.keeping(keep_revisions, in_use)`)."""
    repos: dict[str, frozenset[str]] = {}
    cluster_names: set[str] = set()
    providers: set[str] = set()
    families: set[str] = set()
    wanted_services: dict[str, set[str]] = {}
    log_groups = {d.id.name for d in desired if d.id.kind is Kind.LOG_GROUP}
    wanted_schedules = _schedules(desired, cluster_names)
    for d in desired:
        kind = d.id.kind
        if kind is Kind.REPOSITORY:
            repos[d.id.name] = frozenset(d.spec) & _REPOSITORY_PARTS
        elif kind is Kind.CLUSTER:
            cluster_names.add(d.id.name)
        elif kind is Kind.CAPACITY_PROVIDER:
            providers.add(d.id.name)
        elif kind is Kind.TASK_DEFINITION:
            families.add(d.id.name)
        elif kind in (Kind.SERVICE, Kind.TASK):
            cluster_names.add(cluster_name(d.spec.get("cluster")))
            if kind is Kind.SERVICE:
                wanted_services.setdefault(d.id.cluster, set()).add(d.id.name)

    # The kinds are read side by side: each has its own API calls (and, on AWS,
    # its own throttling bucket), and none needs another's answer.
    with ThreadPoolExecutor(max_workers=5, thread_name_prefix="ecsync-observe") as pool:
        repos_read = pool.submit(repositories.read_repositories, aws, repos)
        clusters_read = pool.submit(clusters.read_clusters, aws, sorted(cluster_names))
        providers_read = pool.submit(clusters.read_capacity_providers, aws, sorted(providers))
        families_read = pool.submit(
            taskdefs.read_families,
            aws,
            aws.task_definitions,
            sorted(families),
            discover_owned=owned_by,
            reads=revision_reads,
        )
        services_read = pool.submit(
            services.read_services, aws, {c: frozenset(n) for c, n in wanted_services.items()}
        )
        log_groups_read = pool.submit(loggroups.read_log_groups, aws, sorted(log_groups))
        schedules_read = pool.submit(schedules.read_schedules, aws, wanted_schedules)
        names_read = pool.submit(_namespace_names, aws, desired)
        aliases_read = pool.submit(_kms_alias_targets, aws, desired)
        scaling_read = pool.submit(autoscaling.read_desired, aws, desired)
    # Each reader keys its answer by name; every item carries its own id (kind and name).
    live: dict[ResourceId, Live] = {}
    for read in (repos_read, clusters_read, providers_read, families_read):
        live.update((item.id, item) for item in read.result().values())
    live.update(services_read.result())
    live.update(scaling_read.result())
    live.update({item.id: item for item in log_groups_read.result().values()})
    live.update({item.id: item for item in schedules_read.result().values()})
    live.update(_task_records(desired, live))
    if owned_by is not None:
        _add_owned(aws, live, owned_by)
    live = with_namespace_names(live, names_read.result())
    return with_kms_aliases(live, desired, aliases_read.result())


def _schedules(desired: Sequence[Desired], cluster_names: set[str]) -> dict[str, str]:
    """name -> group of each desired Schedule; the clusters they run tasks in join
    `cluster_names` (their ARNs are what a schedule is sent)."""
    wanted: dict[str, str] = {}
    for d in desired:
        if d.id.kind is Kind.SCHEDULE:
            wanted[d.id.name] = schedules.group_of(d.spec)
            cluster = schedule_refs.cluster_name(d.spec)
            if cluster is not None:
                cluster_names.add(cluster)
    return wanted


def _namespace_names(aws: Aws, desired: Sequence[Desired]) -> dict[str, str]:
    """ARN -> name of every namespace, read only when a manifest names one by name."""
    return namespaces.read_names(aws) if names_namespace(desired) else {}


def names_namespace(desired: Sequence[Desired]) -> bool:
    """Whether any desired resource names a Cloud Map namespace by name (not ARN): only
    then is ListNamespaces worth a call."""
    return any(
        isinstance(value, str) and not is_arn(value)
        for d in desired
        for path in NAMESPACE_REFERENCES.get(d.id.kind, ())
        for value in [pointer.get(d.spec, path)]
    )


def with_namespace_names(
    live: Mapping[ResourceId, Live], names: Mapping[str, str]
) -> dict[ResourceId, Live]:
    """`live`, each resource that references a known namespace ARN carrying that ARN's
    name in `status[NAMESPACE_NAMES]` (`names`: ARN -> name, from one ListNamespaces)."""
    if not names:
        return dict(live)
    found: dict[ResourceId, Live] = {}
    for rid, item in live.items():
        arns = [pointer.get(item.spec, p) for p in NAMESPACE_REFERENCES.get(rid.kind, ())]
        known = {a: names[a] for a in arns if isinstance(a, str) and a in names}
        status = {**item.status, NAMESPACE_NAMES: known}
        found[rid] = dataclasses.replace(item, status=status) if known else item
    return found


def _kms_alias_targets(aws: Aws, desired: Sequence[Desired]) -> dict[str, str]:
    """Alias name -> target key id, read only when a Repository names its KMS key by alias."""
    return kms.read_alias_targets(aws) if names_kms_alias(desired) else {}


def names_kms_alias(desired: Sequence[Desired]) -> bool:
    """Whether any desired Repository names its KMS key by alias: only then is ListAliases
    worth a call."""
    return any(
        d.id.kind is Kind.REPOSITORY and repository_norm.names_kms_alias(d.spec) for d in desired
    )


def with_kms_aliases(
    live: Mapping[ResourceId, Live], desired: Sequence[Desired], targets: Mapping[str, str]
) -> dict[ResourceId, Live]:
    """`live`, each Repository whose manifest names by alias the key ECR reports carrying
    that alias in `status[KMS_KEY_ALIAS]` (`targets`: alias -> key id, one ListAliases)."""
    found = dict(live)
    if not targets:
        return found  # no alias targets anything
    for d in desired:
        item = live.get(d.id) if d.id.kind is Kind.REPOSITORY else None
        alias = item and repository_norm.alias_of_live_key(d.spec, item.spec, targets)
        if item is not None and alias:
            found[d.id] = dataclasses.replace(item, status={**item.status, KMS_KEY_ALIAS: alias})
    return found


def _task_records(
    desired: Sequence[Desired], live: dict[ResourceId, Live]
) -> dict[ResourceId, Live]:
    """One-off tasks have no AWS resource of their own: their last run is
    recorded in a tag of their cluster, which was read above."""
    found: dict[ResourceId, Live] = {}
    for d in desired:
        if d.id.kind is not Kind.TASK:
            continue
        cluster = live.get(ResourceId(Kind.CLUSTER, d.id.cluster))
        record = (
            (cluster.spec.get("tags") or {}).get(f"{TASK_RECORD_PREFIX}{d.id.name}")
            if cluster
            else None
        )
        if cluster is not None and record is not None:
            found[d.id] = Live(d.id, cluster.arn, {}, owner=None, status={"record": record})
    return found


def _add_owned(aws: Aws, live: dict[ResourceId, Live], instance: str) -> None:
    """Everything this instance owns that is not already known, for prune."""
    for name, item in repositories.list_owned_repositories(aws, instance).items():
        live.setdefault(ResourceId(Kind.REPOSITORY, name), item)
    for name, item in clusters.list_owned_clusters(aws, instance).items():
        live.setdefault(ResourceId(Kind.CLUSTER, name), item)
    for name, item in clusters.list_owned_capacity_providers(aws, instance).items():
        live.setdefault(ResourceId(Kind.CAPACITY_PROVIDER, name), item)
    for name, item in loggroups.list_owned_log_groups(aws, instance).items():
        live.setdefault(ResourceId(Kind.LOG_GROUP, name), item)
    for name, item in schedules.list_owned_schedules(aws, instance).items():
        live.setdefault(ResourceId(Kind.SCHEDULE, name), item)
    for rid, item in autoscaling.list_owned(aws, instance).items():
        live.setdefault(rid, item)
    for rid, item in services.list_owned_services(
        aws, instance, clusters.list_cluster_names(aws)
    ).items():
        live.setdefault(rid, item)
