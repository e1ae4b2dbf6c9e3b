"""Manifests in, a desired set out: the daemon's load of each new snapshot, and its log.

A snapshot that fails to load is rejected as a whole: every error is logged
(`manifest_invalid`, with file, line and column), then `revision_rejected`;
the last good desired set stays in force, marked so that nothing is pruned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from controller.core.kinds import ResourceId
from controller.daemon.sources.base import Snapshot
from controller.manifests.errors import ManifestError
from controller.manifests.loader import FileCache, load
from controller.reconcile.desired import DesiredSet

log = structlog.get_logger()


@dataclass(frozen=True)
class Intake:
    desired: DesiredSet
    """The set in force after this snapshot: the new one, or the last good one."""
    changed: set[ResourceId] = field(default_factory=set)
    """Added or changed resources, with what depends on them."""
    removed: set[ResourceId] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return self.desired.load_ok


def read(snapshot: Snapshot, current: DesiredSet | None, cache: FileCache) -> Intake:
    """Load `snapshot`; compare it with `current` (None before the first good load).

    `cache` holds what each file yielded last time, so that only changed files
    are parsed again.
    """
    loaded = load(snapshot.root, cache=cache)
    for warning in loaded.warnings:
        log.warning("manifest_warning", revision=snapshot.revision, **_where(warning))
    if not loaded.ok:
        for error in loaded.errors:
            log.error("manifest_invalid", revision=snapshot.revision, **_where(error))
        kept = current.revision if current is not None else None
        log.error(
            "revision_rejected",
            revision=snapshot.revision,
            errors=len(loaded.errors),
            kept_revision=kept,
            message="the last good manifests stay applied; nothing is pruned",
        )
        last_good = current if current is not None else DesiredSet({})
        return Intake(last_good.with_load_failed())
    new = DesiredSet.of(loaded.resources, snapshot.revision, previous=current)
    changed, removed = new.changes_since(current)
    log.info(
        "revision_loaded",
        revision=snapshot.revision,
        resources=len(new),
        changed=len(changed),
        removed=len(removed),
    )
    return Intake(new, changed, removed)


def _where(problem: ManifestError) -> dict[str, object]:
    return {
        "file": problem.location.file,
        "line": problem.location.line,
        "column": problem.location.column,
        "resource": problem.resource,
        "path": problem.path,
        "message": problem.message,
    }
