"""`ecsync import --log-group --schedule` against the local AWS: minimal manifests that plan
as in sync, and adoption that writes the log group's tag and the schedule's marker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from controller.aws import loggroups, schedules
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG
from controller.manifests.loader import load
from controller.plan.planner import PlanOptions, build_plan
from controller.reconcile import observe
from controller.reconcile.importer import ImportRefusedError, ImportRequest, import_live

TARGET = {
    "Arn": "arn:aws:ecs:us-east-1:123456789012:cluster/jobs",
    "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
    "EcsParameters": {
        "TaskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/r:4"
    },
}
REQUEST = ImportRequest(log_groups=("/ecs/report",), schedules=("nightly",))


@pytest.fixture
def by_hand(logs: Any, scheduler: Any) -> None:
    """A log group and a schedule (in a group of its own) that ecsync did not make."""
    logs.create_log_group(logGroupName="/ecs/report", tags={"team": "data"})
    logs.put_retention_policy(logGroupName="/ecs/report", retentionInDays=60)
    scheduler.create_schedule_group(Name="reports")
    scheduler.create_schedule(
        Name="nightly",
        GroupName="reports",
        Description="the nightly report",
        ScheduleExpression="cron(0 3 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=TARGET,
    )


@pytest.mark.usefixtures("by_hand")
def test_import_writes_manifests_that_plan_in_sync(aws: Aws, tmp_path: Path) -> None:
    """The files hold only what was set, validate, and plan nothing against AWS."""
    report = import_live(aws, REQUEST, tmp_path)

    assert sorted(str(p.relative_to(tmp_path)) for p in report.written) == [
        "log-groups/ecs/report.yaml",
        "schedules/nightly.yaml",
    ]
    loaded = load(tmp_path)
    assert loaded.ok, [str(e) for e in loaded.errors]
    specs = {d.id: d.spec for d in loaded.resources}
    assert specs[ResourceId(Kind.LOG_GROUP, "/ecs/report")] == {
        "retentionInDays": 60,
        "tags": {"team": "data"},
    }
    assert specs[ResourceId(Kind.SCHEDULE, "nightly")]["GroupName"] == "reports"
    live = observe.read_live(aws, list(loaded.resources))
    plan = build_plan(list(loaded.resources), live, PlanOptions())
    assert plan.empty


@pytest.mark.usefixtures("by_hand")
def test_adopting_tags_the_group_and_marks_the_schedule(aws: Aws, tmp_path: Path) -> None:
    """--adopt adds the ownership tag to the log group, the marker to the schedule, and
    changes nothing else."""
    report = import_live(aws, ImportRequest(**{**REQUEST.__dict__, "adopt": True}), tmp_path)

    assert sorted(map(str, report.adopted)) == ["LogGroup//ecs/report", "Schedule/nightly"]
    group = loggroups.read_log_groups(aws, ["/ecs/report"])["/ecs/report"]
    assert group.spec["tags"] == {"team": "data", OWNER_TAG: "ecsync"}
    schedule = schedules.read_schedules(aws, {"nightly": "reports"})["nightly"]
    assert schedule.owner == "ecsync"
    assert schedule.spec["Description"] == "the nightly report"
    assert schedule.spec["Target"]["EcsParameters"] == TARGET["EcsParameters"]


def test_a_name_that_does_not_exist_is_refused(aws: Aws, tmp_path: Path) -> None:
    """Nothing is written when a named log group or schedule is missing."""
    with pytest.raises(ImportRefusedError, match="LogGroup//ecs/none, Schedule/none"):
        import_live(aws, ImportRequest(log_groups=("/ecs/none",), schedules=("none",)), tmp_path)
    assert list(tmp_path.iterdir()) == []
