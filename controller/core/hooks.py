"""Which services a pre-sync hook holds.

A hook (`kind: Task` with `ecsync/hook: pre-sync`) must succeed before the
services it is for are updated, and a hook that fails or cannot run blocks
those services and nothing else. It is for the services named in its
`ecsync/hook-for` annotation (`web` in any cluster, or `prod/web`); without
that annotation, for the services whose task definition is of its own family
(a migration that runs the app's image with another command).
"""

from __future__ import annotations

from collections.abc import Sequence

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired

PRE_SYNC = "pre-sync"


def is_pre_sync_hook(d: Desired) -> bool:
    return d.id.kind is Kind.TASK and d.annotations.hook == PRE_SYNC


def held_by(hook: Desired, services: Sequence[Desired]) -> set[ResourceId]:
    """The services among `services` that wait for `hook` (see `holds`)."""
    return {s.id for s in services if holds(hook, s)}


def holds(hook: Desired, service: Desired) -> bool:
    """Whether `service` waits for the pre-sync `hook` (see the module's docstring)."""
    if service.id.kind is not Kind.SERVICE:
        return False
    names = hook.annotations.hook_for
    if names:
        return service.id.name in names or f"{service.id.cluster}/{service.id.name}" in names
    family = family_of(hook.spec.get("taskDefinition"))
    return bool(family) and family_of(service.spec.get("taskDefinition")) == family


def family_of(task_definition: object) -> str:
    """The family of a `family`, `family:revision` or task definition ARN."""
    if not isinstance(task_definition, str):
        return ""
    return task_definition.rsplit("/", 1)[-1].split(":")[0]
