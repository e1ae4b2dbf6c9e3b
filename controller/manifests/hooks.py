"""Checks of pre-sync hooks against the services of the manifests.

A pre-sync hook holds only the services it is for (`controller.core.hooks`):
those named in `ecsync/hook-for`, or else those of its task definition family.
A name in `ecsync/hook-for` that matches no Service is a typo that would leave
a service unguarded, so it is an error; a hook that holds no service at all is
legal (it still runs) but probably not what was meant, so it warns.
"""

from __future__ import annotations

from collections.abc import Sequence

from controller.core import hooks
from controller.core.kinds import Kind
from controller.core.resources import Desired
from controller.manifests import envelope, switches
from controller.manifests.errors import ManifestError
from controller.manifests.references import Entry
from controller.manifests.suggest import did_you_mean

_PATH = ("metadata", "annotations", switches.HOOK_FOR)


def check(entries: Sequence[Entry]) -> tuple[list[ManifestError], list[ManifestError]]:
    """Errors (hook-for names that match no Service) and warnings (hooks that hold none)."""
    services = [Desired(e.id, dict(e.spec)) for e in entries if e.id.kind is Kind.SERVICE]
    names = sorted({s.id.name for s in services} | {_qualified(s) for s in services})
    errors: list[ManifestError] = []
    warnings: list[ManifestError] = []
    for entry in entries:
        if entry.id.kind is not Kind.TASK:
            continue
        header, _ = envelope.read(entry.document)
        hook = Desired(entry.id, dict(entry.spec), header.annotations)
        if not hooks.is_pre_sync_hook(hook):
            continue
        for name in hook.annotations.hook_for:
            if name not in names:
                message = (
                    f"'{name}' names no Service in the manifests; write a Service's name, "
                    f"alone or after its cluster (cluster/name){did_you_mean(name, names)}"
                )
                errors.append(entry.error(_PATH, message))
        if not hook.annotations.hook_for and not hooks.held_by(hook, services):
            family = hooks.family_of(entry.spec.get("taskDefinition")) or "(none)"
            message = (
                f"this pre-sync hook holds no service: no Service in the manifests runs its "
                f"task definition family {family}; name the services it must run before in "
                f'{switches.HOOK_FOR}, like "web" or "{entry.id.cluster}/web"'
            )
            warnings.append(entry.error(("metadata", "annotations", switches.HOOK), message))
    return errors, warnings


def _qualified(service: Desired) -> str:
    return f"{service.id.cluster}/{service.id.name}"
