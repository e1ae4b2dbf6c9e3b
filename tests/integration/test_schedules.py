"""EventBridge Scheduler schedules through the local AWS: reads, the marker, whole updates,
references resolved at apply, and the revisions schedules run."""

from __future__ import annotations

from typing import Any

import pytest

from controller.apply.executor import apply_plan
from controller.aws import in_use, schedules
from controller.aws.clients import Aws
from controller.aws.writers import WRITERS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Desired
from controller.plan.planner import PlanOptions, build_plan
from tests.support.counting import CallCounter

NIGHTLY = ResourceId(Kind.SCHEDULE, "nightly")
WRITER = WRITERS[Kind.SCHEDULE]
ACCOUNT = "arn:aws:ecs:us-east-1:123456789012"
ROLE = "arn:aws:iam::123456789012:role/scheduler"
OWNED = {OWNER_TAG: "ecsync"}


def spec(
    task_definition: str = f"{ACCOUNT}:task-definition/report:1", **extra: Any
) -> dict[str, Any]:
    return {
        "ScheduleExpression": "rate(1 day)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {
            "Arn": f"{ACCOUNT}:cluster/prod",
            "RoleArn": ROLE,
            "EcsParameters": {"TaskDefinitionArn": task_definition},
        },
        **extra,
    }


def test_create_marks_ownership_in_the_description(aws: Aws, scheduler: Any) -> None:
    """The marker follows the user's description in AWS, and reads back as the owner."""
    WRITER.create(aws, NIGHTLY, {**spec(Description="report"), "tags": {OWNER_TAG: "ecsync"}})

    assert scheduler.get_schedule(Name="nightly")["Description"] == (
        "report [ecsync:managed-by=ecsync]"
    )
    live = schedules.read_schedules(aws, {"nightly": "default"})["nightly"]
    assert live.owner == "ecsync"
    assert live.spec["Description"] == "report"


def test_an_update_keeps_what_the_manifest_leaves_out(aws: Aws, calls_sent: CallCounter) -> None:
    """UpdateSchedule replaces everything: the live State and description are sent back."""
    WRITER.create(
        aws,
        NIGHTLY,
        {**spec(Description="report", State="DISABLED"), "tags": {OWNER_TAG: "ecsync"}},
    )
    live = schedules.read_schedules(aws, {"nightly": "default"})["nightly"]

    WRITER.update(
        aws,
        NIGHTLY,
        {**spec(ScheduleExpression="rate(2 days)"), "tags": {OWNER_TAG: "ecsync"}},
        live,
        frozenset({"ScheduleExpression"}),
    )

    (sent,) = calls_sent.params("UpdateSchedule")
    assert sent["State"] == "DISABLED"
    assert sent["ScheduleExpression"] == "rate(2 days)"
    assert sent["Description"] == "report [ecsync:managed-by=ecsync]"
    after = schedules.read_schedules(aws, {"nightly": "default"})["nightly"]
    assert (after.owner, after.spec["ScheduleExpression"]) == ("ecsync", "rate(2 days)")


def test_a_schedule_moved_to_another_group_is_found_where_it_is(aws: Aws, scheduler: Any) -> None:
    """Read from the group the manifest names, else from the one group that has the name."""
    scheduler.create_schedule_group(Name="reports")
    WRITER.create(aws, NIGHTLY, {**spec(GroupName="reports"), "tags": {OWNER_TAG: "ecsync"}})

    live = schedules.read_schedules(aws, {"nightly": "default"})["nightly"]

    assert live.spec["GroupName"] == "reports"
    WRITER.delete(aws, NIGHTLY, live)
    WRITER.delete(aws, NIGHTLY, live)
    assert schedules.read_schedules(aws, {"nightly": "default"}) == {}


def test_only_owned_schedules_are_listed_for_prune(aws: Aws, scheduler: Any) -> None:
    """A schedule without this instance's marker is never a prune candidate."""
    WRITER.create(aws, NIGHTLY, {**spec(), "tags": {OWNER_TAG: "ecsync"}})
    scheduler.create_schedule(Name="theirs", **spec())

    assert list(schedules.list_owned_schedules(aws, "ecsync")) == ["nightly"]


def test_every_ecs_schedule_of_the_account_counts_as_in_use(aws: Aws, scheduler: Any) -> None:
    """Revision cleanup keeps the revisions schedules run, whoever made the schedules."""
    scheduler.create_schedule(Name="theirs", **spec(f"{ACCOUNT}:task-definition/report:4"))
    queue = {**spec(), "Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": ROLE}}
    scheduler.create_schedule(Name="to-a-queue", **queue)

    used = in_use.RevisionsInUse().read(aws)

    assert f"{ACCOUNT}:task-definition/report:4" in used


def test_apply_resolves_the_cluster_name_and_the_family(aws: Aws, scheduler: Any) -> None:
    """A Cluster's name and a family of the manifests reach Scheduler as ARNs."""
    desired = [
        Desired(ResourceId(Kind.CLUSTER, "prod"), {}),
        Desired(
            ResourceId(Kind.TASK_DEFINITION, "report"),
            {"containerDefinitions": [{"name": "r", "image": "report:1", "memory": 128}]},
        ),
        Desired(NIGHTLY, {**spec("report"), "Target": {**spec("report")["Target"], "Arn": "prod"}}),
    ]
    plan = build_plan(desired, {}, PlanOptions())

    results = apply_plan(aws, plan, {}, skip_preflight=True)

    assert [r.outcome.failed for r in results] == [False, False, False]
    target = scheduler.get_schedule(Name="nightly")["Target"]
    assert target["Arn"] == f"{ACCOUNT}:cluster/prod"
    assert target["EcsParameters"]["TaskDefinitionArn"] == f"{ACCOUNT}:task-definition/report:1"


def test_listings_follow_every_page(
    aws: Aws, scheduler: Any, monkeypatch: pytest.MonkeyPatch, calls_sent: CallCounter
) -> None:
    """ListSchedules pages with NextToken: every page is read, none twice."""
    monkeypatch.setattr(schedules, "LIST_PAGE", 2)
    for index in range(5):
        WRITER.create(aws, ResourceId(Kind.SCHEDULE, f"s{index}"), {**spec(), "tags": OWNED})

    assert sorted(schedules.list_owned_schedules(aws, "ecsync")) == [f"s{i}" for i in range(5)]
    assert calls_sent["ListSchedules"] == 3
