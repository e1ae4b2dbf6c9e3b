"""Which resources one daemon pass works on, and the fingerprint that tells drift from a commit."""

from __future__ import annotations

from typing import Any

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Annotations, Desired
from controller.reconcile.batch import dependents, fingerprint, with_dependencies

CLUSTER = ResourceId(Kind.CLUSTER, "shop")
FAMILY = ResourceId(Kind.TASK_DEFINITION, "shop-web")
SERVICE = ResourceId(Kind.SERVICE, "web", "shop")
HOOK = ResourceId(Kind.TASK, "migrate", "shop")
REPORT = ResourceId(Kind.TASK, "report", "shop")
OTHER = ResourceId(Kind.CLUSTER, "other")


def world(**changes: Any) -> dict[ResourceId, Desired]:
    resources = [
        Desired(CLUSTER, {"tags": {"team": "shop"}}),
        Desired(OTHER, {}),
        Desired(FAMILY, {"containerDefinitions": [{"name": "web", "image": "nginx"}]}),
        Desired(SERVICE, {"cluster": "shop", "taskDefinition": "shop-web", "desiredCount": 2}),
        Desired(
            HOOK,
            {"cluster": "shop", "taskDefinition": "shop-web"},
            Annotations(hook="pre-sync"),
        ),
        Desired(REPORT, {"cluster": "shop", "taskDefinition": "shop-web"}),
    ]
    desired = {d.id: d for d in resources}
    for name, spec in changes.items():
        rid = next(r for r in desired if r.name == name)
        desired[rid] = Desired(rid, spec, desired[rid].annotations)
    return desired


def test_a_service_brings_its_cluster_family_and_the_pre_sync_hooks() -> None:
    """A pass over a service alone still sees a failed pre-sync hook, which holds it."""
    assert with_dependencies(world(), [SERVICE]) == {SERVICE, CLUSTER, FAMILY, HOOK}


def test_a_service_of_another_family_does_not_bring_the_hook() -> None:
    """A pre-sync hook is pulled into a pass only for the services it holds."""
    desired = world()
    worker = ResourceId(Kind.SERVICE, "worker", "other")
    desired[worker] = Desired(worker, {"cluster": "other", "taskDefinition": "worker:3"})
    assert with_dependencies(desired, [worker]) == {worker, OTHER}
    assert HOOK in with_dependencies(desired, [SERVICE, worker])


def test_other_kinds_bring_only_what_they_reference() -> None:
    assert with_dependencies(world(), [REPORT]) == {REPORT, CLUSTER, FAMILY}
    assert with_dependencies(world(), [OTHER]) == {OTHER}


def test_dependents_of_a_task_definition() -> None:
    assert dependents(world(), [FAMILY]) == {SERVICE, HOOK, REPORT}


def test_fingerprint_changes_with_a_dependency_only() -> None:
    """A new image changes the service's fingerprint (a commit, not drift); another cluster does not."""
    base = fingerprint(world(), SERVICE)
    new_image = {"containerDefinitions": [{"name": "web", "image": "nginx:2"}]}

    assert fingerprint(world(), SERVICE) == base
    assert fingerprint(world(**{"shop-web": new_image}), SERVICE) != base
    assert fingerprint(world(other={"tags": {"x": "y"}}), SERVICE) == base
