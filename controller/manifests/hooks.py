"""Checks of hooks against the services of the manifests.

A hook is for the services of `controller.core.hooks`: those named in
`ecsync/hook-for`, or else those of its task definition family. A name in
`ecsync/hook-for` that matches no Service is a typo that would leave a service
unguarded, so it is an error. A pre-sync hook for no service at all is legal
(it still runs, as a plain one-off task) but probably not what was meant, so
it warns; a post-sync or sync-fail hook for no service would never run, so it
is an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from controller.core import hooks
from controller.core.kinds import Kind
from controller.core.resources import Desired
from controller.manifests import switches
from controller.manifests.errors import ManifestError
from controller.manifests.references import Entry
from controller.manifests.suggest import did_you_mean

_PATH = ("metadata", "annotations", switches.HOOK_FOR)


def check(entries: Sequence[Entry]) -> tuple[list[ManifestError], list[ManifestError]]:
    """Errors (hook-for names that match no Service, post-sync and sync-fail hooks for no
    service) and warnings (pre-sync hooks that hold none)."""
    tasks = [entry for entry in entries if entry.id.kind is Kind.TASK]
    if not tasks:  # nothing to check: no need to index every service of the fleet
        return [], []
    services = [Desired(e.id, dict(e.spec)) for e in entries if e.id.kind is Kind.SERVICE]
    names = sorted({s.id.name for s in services} | {_qualified(s) for s in services})
    errors: list[ManifestError] = []
    warnings: list[ManifestError] = []
    for entry in tasks:
        hook = Desired(entry.id, dict(entry.spec), entry.annotations)
        if hook.annotations.hook not in hooks.PHASES:
            continue
        for name in hook.annotations.hook_for:
            if name not in names:
                message = (
                    f"'{name}' names no Service in the manifests; write a Service's name, "
                    f"alone or after its cluster (cluster/name){did_you_mean(name, names)}"
                )
                errors.append(entry.error(_PATH, message))
        if not hook.annotations.hook_for and not hooks.held_by(hook, services):
            path = ("metadata", "annotations", switches.HOOK)
            if hooks.is_pre_sync_hook(hook):
                warnings.append(entry.error(path, _for_none(hook, "holds no service")))
            else:
                errors.append(
                    entry.error(path, _for_none(hook, "is for no service, so never runs"))
                )
    return errors, warnings


def _for_none(hook: Desired, what: str) -> str:
    family = hooks.family_of(hook.spec.get("taskDefinition")) or "(none)"
    return (
        f"this {hook.annotations.hook} hook {what}: no Service in the manifests runs its "
        f"task definition family {family}; name the services it is for in "
        f'{switches.HOOK_FOR}, like "web" or "{hook.id.cluster}/web"'
    )


def _qualified(service: Desired) -> str:
    return f"{service.id.cluster}/{service.id.name}"
