"""Exporting log groups and schedules: CloudWatch Logs and Scheduler defaults go, times
become ISO 8601, ecsync's marker stays out, and the result plans as in sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from controller.aws import loggroups, schedules
from controller.core.resources import OWNER_TAG, Live
from controller.manifests import yamldump
from controller.manifests.loader import load
from controller.plan import export
from controller.plan.planner import PlanOptions, build_plan

GROUP: dict[str, Any] = {
    "logGroupName": "/ecs/web",
    "creationTime": 1733443200000,
    "retentionInDays": 14,
    "metricFilterCount": 0,
    "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*",
    "storedBytes": 10,
    "logGroupClass": "STANDARD",
    "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web",
    "deletionProtectionEnabled": False,
}
SCHEDULE: dict[str, Any] = {
    "Arn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly",
    "Name": "nightly",
    "GroupName": "default",
    "Description": "report [ecsync:managed-by=ecsync]",
    "ScheduleExpression": "cron(0 3 * * ? *)",
    "ScheduleExpressionTimezone": "UTC",
    "State": "ENABLED",
    "ActionAfterCompletion": "NONE",
    "StartDate": 1893456000.0,
    "CreationDate": 1733443200.0,
    "LastModificationDate": 1733443200.0,
    "FlexibleTimeWindow": {"Mode": "OFF"},
    "Target": {
        "Arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
        "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
        "EcsParameters": {
            "TaskCount": 1,
            "TaskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/report:7",
        },
    },
}


def plans_in_sync(exported: export.Exported, live: Live, tmp_path: Path) -> bool:
    path = tmp_path / exported.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamldump.dump([exported.document]))
    loaded = load(tmp_path)
    assert loaded.ok, [str(e) for e in loaded.errors]
    plan = build_plan(list(loaded.resources), {live.id: live}, PlanOptions())
    return plan.actions == () and plan.problems == ()


def test_a_log_group_exports_its_retention_and_tags_only(tmp_path: Path) -> None:
    """Class STANDARD and no deletion protection are defaults; the file mirrors the name."""
    live = loggroups.parse_log_group(GROUP, {"team": "web", OWNER_TAG: "ecsync"})
    exported = export.export(live)

    assert str(exported.path) == "log-groups/ecs/web.yaml"
    assert exported.document["metadata"] == {"name": "/ecs/web"}
    assert exported.document["spec"] == {"retentionInDays": 14, "tags": {"team": "web"}}
    assert plans_in_sync(exported, live, tmp_path)


def test_a_schedule_exports_without_scheduler_defaults_or_the_marker(tmp_path: Path) -> None:
    """Defaults go, the description loses ecsync's marker, StartDate is ISO 8601."""
    live = schedules.parse_schedule(SCHEDULE)
    exported = export.export(live)

    assert str(exported.path) == "schedules/nightly.yaml"
    spec = exported.document["spec"]
    assert spec["Description"] == "report"
    assert spec["StartDate"] == "2030-01-01T00:00:00Z"
    assert spec["Target"] == {
        "Arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
        "EcsParameters": {
            "TaskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/report:7"
        },
    }
    assert not {"GroupName", "State", "ScheduleExpressionTimezone", "ActionAfterCompletion"} & set(
        spec
    )
    assert plans_in_sync(exported, live, tmp_path)
