"""Task definition families: one listing for all, cached revisions, register/deregister.

A family's live state is its latest ACTIVE revision (the spec) plus the list
of all its ACTIVE revisions with their owner and content hash, which is what
keep-N cleanup and prune need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from controller.aws import calls, shapes, tags
from controller.aws.taskdef_cache import Revision, TaskDefinitionCache
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import CONTENT_HASH_TAG, OWNER_TAG, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws


def read_families(
    aws: Aws,
    cache: TaskDefinitionCache,
    families: Iterable[str],
    *,
    discover_owned: str | None = None,
) -> dict[str, Live]:
    """Live state of each of `families` that has an ACTIVE revision.

    All ACTIVE revisions of the account are listed with one paginated
    ListTaskDefinitions (not one per family); revisions are described through
    `cache` (normally `aws.task_definitions`), so a warm cache describes
    nothing. With `discover_owned`, every family with an active revision owned
    by that instance is returned too.
    """
    arns = calls.paginate(
        aws,
        "ecs",
        "list_task_definitions",
        "taskDefinitionArns",
        status="ACTIVE",
        sort="ASC",
        maxResults=100,
    )
    cache.retain(arns)
    by_family = _group_by_family(arns)
    wanted = set(families)
    candidates = by_family.keys() if discover_owned else wanted & by_family.keys()
    found: dict[str, Live] = {}
    for family in sorted(candidates):
        revisions = [_described(aws, cache, arn) for arn in by_family[family]]
        owned = discover_owned is not None and any(
            r.tags.get(OWNER_TAG) == discover_owned for r in revisions
        )
        if family in wanted or owned:
            found[family] = parse_family(family, revisions)
    return found


def parse_arn(arn: str) -> tuple[str, int]:
    """`arn:aws:ecs:…:task-definition/web:3` -> ("web", 3)."""
    family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    return family, int(revision)


def _group_by_family(arns: Iterable[str]) -> dict[str, list[str]]:
    """ARNs per family, oldest revision first (AWS's ASC order is not relied upon)."""
    numbered: dict[str, list[tuple[int, str]]] = {}
    for arn in arns:
        family, revision = parse_arn(arn)
        numbered.setdefault(family, []).append((revision, arn))
    return {family: [arn for _, arn in sorted(revs)] for family, revs in numbered.items()}


def _described(aws: Aws, cache: TaskDefinitionCache, arn: str) -> Revision:
    cached = cache.get(arn)
    if cached is not None:
        return cached
    family, number = parse_arn(arn)
    got = calls.call(
        aws,
        "ecs",
        "describe_task_definition",
        f"TaskDefinition/{family}:{number}",
        taskDefinition=arn,
        include=["TAGS"],
    )
    revision = revision_of(got["taskDefinition"], got.get("tags"))
    cache.put(revision)
    return revision


def revision_of(definition: dict[str, Any], ecs_tags: Any) -> Revision:
    """A DescribeTaskDefinition answer (`taskDefinition` and its `tags`) as a cached revision."""
    return Revision(
        arn=definition["taskDefinitionArn"],
        family=definition["family"],
        number=int(definition["revision"]),
        definition=definition,
        tags=tags.from_ecs(ecs_tags),
    )


def parse_family(family: str, revisions: Sequence[Revision]) -> Live:
    """A family's live state from its ACTIVE revisions, oldest first: the newest one's
    content plus every revision's owner and content hash. Pure: the fidelity corpus
    runs it on recorded AWS answers."""
    latest = revisions[-1]
    spec = shapes.project("ecs", "RegisterTaskDefinition", latest.definition, exclude=("family",))
    spec["tags"] = dict(latest.tags)
    owners = [r.tags[OWNER_TAG] for r in reversed(revisions) if OWNER_TAG in r.tags]
    return Live(
        id=ResourceId(Kind.TASK_DEFINITION, family),
        arn=latest.arn,
        spec=spec,
        owner=owners[0] if owners else None,
        status={
            "revision": latest.number,
            "revisions": [
                {
                    "arn": r.arn,
                    "revision": r.number,
                    "owner": r.tags.get(OWNER_TAG),
                    "content_hash": r.tags.get(CONTENT_HASH_TAG),
                }
                for r in revisions
            ],
        },
    )


def deregister_revision(aws: Aws, arn: str) -> None:
    """Deregister one revision (keep-N cleanup) and forget it."""
    family, number = parse_arn(arn)
    calls.call(
        aws,
        "ecs",
        "deregister_task_definition",
        f"TaskDefinition/{family}:{number}",
        taskDefinition=arn,
    )
    aws.task_definitions.discard(arn)


class TaskDefinitionWriter:
    """RegisterTaskDefinition for create and update; DeregisterTaskDefinition for delete.

    A registered revision is put into `aws.task_definitions` straight away.
    """

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        return self._register(aws, id, spec)

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        """A revision is immutable: any change registers a whole new one."""
        return self._register(aws, id, spec)

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """Deregister every active revision owned by the family's owner (and no other)."""
        if live.owner is None:
            return
        for revision in live.status.get("revisions", []):
            if revision["owner"] == live.owner:
                deregister_revision(aws, revision["arn"])

    def _register(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        wanted = spec.get("tags") or {}
        registered = calls.create(
            aws,
            "ecs",
            "register_task_definition",
            str(id),
            lambda: _registered(aws, id.name, wanted),
            family=id.name,
            **tags.ecs_request(spec),
        )
        revision = revision_of(
            registered["taskDefinition"],
            registered.get("tags", tags.to_ecs(spec.get("tags", {}))),
        )
        aws.task_definitions.put(revision)
        return revision.arn


_RECENT = 10
"""How many of a family's newest revisions `_registered` looks at."""


def _registered(aws: Aws, family: str, wanted: dict[str, str]) -> dict[str, Any] | None:
    """RegisterTaskDefinition's answer for the revision an unanswered attempt registered.

    That revision is among the family's newest and carries both the content
    hash and the owner tag of the registration being sent; without them
    (a registration ecsync does not own), nothing is recognised.
    """
    digest, owner = wanted.get(CONTENT_HASH_TAG), wanted.get(OWNER_TAG)
    if digest is None or owner is None:
        return None
    arns = calls.paginate(
        aws,
        "ecs",
        "list_task_definitions",
        "taskDefinitionArns",
        f"TaskDefinition/{family}",
        familyPrefix=family,
        status="ACTIVE",
        maxResults=100,
    )
    numbered = sorted(
        ((number, arn) for arn in arns for name, number in [parse_arn(arn)] if name == family),
        reverse=True,
    )
    for _, arn in numbered[:_RECENT]:
        revision = _described(aws, aws.task_definitions, arn)
        if revision.tags.get(CONTENT_HASH_TAG) == digest and revision.tags.get(OWNER_TAG) == owner:
            return {"taskDefinition": revision.definition, "tags": tags.to_ecs(revision.tags)}
    return None
