"""Hooks: one-off tasks that run around the sync of the services they are for.

A hook is a `kind: Task` with `ecsync/hook`, whose values take Argo CD's
meanings (https://argo-cd.readthedocs.io/en/release-3.2/user-guide/sync-waves/:
"PostSync executes after all Sync hooks completed and were successful, a
successful application, and all resources in a Healthy state. SyncFail
executes when the sync operation fails"):

- `pre-sync` must succeed before the services it is for are updated; a hook
  that fails or cannot run blocks those services and nothing else;
- `post-sync` runs once those services, written in a sync, are all Healthy;
- `sync-fail` runs when a sync of those services fails.

Every hook is for the services named in its `ecsync/hook-for` annotation
(`web` in any cluster, or `prod/web`); without that annotation, for the
services whose task definition is of its own family (a migration or a smoke
test that runs the app's image with another command). Only a pre-sync hook
holds (blocks) them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired

PRE_SYNC = "pre-sync"
POST_SYNC = "post-sync"
SYNC_FAIL = "sync-fail"
PHASES = (PRE_SYNC, POST_SYNC, SYNC_FAIL)
"""The values `ecsync/hook` takes."""
TRIGGERED = frozenset({POST_SYNC, SYNC_FAIL})
"""Hooks that the outcome of a sync starts, not the plan (`controller.reconcile.hooks`)."""


def is_pre_sync_hook(d: Desired) -> bool:
    return d.id.kind is Kind.TASK and d.annotations.hook == PRE_SYNC


def is_triggered_hook(d: Desired) -> bool:
    """A post-sync or sync-fail hook: it runs when a sync of its services ends, and never
    as a plain one-off task."""
    return d.id.kind is Kind.TASK and d.annotations.hook in TRIGGERED


def held_by(hook: Desired, services: Sequence[Desired]) -> set[ResourceId]:
    """The services among `services` that `hook` is for (see `holds`)."""
    return {s.id for s in services if holds(hook, s)}


def services_of_hooks(
    resources: Iterable[Desired], is_hook: Callable[[Desired], bool]
) -> dict[ResourceId, list[ResourceId]]:
    """Hook id -> the services it is for (see `holds`), for the hooks among `resources` that
    `is_hook` picks, in their order: one scan, then lookups by service name for
    `ecsync/hook-for`, else by task definition family (not a scan of every service per
    hook). A service named twice by one hook is listed twice."""
    by_name: dict[str, list[Desired]] = {}
    by_family: dict[str, list[Desired]] = {}
    found: list[Desired] = []
    for d in resources:
        if d.id.kind is Kind.SERVICE:
            by_name.setdefault(d.id.name, []).append(d)
            by_family.setdefault(family_of(d.spec.get("taskDefinition")), []).append(d)
        elif is_hook(d):
            found.append(d)
    services: dict[ResourceId, list[ResourceId]] = {}
    for hook in found:
        names = hook.annotations.hook_for
        if names:
            candidates = [s for name in names for s in by_name.get(name.rsplit("/", 1)[-1], ())]
        else:
            candidates = by_family.get(family_of(hook.spec.get("taskDefinition")), [])
        services[hook.id] = [s.id for s in candidates if holds(hook, s)]
    return services


def holds(hook: Desired, service: Desired) -> bool:
    """Whether `hook` is for `service` (see the module's docstring); a pre-sync hook then
    holds the service until it succeeds."""
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
