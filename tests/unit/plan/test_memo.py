"""The planner's memo of resources found in sync: skipped only while every input is the same."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Annotations, Desired, Live
from controller.diff.normalise import normalise
from controller.plan import memo
from controller.plan.actions import ActionType
from controller.plan.planner import KMS_KEY_ALIAS, NAMESPACE_NAMES, PlanOptions, build_plan
from tests.unit.plan.test_planner import (
    TD_SPEC,
    in_sync_world,
    live_service,
    live_taskdef,
    service,
    taskdef,
)

SERVICE = ResourceId(Kind.SERVICE, "web", "prod")
FAMILY = ResourceId(Kind.TASK_DEFINITION, "web")


@pytest.fixture
def normalised(monkeypatch: pytest.MonkeyPatch) -> list[Kind]:
    """The kinds the planner normalises, one entry per call."""
    seen: list[Kind] = []

    def counting(kind: Kind, spec: dict[str, Any]) -> dict[str, Any]:
        seen.append(kind)
        return normalise(kind, spec)

    monkeypatch.setattr("controller.plan.planner.normalise", counting)
    return seen


def test_second_pass_over_the_same_inputs_normalises_nothing(normalised: list[Kind]) -> None:
    """A world found in sync is in sync again on the same inputs, without normalising."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    first = build_plan(desired, live, PlanOptions(), remembered=remembered)
    normalised.clear()

    second = build_plan(desired, live, PlanOptions(), remembered=remembered)

    assert first.empty
    assert second.empty
    assert second.in_sync == first.in_sync
    assert second.resolved_task_definitions == first.resolved_task_definitions
    assert normalised == []
    assert len(remembered) == 3


def test_hand_made_drift_of_a_service_is_found_on_the_next_pass() -> None:
    """A live service changed outside ecsync is planned in full again, and its drift found."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    drifted = live[SERVICE]
    live[SERVICE] = dataclasses.replace(drifted, spec={**drifted.spec, "desiredCount": 5})

    plan = build_plan(desired, live, PlanOptions(), remembered=remembered)

    (action,) = plan.actions
    assert (action.type, action.id) == (ActionType.UPDATE, SERVICE)
    assert [(c.path, c.desired, c.live) for c in action.changes] == [("/desiredCount", 2, 5)]


def test_a_hand_made_drift_stays_found_while_it_lasts() -> None:
    """A resource not in sync is not remembered: the same drift is found on every pass."""
    desired, live = in_sync_world(desired_count=3)
    remembered = memo.InSync()
    plans = [build_plan(desired, live, PlanOptions(), remembered=remembered) for _ in range(2)]
    assert [[a.id for a in p.actions] for p in plans] == [[SERVICE], [SERVICE]]


def test_a_new_desired_spec_is_planned_in_full() -> None:
    """A new manifest for a resource (a new `Desired`) is compared again."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    desired[2] = service(desiredCount=4)

    plan = build_plan(desired, live, PlanOptions(), remembered=remembered)

    assert [(a.id, a.fields) for a in plan.actions] == [(SERVICE, frozenset({"desiredCount"}))]


def test_an_equal_but_new_desired_object_is_compared_again(normalised: list[Kind]) -> None:
    """Identity, not equality, vouches for a manifest: a new object is normalised again."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    normalised.clear()
    desired[2] = service(desiredCount=2)

    assert build_plan(desired, live, PlanOptions(), remembered=remembered).empty
    assert normalised == [Kind.SERVICE, Kind.SERVICE]


def test_a_new_task_definition_spec_registers_and_moves_the_service() -> None:
    """A new desired task definition registers, and its service follows, though both were
    in sync before."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    desired[1] = taskdef({"containerDefinitions": [{"name": "web", "image": "nginx:2"}]})

    plan = build_plan(desired, live, PlanOptions(), remembered=remembered)

    assert [(a.type, a.id) for a in plan.actions] == [
        (ActionType.REGISTER, FAMILY),
        (ActionType.UPDATE, SERVICE),
    ]
    assert plan.actions[1].changes[0].desired == "web:(new revision)"


def test_a_new_live_revision_is_compared_again() -> None:
    """A family whose newest revision changed (registered outside ecsync, other content) is
    planned in full: its service is moved back to the revision the manifests resolve to."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    before = live[FAMILY]
    hand_made = live_taskdef(
        {"containerDefinitions": [{"name": "web", "image": "hand-made", "memory": 256}]},
        revision=4,
        owner=None,
    )
    live[FAMILY] = dataclasses.replace(
        hand_made,
        owner="ecsync",
        status={"revisions": [*before.status["revisions"], *hand_made.status["revisions"]]},
    )
    live[SERVICE] = live_service(hand_made.arn, desiredCount=2)

    plan = build_plan(desired, live, PlanOptions(), remembered=remembered)

    (action,) = plan.actions
    assert action.id == SERVICE
    assert [(c.desired, c.live) for c in action.changes] == [("web:3", "web:4")]
    assert plan.resolved_task_definitions == {"web": before.arn}


def test_new_tags_on_the_newest_revision_are_an_input(normalised: list[Kind]) -> None:
    """Tags are the one part of a revision that can change: the family is planned in full."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    normalised.clear()
    family = live[FAMILY]
    live[FAMILY] = dataclasses.replace(family, spec={**family.spec, "tags": {"team": "web"}})

    assert build_plan(desired, live, PlanOptions(), remembered=remembered).empty
    assert normalised == [Kind.TASK_DEFINITION]


def test_a_remembered_family_still_resolves_its_services() -> None:
    """A task definition skipped by the memo still resolves to its revision, so its
    service is compared with that revision."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    remembered.forget(SERVICE)
    other = "arn:aws:ecs:us-east-1:1:task-definition/web:9"
    live[SERVICE] = live_service(other, desiredCount=2)

    plan = build_plan(desired, live, PlanOptions(), remembered=remembered)

    (action,) = plan.actions
    assert [(c.desired, c.live) for c in action.changes] == [("web:3", "web:9")]


def test_other_options_plan_in_full() -> None:
    """Another instance name is another input: ownership is checked again."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)

    plan = build_plan(desired, live, PlanOptions(instance="other"), remembered=remembered)

    assert {p.id for p in plan.problems} == {d.id for d in desired}


@pytest.mark.parametrize(
    ("key", "value"),
    [(NAMESPACE_NAMES, {"arn:ns": "internal"}), (KMS_KEY_ALIAS, "alias/mine")],
)
def test_what_a_pass_adds_to_live_status_is_an_input(
    key: str, value: object, normalised: list[Kind]
) -> None:
    """The namespace names and KMS alias read in the same pass are inputs of the plan."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    normalised.clear()
    live[SERVICE] = dataclasses.replace(live[SERVICE], status={key: value})

    build_plan(desired, live, PlanOptions(), remembered=remembered)

    assert normalised == [Kind.SERVICE, Kind.SERVICE]


def test_a_scaled_service_is_remembered_as_its_manifest() -> None:
    """A service whose count a ScalableTarget owns is remembered like any other."""
    desired, live = in_sync_world(desired_count=3)
    desired[2] = service(annotations=Annotations(scaled_by="ScalableTarget/x"), desiredCount=3)
    remembered = memo.InSync()
    plans = [build_plan(desired, live, PlanOptions(), remembered=remembered) for _ in range(2)]
    assert [p.empty for p in plans] == [True, True]
    assert len(remembered) == 3


def test_a_resource_gone_from_aws_is_created() -> None:
    """A remembered resource that is no longer live is created, not skipped."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    del live[SERVICE]

    plan = build_plan(desired, live, PlanOptions(), remembered=remembered)

    assert [(a.type, a.id) for a in plan.actions] == [(ActionType.CREATE, SERVICE)]


def test_forget_drops_a_resource() -> None:
    """A forgotten resource is planned in full on the next pass."""
    remembered = memo.InSync()
    d = Desired(FAMILY, dict(TD_SPEC))
    remembered.note(d, b"inputs", "arn:1")
    assert remembered.found(d, b"inputs") is not None
    remembered.forget(FAMILY)
    assert remembered.found(d, b"inputs") is None


def test_digest_tells_apart_values_json_could_confuse() -> None:
    """Numbers, booleans, strings and nesting digest differently."""
    values: list[Any] = [1, 1.0, True, "1", [1], (1,), {"a": 1}, {"a": "1"}, None, "null"]
    assert len({memo.digest(v) for v in values}) == len(values)


def test_digest_of_what_marshal_cannot_write_matches_nothing() -> None:
    """Inputs holding an object of another type never digest equal, even to themselves."""
    odd = object()
    assert memo.digest({"a": odd}) != memo.digest({"a": odd})


def test_live_unchanged_but_owner_changed_is_an_input() -> None:
    """A resource that changed hands (another owner tag) is checked again."""
    desired, live = in_sync_world()
    remembered = memo.InSync()
    build_plan(desired, live, PlanOptions(), remembered=remembered)
    live[SERVICE] = Live(SERVICE, "arn:svc", live[SERVICE].spec, owner="someone-else")

    plan = build_plan(desired, live, PlanOptions(), remembered=remembered)

    assert [p.id for p in plan.problems] == [SERVICE]
