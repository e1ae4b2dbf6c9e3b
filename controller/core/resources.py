"""Desired and live resources as plain data: what the pure core works on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from controller.core.kinds import ResourceId

OWNER_TAG = "ecsync:managed-by"
"""Every resource ecsync creates carries this tag, valued with the instance name."""

PRUNE_TAG = "ecsync:prune"
"""Set to "false" from the `ecsync/prune: "false"` annotation: the live resource
remembers it even after its manifest is gone, so prune never deletes it."""

TASK_RECORD_PREFIX = "ecsync:task/"
"""Cluster tags `ecsync:task/<name>` record the last run of each one-off Task."""

CONTENT_HASH_TAG = "ecsync:content-hash"
"""Task definition revisions ecsync registers carry the hash of their normalised content."""

NEWEST_TAGS = "newest_tags"
"""`Live.status` key of a task definition family read from AWS: its newest revision's tags as
(key, value) pairs, the same as its spec's tags, readable without making the spec."""


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a manifest document came from, for error messages."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NOWHERE = SourceLocation("")
"""The location of a resource that no manifest describes."""


@dataclass(frozen=True, slots=True)
class Annotations:
    """ecsync's own behaviour switches, parsed from `metadata.annotations`."""

    ignore: tuple[str, ...] = ()
    """JSON pointers whose drift is neither reported nor corrected."""
    prune: bool = True
    """False protects the resource from deletion."""
    wave: int = 0
    """Ordering before the kind rank."""
    hook: str | None = None
    """A Task's hook phase: `pre-sync` (must succeed before its services update),
    `post-sync` or `sync-fail` (run at the end of a sync; see `controller.core.hooks`)."""
    hook_for: tuple[str, ...] = ()
    """The services a hook is for, as `service` or `cluster/service`; empty: those of
    its task definition family (see `controller.core.hooks`)."""
    adopt: bool = False
    """True lets ecsync take over an existing resource it did not create."""
    image_update: str = ""
    """`digest` on a TaskDefinition: each private-ECR image named by a tag is registered
    as the digest the tag names at each pass (`controller.reconcile.image_updates`)."""
    scaled_by: str = ""
    """Not an annotation: set by the loader on a Service that a ScalableTarget of the
    manifests scales (`ScalableTarget/<cluster>/<service>`); its desiredCount is then left
    to Application Auto Scaling once the service exists."""


NO_ANNOTATIONS = Annotations()
"""A resource without any of ecsync's annotations: one instance for every such resource."""


@dataclass(frozen=True, slots=True)
class Desired:
    """One resource as the manifests describe it.

    `spec` is the manifest's spec exactly as written (only the fields the user
    set), with tags as a mapping. It is not normalised yet.
    """

    id: ResourceId
    spec: dict[str, Any]
    annotations: Annotations = NO_ANNOTATIONS
    source: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Live:
    """One resource as AWS reports it, in manifest shape.

    `spec` uses the same field names as the kind's create request (what a
    manifest's spec holds), with tags as a mapping, un-normalised. `status`
    carries read-only runtime state (ECS service deployments, counts, the task
    definition revision) that health and rollout logic read but diff ignores.
    """

    id: ResourceId
    arn: str
    spec: dict[str, Any]
    owner: str | None = None
    """The value of the OWNER_TAG; for a task definition family, the owner of any
    of its active revisions."""
    status: dict[str, Any] = field(default_factory=dict)


_SPEC_SLOT: Any = Live.__dict__["spec"]
"""Where a `Live` keeps its spec (the slot's own descriptor, which `DeferredLive` shadows)."""


class DeferredLive(Live):
    """A `Live` whose spec is made on first read, by `make`, and then kept.

    A task definition family's newest revision is cached serialised
    (`aws.taskdef_cache.Revision`); most passes find the family as it was and
    never read its spec, so a pass no longer loads one per family (at 10,000
    families, 18 µs and a few KB each). Everything else is a `Live`: the same
    fields, equal to a `Live` with the same values, `dataclasses.replace` and
    `fields` as usual.
    """

    __slots__ = ("_make",)
    _make: Callable[[], dict[str, Any]] | None

    def __init__(
        self,
        id: ResourceId,
        arn: str,
        spec: dict[str, Any] | None = None,
        owner: str | None = None,
        status: dict[str, Any] | None = None,
        *,
        make: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        if (spec is None) == (make is None):
            raise TypeError("DeferredLive takes either a spec or a way to make one")
        for name, value in (("id", id), ("arn", arn), ("owner", owner), ("_make", make)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "status", {} if status is None else status)
        if spec is not None:
            _SPEC_SLOT.__set__(self, spec)

    @property
    def spec(self) -> dict[str, Any]:
        try:
            made: dict[str, Any] = _SPEC_SLOT.__get__(self, Live)
        except AttributeError:
            assert self._make is not None
            made = self._make()
            _SPEC_SLOT.__set__(self, made)
        return made

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Live):
            return NotImplemented
        return (self.id, self.arn, self.spec, self.owner, self.status) == (
            other.id,
            other.arn,
            other.spec,
            other.owner,
            other.status,
        )

    __hash__ = None  # type: ignore[assignment]  # as a Live's: its spec is a dict
