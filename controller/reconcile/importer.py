"""`ecsync import`: read live resources once, write them as minimal manifests, and
with `adopt` put them under this instance's management.

What is read: the cluster and its services (all of them unless some are
named), the task definition families those services run, the capacity
providers the cluster uses (or those named), the named repositories with
their policies, the named log groups and schedules, and the scalable targets
of the services read and the named ones (with their scheduled actions and
scaling policies). Resources another
ecsync instance owns are left out. The documents come from the pure
`controller.plan.export`; before a file is written they are planned against
the live state just read, and an import that would not plan as in sync
writes nothing (that would be a bug).

Without `adopt` nothing is written to AWS. With it, every imported resource
without an owner gets the ownership tag; for a task definition family that
is its latest revision, which also gets the content hash that the revisions
ecsync registers carry, so that the planner recognises it as its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from controller.aws import (
    autoscaling,
    autoscaling_writers,
    clusters,
    loggroups,
    repositories,
    schedules,
    services,
    tags,
    taskdefs,
)
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import CONTENT_HASH_TAG, OWNER_TAG, Live
from controller.diff.normalise import normalise
from controller.diff.normalise.task_definition import content_hash
from controller.manifests import yamldump
from controller.plan import export
from controller.plan.planner import PlanOptions, build_plan

log = structlog.get_logger()


@dataclass(frozen=True)
class ImportRequest:
    cluster: str | None = None
    services: tuple[str, ...] = ()
    """Services of `cluster` to import; every service of it when empty."""
    repositories: tuple[str, ...] = ()
    log_groups: tuple[str, ...] = ()
    schedules: tuple[str, ...] = ()
    """Schedules by name, looked for in the default group first, then in every group."""
    scalable_targets: tuple[str, ...] = ()
    """Scalable targets to import, as `<cluster>/<service>` (with their policies); those of
    the imported services come with them."""
    capacity_providers: tuple[str, ...] | None = None
    """None: the ones `cluster` uses (FARGATE and FARGATE_SPOT are AWS's own, never imported)."""
    instance: str = "ecsync"
    adopt: bool = False


@dataclass(frozen=True)
class ImportReport:
    exported: tuple[export.Exported, ...]
    written: tuple[Path, ...]
    adopted: tuple[ResourceId, ...] = ()
    notes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    """Resources that could not be adopted, with the AWS error; their files were written."""


class ImportRefusedError(Exception):
    """The import cannot go ahead (something named is missing, a file exists): nothing
    was written, to disk or to AWS."""


def import_live(
    aws: Aws, request: ImportRequest, out: Path, *, overwrite: bool = False
) -> ImportReport:
    """Read, export, check, write the files under `out`, and adopt when asked.

    Raises `ImportRefusedError`, or `AwsError` when a read fails; in both cases
    nothing has been written yet.
    """
    live = read(aws, request)
    try:
        exported, notes = export_all(live, request.instance)
    except export.ExportError as error:
        raise ImportRefusedError(str(error)) from error
    _check_in_sync(exported, live, request.instance)
    written = write(out, exported, overwrite=overwrite)
    if not request.adopt:
        return ImportReport(tuple(exported), written, notes=tuple(notes))
    adopted, errors = adopt(aws, exported, live, request.instance)
    return ImportReport(tuple(exported), written, adopted, tuple(notes), errors)


def read(aws: Aws, request: ImportRequest) -> dict[ResourceId, Live]:
    """Everything the request covers, keyed like the planner keys live state."""
    live: dict[ResourceId, Live] = {}
    missing: list[str] = []
    providers = list(request.capacity_providers or ())
    if request.cluster is not None:
        cluster = clusters.read_clusters(aws, [request.cluster]).get(request.cluster)
        if cluster is None:
            raise ImportRefusedError(
                f"cluster {request.cluster!r} does not exist in {aws.region} (or is INACTIVE)"
            )
        live[cluster.id] = cluster
        names = request.services or services.list_service_names(aws, request.cluster)
        found = services.read_services(aws, {request.cluster: frozenset(names)})
        missing += [
            str(ResourceId(Kind.SERVICE, name, request.cluster))
            for name in request.services
            if ResourceId(Kind.SERVICE, name, request.cluster) not in found
        ]
        live.update(found)
        families = {
            export.parse_revision(str(s.spec.get("taskDefinition", "")))[0] for s in found.values()
        }
        if families:
            for item in taskdefs.read_families(aws, aws.task_definitions, families).values():
                live[item.id] = item
        if request.capacity_providers is None:
            providers = list(cluster.spec.get("capacityProviders") or [])
    for item in clusters.read_capacity_providers(aws, providers).values():
        live[item.id] = item
    for name in request.capacity_providers or ():
        if ResourceId(Kind.CAPACITY_PROVIDER, name) not in live:
            missing.append(str(ResourceId(Kind.CAPACITY_PROVIDER, name)))
    live.update(_scaling(aws, request, live, missing))
    wanted = dict.fromkeys(request.repositories, repositories.OPTIONAL_PARTS)
    for item in repositories.read_repositories(aws, wanted).values():
        live[item.id] = item
    missing += [
        str(ResourceId(Kind.REPOSITORY, name))
        for name in request.repositories
        if ResourceId(Kind.REPOSITORY, name) not in live
    ]
    for item in loggroups.read_log_groups(aws, request.log_groups).values():
        live[item.id] = item
    wanted_schedules = dict.fromkeys(request.schedules, schedules.DEFAULT_GROUP)
    for item in schedules.read_schedules(aws, wanted_schedules).values():
        live[item.id] = item
    missing += [
        str(ResourceId(kind, name))
        for kind, names in (
            (Kind.LOG_GROUP, request.log_groups),
            (Kind.SCHEDULE, request.schedules),
        )
        for name in names
        if ResourceId(kind, name) not in live
    ]
    if missing:
        raise ImportRefusedError(f"not found in {aws.region}: {', '.join(missing)}")
    return live


def _scaling(
    aws: Aws, request: ImportRequest, live: Mapping[ResourceId, Live], missing: list[str]
) -> dict[ResourceId, Live]:
    """The scalable targets of the services read and the named ones, each with its
    scheduled actions and every scaling policy; a named one that is not registered is
    added to `missing`."""
    names = {f"{rid.cluster}/{rid.name}" for rid in live if rid.kind is Kind.SERVICE}
    names |= set(request.scalable_targets)
    if not names:
        return {}
    found = autoscaling.read(aws, dict.fromkeys(names, True), dict.fromkeys(names))
    missing += [
        str(ResourceId(Kind.SCALABLE_TARGET, name))
        for name in request.scalable_targets
        if ResourceId(Kind.SCALABLE_TARGET, name) not in found
    ]
    return found


def export_all(
    live: Mapping[ResourceId, Live], instance: str
) -> tuple[list[export.Exported], list[str]]:
    """The documents to write, and notes for the user. Resources another instance owns
    are left out; a task definition family is written when a service names it."""
    notes: list[str] = []
    families = {
        rid.name: item
        for rid, item in live.items()
        if rid.kind is Kind.TASK_DEFINITION and _importable(item, instance)
    }
    references: dict[ResourceId, str] = {}
    for rid, item in live.items():
        if rid.kind is Kind.SERVICE and _importable(item, instance):
            references[rid] = export.task_definition_reference(item, families)
            if ":" in references[rid]:
                notes.append(
                    f"{rid} runs {references[rid]}, which is not the latest active revision of "
                    "an imported family; its manifest pins that revision"
                )
    named = set(references.values())
    exported: list[export.Exported] = []
    for rid, item in sorted(live.items()):
        if not _importable(item, instance):
            notes.append(f"{rid} is owned by the ecsync instance {item.owner!r}; not imported")
        elif rid.kind is not Kind.TASK_DEFINITION or rid.name in named:
            exported.append(export.export(item, task_definition=references.get(rid)))
    return exported, notes


def write(out: Path, exported: Sequence[export.Exported], *, overwrite: bool) -> tuple[Path, ...]:
    """One file per document under `out`; refuses to replace files unless `overwrite`."""
    targets = [(out / Path(e.path), e) for e in exported]
    existing = [str(target) for target, _ in targets if target.exists()]
    if existing and not overwrite:
        raise ImportRefusedError(
            f"{len(existing)} file(s) already exist ({', '.join(existing[:3])}"
            f"{', ...' if len(existing) > 3 else ''}); import into an empty folder, "
            "or pass --overwrite to replace them"
        )
    for target, e in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yamldump.dump([e.document]), encoding="utf-8")
    return tuple(target for target, _ in targets)


def adopt(
    aws: Aws, exported: Sequence[export.Exported], live: Mapping[ResourceId, Live], instance: str
) -> tuple[tuple[ResourceId, ...], tuple[str, ...]]:
    """Tag every exported resource that has no owner as owned by `instance`.

    Only tags are added (TagResource), nothing else is changed. Returns what
    was adopted and, for each resource that could not be, the error.
    """
    adopted: list[ResourceId] = []
    errors: list[str] = []
    for e in exported:
        item = live[e.id]
        if item.owner is not None or e.id.kind is Kind.SCALING_POLICY:
            continue  # a policy has no tags: it is owned with its scalable target
        current = dict(item.spec.get("tags") or {})
        wanted = {**current, OWNER_TAG: instance}
        if e.id.kind is Kind.TASK_DEFINITION:
            wanted[CONTENT_HASH_TAG] = content_hash(normalise(Kind.TASK_DEFINITION, e.spec))
        try:
            _tag(aws, e.id, item, wanted, current)
        except AwsError as error:
            log.error("adopt_failed", **e.id.log_fields(), error=str(error))
            errors.append(f"{e.id}: {error}")
            continue
        if e.id.kind is Kind.TASK_DEFINITION:
            aws.task_definitions.discard(item.arn)  # its cached tags are stale now
        log.info(f"{e.id.kind.snake}_adopted", **e.id.log_fields(), arn=item.arn)
        adopted.append(e.id)
    return tuple(adopted), tuple(errors)


def _tag(
    aws: Aws, rid: ResourceId, item: Live, wanted: dict[str, str], current: dict[str, str]
) -> None:
    """Add the ownership tag the way the kind keeps tags (a schedule: its marker)."""
    if rid.kind is Kind.SCHEDULE:
        schedules.mark(aws, item, wanted)
    elif rid.kind is Kind.LOG_GROUP:
        loggroups.retag(aws, item.arn, str(rid), wanted, current)
    elif rid.kind is Kind.REPOSITORY:
        tags.retag_ecr(aws, item.arn, str(rid), wanted, current)
    elif rid.kind is Kind.SCALABLE_TARGET:
        autoscaling_writers.retag(aws, item.arn, str(rid), wanted, current)
    else:
        tags.retag_ecs(aws, item.arn, str(rid), wanted, current)


def _importable(item: Live, instance: str) -> bool:
    return item.owner is None or item.owner == instance


def _check_in_sync(
    exported: Sequence[export.Exported], live: Mapping[ResourceId, Live], instance: str
) -> None:
    """The documents, planned against the live state they came from, must change nothing."""
    plan = build_plan([e.desired() for e in exported], live, PlanOptions(instance=instance))
    if plan.empty:
        return
    found = [f"{a.type} {a.id}: {', '.join(c.path for c in a.changes)}" for a in plan.actions]
    found += [f"{p.id}: {p.message}" for p in plan.problems]
    raise ImportRefusedError(
        "the manifests would not plan as in sync with what they were read from, so nothing "
        f"was written (a bug in ecsync import; please report it): {'; '.join(found)}"
    )
