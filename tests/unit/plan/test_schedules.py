"""Schedule: the ownership marker, Scheduler's defaults, references resolved like a
service's, a group change as a replace, and revisions that schedules run kept."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import schedules
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, PRUNE_TAG, Desired, Live
from controller.diff.normalise import normalise
from controller.diff.normalise.task_definition import content_hash
from controller.plan import revisions
from controller.plan.actions import Action, ActionType
from controller.plan.planner import PlanOptions, build_plan

NIGHTLY = ResourceId(Kind.SCHEDULE, "nightly")
CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
TD_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/report:{}"
OWNED = {OWNER_TAG: "ecsync"}


def spec(task_definition: str = "report", cluster: str = "prod", **extra: Any) -> dict[str, Any]:
    return {
        "ScheduleExpression": "rate(1 day)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {
            "Arn": cluster,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "EcsParameters": {"TaskDefinitionArn": task_definition},
        },
        **extra,
    }


def get_schedule(
    revision: int = 3, description: str = "", group: str = "default"
) -> dict[str, Any]:
    """A GetSchedule answer for `spec()` resolved to revision `revision`, owned by ecsync."""
    answer = spec(TD_ARN.format(revision), CLUSTER_ARN)
    answer["Target"]["RetryPolicy"] = {
        "MaximumEventAgeInSeconds": 86400,
        "MaximumRetryAttempts": 185,
    }
    answer["Target"]["EcsParameters"]["TaskCount"] = 1
    marked = schedules.with_marker(description, OWNED)
    return {
        **answer,
        "Name": "nightly",
        "GroupName": group,
        "Arn": f"arn:aws:scheduler:us-east-1:123456789012:schedule/{group}/nightly",
        "State": "ENABLED",
        "ScheduleExpressionTimezone": "UTC",
        "Description": marked,
    }


def family(revision: int = 3) -> tuple[Desired, Live]:
    """A TaskDefinition `report` whose live head is `revision` with the same content."""
    td_spec = {"containerDefinitions": [{"name": "r", "image": "report:1", "memory": 128}]}
    digest = content_hash(normalise(Kind.TASK_DEFINITION, td_spec))
    rid = ResourceId(Kind.TASK_DEFINITION, "report")
    arn = TD_ARN.format(revision)
    live = Live(
        rid,
        arn,
        {**td_spec, "tags": OWNED},
        "ecsync",
        {
            "revisions": [
                {"arn": arn, "revision": revision, "owner": "ecsync", "content_hash": digest}
            ]
        },
    )
    return Desired(rid, td_spec), live


def test_the_marker_round_trips_and_leaves_the_description_as_written() -> None:
    """Owner and prune protection go after the user's text and come back as tags."""
    text = schedules.with_marker("runs [nightly]", {**OWNED, PRUNE_TAG: "false", "team": "x"})
    assert text == "runs [nightly] [ecsync:managed-by=ecsync] [ecsync:prune=false]"
    assert schedules.split_marker(text) == ("runs [nightly]", {**OWNED, PRUNE_TAG: "false"})
    assert schedules.split_marker("plain") == ("plain", {})
    assert schedules.with_marker("", OWNED) == "[ecsync:managed-by=ecsync]"


def test_a_schedule_answer_becomes_live_state_with_its_owner() -> None:
    """The marker leaves the description and becomes the owner; an empty rest is no field."""
    live = schedules.parse_schedule(get_schedule())
    assert live.id == NIGHTLY
    assert live.owner == "ecsync"
    assert live.spec["tags"] == OWNED
    assert "Description" not in live.spec
    assert live.spec["GroupName"] == "default"


def test_scheduler_defaults_and_times_normalise_on_both_sides() -> None:
    """Defaults fill what GetSchedule reports; ISO 8601 and epoch seconds are one instant."""
    written = normalise(Kind.SCHEDULE, {**spec(), "StartDate": "2030-01-01T01:00:00+01:00"})
    reported = normalise(
        Kind.SCHEDULE, {**spec(TD_ARN.format(3), CLUSTER_ARN), "StartDate": 1893456000}
    )
    assert written["StartDate"] == reported["StartDate"] == "2030-01-01T00:00:00Z"
    assert written["State"] == "ENABLED"
    assert written["Target"]["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 86400,
        "MaximumRetryAttempts": 185,
    }
    assert reported["Target"]["Arn"] == "prod"
    assert reported["Target"]["EcsParameters"] == {"TaskCount": 1, "TaskDefinitionArn": "report:3"}


def test_a_new_schedule_is_created_owned_after_its_family_and_cluster() -> None:
    """The create carries the owner tag (written as the marker) and waits for what it names."""
    desired = [
        Desired(ResourceId(Kind.CLUSTER, "prod"), {}),
        family()[0],
        Desired(NIGHTLY, spec()),
    ]
    plan = build_plan(desired, {}, PlanOptions())
    create = next(a for a in plan.actions if a.id == NIGHTLY)
    assert create.type is ActionType.CREATE
    assert create.spec["tags"] == OWNED
    assert set(create.depends_on) == {
        ResourceId(Kind.CLUSTER, "prod"),
        ResourceId(Kind.TASK_DEFINITION, "report"),
    }
    assert [a.id.kind for a in plan.actions][-1] is Kind.SCHEDULE


def test_a_schedule_on_the_registered_revision_is_in_sync() -> None:
    """A family that needs no new revision resolves to the live head, which the schedule runs."""
    td, td_live = family(3)
    live = {td.id: td_live, NIGHTLY: schedules.parse_schedule(get_schedule(3))}
    plan = build_plan([td, Desired(NIGHTLY, spec(cluster=CLUSTER_ARN))], live, PlanOptions())
    assert plan.actions == ()
    assert NIGHTLY in plan.in_sync


def test_a_schedule_follows_its_family_to_a_new_revision() -> None:
    """When the family registers a new revision, the schedule is updated onto it."""
    td, td_live = family(3)
    changed = Desired(
        td.id, {"containerDefinitions": [{"name": "r", "image": "report:2", "memory": 128}]}
    )
    live = {td.id: td_live, NIGHTLY: schedules.parse_schedule(get_schedule(3))}
    plan = build_plan([changed, Desired(NIGHTLY, spec(cluster=CLUSTER_ARN))], live, PlanOptions())
    update = next(a for a in plan.actions if a.id == NIGHTLY)
    assert update.type is ActionType.UPDATE
    assert [c.path for c in update.changes] == ["/Target/EcsParameters/TaskDefinitionArn"]
    assert td.id in update.depends_on


def test_moving_a_schedule_to_another_group_replaces_it() -> None:
    """GroupName cannot change in place: delete from the old group, create in the new one."""
    live = {NIGHTLY: schedules.parse_schedule(get_schedule(3))}
    desired = Desired(NIGHTLY, spec(TD_ARN.format(3), CLUSTER_ARN, GroupName="reports"))
    (action,) = build_plan([desired], live, PlanOptions()).actions
    assert action.type is ActionType.REPLACE
    assert action.fields == {"GroupName"}


def test_a_cluster_by_name_that_exists_nowhere_is_a_problem() -> None:
    """A name in Target.Arn must be a Cluster of the manifests or one AWS has."""
    plan = build_plan([Desired(NIGHTLY, spec(TD_ARN.format(1), "nowhere"))], {}, PlanOptions())
    (problem,) = plan.problems
    assert "cluster 'nowhere' (Target.Arn) does not exist" in problem.message
    assert plan.actions == ()


@pytest.mark.parametrize(
    ("reference", "kept"),
    [(TD_ARN.format(1), True), ("report", False)],
    ids=["pinned-by-arn", "following-the-family"],
)
def test_a_revision_a_desired_schedule_pins_is_never_deregistered(
    reference: str, kept: bool
) -> None:
    """Cleanup skips the revision a Schedule manifest names by ARN, as it does a Service's pin."""
    td, _ = family()
    arn = TD_ARN.format
    owned = [
        {"arn": arn(n), "revision": n, "owner": "ecsync", "content_hash": "x"} for n in (1, 2, 3)
    ]
    live = {td.id: Live(td.id, arn(3), {}, "ecsync", {"revisions": owned})}
    desired = [td, Desired(NIGHTLY, spec(reference, CLUSTER_ARN))]
    plan = build_plan(desired, live, PlanOptions(keep_revisions=1))
    names = {
        a.id.name for a in revisions.candidates(desired, plan, live, PlanOptions(keep_revisions=1))
    }
    assert ("report:1" not in names) is kept


def test_a_revision_any_schedule_runs_is_in_use_for_cleanup() -> None:
    """`with_deregisters` keeps a revision that a schedule of the account runs."""
    td, _ = family()
    plan = build_plan([td], {}, PlanOptions())
    old = Action(ActionType.DEREGISTER, ResourceId(Kind.TASK_DEFINITION, "report:1"))
    kept = revisions.with_deregisters(plan, [old], {TD_ARN.format(1)})
    assert old not in kept.actions
