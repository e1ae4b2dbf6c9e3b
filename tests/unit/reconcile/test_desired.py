"""Which resources one pass works on, and the fingerprint that tells drift from a commit."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Annotations, Desired, SourceLocation
from controller.reconcile.desired import DesiredSet

CLUSTER = ResourceId(Kind.CLUSTER, "shop")
FAMILY = ResourceId(Kind.TASK_DEFINITION, "shop-web")
SERVICE = ResourceId(Kind.SERVICE, "web", "shop")
HOOK = ResourceId(Kind.TASK, "migrate", "shop")
REPORT = ResourceId(Kind.TASK, "report", "shop")
OTHER = ResourceId(Kind.CLUSTER, "other")


def resources(**changes: Any) -> dict[ResourceId, Desired]:
    found = [
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
    desired = {d.id: d for d in found}
    for name, spec in changes.items():
        rid = next(r for r in desired if r.name == name)
        desired[rid] = Desired(rid, spec, desired[rid].annotations)
    return desired


def world(**changes: Any) -> DesiredSet:
    return DesiredSet(resources(**changes))


def test_a_service_brings_its_cluster_family_and_the_pre_sync_hooks() -> None:
    """A pass over a service alone still sees a failed pre-sync hook, which holds it."""
    assert world().closure([SERVICE]) == {SERVICE, CLUSTER, FAMILY, HOOK}


def test_a_service_of_another_family_does_not_bring_the_hook() -> None:
    """A pre-sync hook is pulled into a pass only for the services it holds."""
    desired = resources()
    worker = ResourceId(Kind.SERVICE, "worker", "other")
    desired[worker] = Desired(worker, {"cluster": "other", "taskDefinition": "worker:3"})
    assert DesiredSet(desired).closure([worker]) == {worker, OTHER}
    assert HOOK in DesiredSet(desired).closure([SERVICE, worker])


def test_a_hook_for_names_the_services_it_holds() -> None:
    """A hook with `ecsync/hook-for` holds the services it names, in any cluster or in one."""
    desired = resources()
    worker = ResourceId(Kind.SERVICE, "worker", "other")
    desired[worker] = Desired(worker, {"cluster": "other", "taskDefinition": "worker:3"})
    named = Annotations(hook="pre-sync", hook_for=("other/worker",))
    desired[HOOK] = dataclasses.replace(desired[HOOK], annotations=named)
    assert HOOK in DesiredSet(desired).closure([worker])
    assert HOOK not in DesiredSet(desired).closure([SERVICE])


def test_other_kinds_bring_only_what_they_reference() -> None:
    """A task brings its cluster and family; a cluster without providers brings nothing."""
    assert world().closure([REPORT]) == {REPORT, CLUSTER, FAMILY}
    assert world().closure([OTHER]) == {OTHER}


def test_dependents_of_a_task_definition() -> None:
    """The services and tasks that run a family depend on it."""
    assert world().dependents([FAMILY]) == {SERVICE, HOOK, REPORT}


def test_fingerprint_changes_with_a_dependency_only() -> None:
    """A new image changes the service's fingerprint (a commit, not drift); another cluster does not."""
    base = world().fingerprint(SERVICE)
    new_image = {"containerDefinitions": [{"name": "web", "image": "nginx:2"}]}

    assert world().fingerprint(SERVICE) == base
    assert world(**{"shop-web": new_image}).fingerprint(SERVICE) != base
    assert world(other={"tags": {"x": "y"}}).fingerprint(SERVICE) == base


def test_changes_since_names_changed_dependents_and_removed() -> None:
    """A changed family brings what runs it; a removed document is removed; a moved one is not
    a change."""
    older = world()
    moved = resources()
    moved[OTHER] = dataclasses.replace(moved[OTHER], source=SourceLocation("other.yaml", 9))
    assert DesiredSet(moved).changes_since(older) == (set(), set())

    new_image = {"containerDefinitions": [{"name": "web", "image": "nginx:2"}]}
    newer = resources(**{"shop-web": new_image})
    del newer[OTHER]
    changed, removed = DesiredSet(newer).changes_since(older)
    assert changed == {FAMILY, SERVICE, HOOK, REPORT}
    assert removed == {OTHER}
    assert DesiredSet(newer).changes_since(None) == (set(newer), set())


def test_a_set_built_from_the_previous_one_has_the_same_facts() -> None:
    """Built from the set it follows, a set has the fingerprints, closures and dependents a
    set built from scratch has, whatever changed: a family, a removed cluster, a new hook."""
    older = world()
    new_image = {"containerDefinitions": [{"name": "web", "image": "nginx:2"}]}
    edits = [
        resources(),
        resources(**{"shop-web": new_image}),
        {rid: d for rid, d in resources().items() if rid != CLUSTER},
        {
            **resources(),
            REPORT: Desired(REPORT, resources()[REPORT].spec, Annotations(hook="pre-sync")),
        },
    ]
    for edited in edits:
        kept = {rid: older.resources.get(rid, d) for rid, d in edited.items()}
        for rid, d in edited.items():
            if d != older.resources.get(rid):
                kept[rid] = d
        scratch = DesiredSet(kept)
        following = DesiredSet.of(kept.values(), previous=older)
        for rid in kept:
            assert following.fingerprint(rid) == scratch.fingerprint(rid), (rid, edited)
            assert following.closure([rid]) == scratch.closure([rid])
        assert following.dependents(list(kept)) == scratch.dependents(list(kept))


# A world of a few names each, so that references often hit and sometimes miss.
_NAMES = st.sampled_from(["a", "b", "c"])


@st.composite
def _resource(draw: st.DrawFn) -> Desired:
    kind = draw(
        st.sampled_from(
            [Kind.CLUSTER, Kind.CAPACITY_PROVIDER, Kind.TASK_DEFINITION, Kind.SERVICE, Kind.TASK]
        )
    )
    name, version = draw(_NAMES), draw(st.integers(0, 2))
    if kind is Kind.CLUSTER:
        return Desired(ResourceId(kind, name), {"capacityProviders": draw(st.lists(_NAMES))})
    if kind is Kind.CAPACITY_PROVIDER:
        return Desired(ResourceId(kind, name), {"v": version})
    if kind is Kind.TASK_DEFINITION:
        logs = {"logConfiguration": {"options": {"awslogs-group": draw(_NAMES)}}}
        return Desired(ResourceId(kind, name), {"containerDefinitions": [logs], "v": version})
    cluster = draw(_NAMES)
    spec = {"cluster": cluster, "taskDefinition": draw(_NAMES), "v": version}
    hook = draw(st.sampled_from(["", "", "pre-sync", "post-sync"])) if kind is Kind.TASK else ""
    return Desired(ResourceId(kind, name, cluster), spec, Annotations(hook=hook))


_WORLDS = st.lists(_resource(), max_size=12).map(lambda found: {d.id: d for d in found})


@settings(max_examples=300, deadline=None)
@given(first=_WORLDS, edits=st.lists(st.tuples(_WORLDS, st.sets(st.integers(0, 11))), max_size=4))
def test_a_set_following_edits_has_the_facts_of_one_built_from_scratch(
    first: dict[ResourceId, Desired], edits: list[tuple[dict[ResourceId, Desired], set[int]]]
) -> None:
    """Through any sequence of edits (resources added, changed, removed; families and hooks
    coming and going), a set built from the one it follows has the facts of a set built
    from scratch: fingerprints, closures, dependents and changes."""
    current = DesiredSet(first)
    for incoming, dropped in edits:
        # Unchanged resources stay the same objects, as the file cache keeps them.
        kept = {rid: d for i, (rid, d) in enumerate(current.resources.items()) if i not in dropped}
        merged = {
            **kept,
            **{rid: d for rid, d in incoming.items() if rid not in kept or d != kept[rid]},
        }
        following = DesiredSet.of(merged.values(), previous=current)
        scratch = DesiredSet(merged)
        every = list(merged)
        assert {rid: following.fingerprint(rid) for rid in every} == {
            rid: scratch.fingerprint(rid) for rid in every
        }
        for rid in every:
            assert following.closure([rid]) == scratch.closure([rid])
            assert following.dependents([rid]) == scratch.dependents([rid])
        assert following.changes_since(current) == scratch.changes_since(current)
        current = following
