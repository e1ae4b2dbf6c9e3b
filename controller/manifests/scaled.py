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
from collections.abc import Iterable

from controller.core import scaling
from controller.core.kinds import Kind
from controller.core.resources import Desired


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
