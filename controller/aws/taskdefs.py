"""Task definition families: listing, reading the revisions a plan needs, register/deregister.

A family's live state is its latest ACTIVE revision (the spec) plus the
described ACTIVE revisions with their owner and content hash, which is what
the content-hash lookup, keep-N cleanup and prune need. Revisions never
change once registered, so each is described once (`taskdef_cache`), and the
describes of one read run side by side, paced by the task-definition-read
bucket (`ratelimit`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, shapes, tags
from controller.aws.taskdef_cache import Revision, TaskDefinitionCache
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import (
    CONTENT_HASH_TAG,
    NEWEST_TAGS,
    OWNER_TAG,
    DeferredLive,
    Live,
)

if TYPE_CHECKING:
    from controller.aws.clients import Aws

_LIST_PAGE = 100
"""ListTaskDefinitions' largest page (maxResults, ECS API Reference)."""


@dataclass(frozen=True)
class RevisionReads:
    """Which ACTIVE revisions of a wanted family a read describes; the newest always.

    - The newest `window` revisions: a desired content that one of them already
      holds (same content-hash tag) is reused, not registered again.
    - With `cleanup`, every older revision too: keep-N cleanup deregisters the
      older ones this instance owns, and only a revision's tags say who owns it.
      Except those known to be in use (`in_use`: references as services report
      them, ARNs, `family:N` or a bare family), which are never deregistered.

    Families read only because an instance owns them (`discover_owned`, for
    prune) are described whole: prune deregisters every owned revision.
    """

    window: int = 5
    cleanup: bool = True
    in_use: Collection[str] = ()

    @classmethod
    def keeping(cls, keep: int | None, in_use: Collection[str] = ()) -> RevisionReads:
        """The reads a plan with `--keep-revisions keep` needs (None: `all`, no cleanup,
        so nothing beyond the newest `keep`-or-5 revisions)."""
        return cls(window=keep or cls.window, cleanup=keep is not None, in_use=in_use)

    def needed(self, arns: Sequence[str]) -> list[str]:
        """Of one family's ACTIVE revisions (oldest first), those to describe."""
        window = max(self.window, 1)
        newest, older = arns[-window:], arns[:-window]
        if not self.cleanup or not older:
            return list(newest)
        used = self._used
        return [
            arn
            for arn in older
            if (ref := arn.rsplit("/", 1)[-1]) not in used and ref.rpartition(":")[0] not in used
        ] + list(newest)

    @functools.cached_property
    def _used(self) -> frozenset[str]:
        """`in_use` as `family:N` (or `family`), once per read rather than once per family."""
        return frozenset(value.rsplit("/", 1)[-1] for value in self.in_use)


DEFAULT_READS = RevisionReads()
"""Every ACTIVE revision of a wanted family: what keep-N cleanup needs when nothing is known
to be in use."""


def read_families(
    aws: Aws,
    cache: TaskDefinitionCache,
    families: Iterable[str],
    *,
    discover_owned: str | None = None,
    reads: RevisionReads = DEFAULT_READS,
) -> dict[str, Live]:
    """Live state of each of `families` that has an ACTIVE revision.

    ACTIVE revisions are listed with one paginated account-wide
    ListTaskDefinitions, or one per family (`familyPrefix`) when that takes
    fewer calls: a single family, or fewer families than the last account-wide
    listing had pages. `reads` says which revisions are described; they are
    described through `cache` (normally `aws.task_definitions`), side by side,
    so a warm cache describes nothing. With `discover_owned`, every family
    with an active revision owned by that instance is returned too.
    """
    wanted = set(families)
    if discover_owned is None and _per_family(cache, len(wanted)):
        by_family = _list_families(aws, cache, sorted(wanted))
    else:
        arns = calls.paginate(
            aws,
            "ecs",
            "list_task_definitions",
            "taskDefinitionArns",
            status="ACTIVE",
            maxResults=_LIST_PAGE,
        )
        by_family = cache.account_listing(arns, _group_by_family)
    candidates = sorted(by_family.keys() if discover_owned else wanted & by_family.keys())
    needed = {
        f: by_family[f] if f not in wanted else reads.needed(by_family[f]) for f in candidates
    }
    described = _describe(aws, cache, [arn for f in candidates for arn in needed[f]])
    found: dict[str, Live] = {}
    for family in candidates:
        revisions = [described[arn] for arn in needed[family]]
        owned = discover_owned is not None and any(
            r.tags.get(OWNER_TAG) == discover_owned for r in revisions
        )
        if family in wanted or owned:
            found[family] = parse_family(family, revisions)
    return found


def _per_family(cache: TaskDefinitionCache, families: int) -> bool:
    """Whether one listing per family costs fewer calls than one listing of the account
    (a family's own revisions normally fit one page)."""
    if families <= 1:
        return True
    known = cache.account_revisions
    return known is not None and families < math.ceil(known / _LIST_PAGE)


def _list_families(
    aws: Aws, cache: TaskDefinitionCache, families: list[str]
) -> dict[str, list[str]]:
    """The ACTIVE revisions of each family (oldest first), one listing per family, side by
    side; families without any are absent."""
    listed = batching.each(lambda family: list_family(aws, family), families)
    for family, arns in zip(families, listed, strict=True):
        cache.retain_family(family, arns)
    return {family: arns for family, arns in zip(families, listed, strict=True) if arns}


def list_family(aws: Aws, family: str) -> list[str]:
    """ARNs of `family`'s ACTIVE revisions, oldest first.

    ListTaskDefinitions takes `familyPrefix` as "the full family name" (ECS API
    Reference); names that merely start with it are left out all the same. All
    pages are read and ordered here, so nothing relies on the listing's order:
    `sort=DESC` would let a read that needs only the newest revisions stop
    after one page, but only for a family of more than 100 revisions.
    """
    arns = calls.paginate(
        aws,
        "ecs",
        "list_task_definitions",
        "taskDefinitionArns",
        f"TaskDefinition/{family}",
        familyPrefix=family,
        status="ACTIVE",
        maxResults=_LIST_PAGE,
    )
    return _group_by_family(arns).get(family, [])


def parse_arn(arn: str) -> tuple[str, int]:
    """`arn:aws:ecs:…:task-definition/web:3` -> ("web", 3)."""
    family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    return family, int(revision)


def _group_by_family(arns: Iterable[str]) -> dict[str, list[str]]:
    """ARNs per family, oldest revision first (AWS's listing order is not relied upon)."""
    numbered: dict[str, list[tuple[int, str]]] = {}
    for arn in arns:
        family, revision = parse_arn(arn)
        numbered.setdefault(family, []).append((revision, arn))
    return {family: [arn for _, arn in sorted(revs)] for family, revs in numbered.items()}


def _describe(aws: Aws, cache: TaskDefinitionCache, arns: Sequence[str]) -> dict[str, Revision]:
    """Each of `arns` as a revision: from `cache`, or described side by side and cached."""
    found = cache.get_many(arns)
    missing = [arn for arn in dict.fromkeys(arns) if arn not in found]
    read = batching.each(lambda arn: _described(aws, cache, arn), missing)
    found.update(zip(missing, read, strict=True))
    return found


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
    return Revision.of(
        arn=definition["taskDefinitionArn"],
        family=definition["family"],
        number=int(definition["revision"]),
        spec=shapes.project("ecs", "RegisterTaskDefinition", definition, exclude=("family",)),
        tags=tags.from_ecs(ecs_tags),
    )


def parse_family(family: str, revisions: Sequence[Revision]) -> Live:
    """A family's live state from its ACTIVE revisions, oldest first: the newest one's
    content plus every revision's owner and content hash. The content is made from the
    cached revision when first read (`DeferredLive`). Pure: the fidelity corpus runs it on
    recorded AWS answers."""
    latest = revisions[-1]

    def newest_spec() -> dict[str, Any]:
        spec = latest.spec  # a copy of its own
        spec["tags"] = dict(latest.tags)
        return spec

    owner = next((r.tags[OWNER_TAG] for r in reversed(revisions) if OWNER_TAG in r.tags), None)
    return DeferredLive(
        id=ResourceId(Kind.TASK_DEFINITION, family),
        arn=latest.arn,
        owner=owner,
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
            NEWEST_TAGS: tuple(latest.tags.items()),
        },
        make=newest_spec,
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
    # Newest first, one at a time: the revision sought is nearly always the newest.
    for arn in reversed(list_family(aws, family)[-_RECENT:]):
        revision = _described(aws, aws.task_definitions, arn)
        if revision.tags.get(CONTENT_HASH_TAG) == digest and revision.tags.get(OWNER_TAG) == owner:
            return {"taskDefinition": _definition(revision), "tags": tags.to_ecs(revision.tags)}
    return None


def _definition(revision: Revision) -> dict[str, Any]:
    """A cached revision as RegisterTaskDefinition's `taskDefinition` answers it, with the
    members the cache keeps (those a register sends, and its identity)."""
    return {
        **revision.spec,
        "family": revision.family,
        "revision": revision.number,
        "taskDefinitionArn": revision.arn,
    }
