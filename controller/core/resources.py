"""Desired and live resources as plain data: what the pure core works on."""

from __future__ import annotations

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
