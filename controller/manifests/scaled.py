"""Services whose desired count a ScalableTarget of the manifests sets.

While Application Auto Scaling scales a service, the service's `desiredCount`
is the scaler's: enforcing the manifest's number would undo every scaling
activity (and be reported as drift each time). So a Service that a
ScalableTarget (named `<cluster>/<service>`) covers is marked here, once per
load, and the planner leaves its desiredCount alone after the create, with
no `ecsync/ignore` annotation needed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from controller.core import scaling
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired
from controller.manifests.errors import ManifestError
from controller.manifests.references import Entry


def mark_scaled_services(resources: Iterable[Desired]) -> list[Desired]:
    """`resources`, each Service covered by a ScalableTarget among them carrying that
    target in `annotations.scaled_by`."""
    items = list(resources)
    targets = {d.id.name: str(d.id) for d in items if d.id.kind is Kind.SCALABLE_TARGET}
    if not targets:
        return items
    return [_marked(d, targets) for d in items]


def _marked(d: Desired, targets: dict[str, str]) -> Desired:
    target = (
        targets.get(scaling.target_of_service(d.id).name) if d.id.kind is Kind.SERVICE else None
    )
    if target is None:
        return d
    return dataclasses.replace(d, annotations=dataclasses.replace(d.annotations, scaled_by=target))


def check(entries: Sequence[Entry]) -> list[ManifestError]:
    """Warnings: a ScalableTarget whose service, or a ScalingPolicy whose scalable target,
    is not in the manifests (it must then exist in AWS already: Application Auto Scaling
    refuses a target for a service that does not exist, and a policy without its target)."""
    scaling_kinds = (Kind.SCALABLE_TARGET, Kind.SCALING_POLICY)
    scaled = [entry for entry in entries if entry.id.kind in scaling_kinds]
    if not scaled:  # nothing to check: no need to index every resource of the fleet
        return []
    ids = {entry.id for entry in entries}
    warnings = []
    for entry in scaled:
        if entry.id.kind is Kind.SCALABLE_TARGET:
            service = scaling.service_of(entry.id.name)
            if service not in ids:
                message = (
                    f"service '{service.name}' of cluster '{service.cluster}' is not in the "
                    "manifests; it must already exist in AWS"
                )
                warnings.append(entry.error(("metadata", "name"), message))
        elif entry.id.kind is Kind.SCALING_POLICY:
            target = _target(entry.id)
            if target not in ids:
                message = (
                    f"no ScalableTarget '{target.name}' in the manifests; that scalable target "
                    "must already be registered in AWS"
                )
                warnings.append(entry.error(("metadata", "name"), message))
    return warnings


def _target(policy: ResourceId) -> ResourceId:
    return scaling.target_id(scaling.split_policy(policy.name)[0])
