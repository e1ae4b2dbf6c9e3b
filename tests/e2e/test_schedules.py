"""The daemon with a scheduled task: its log group, its schedule, drift on the schedule,
and a revision that a schedule runs kept through revision cleanup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ecsync_local as local
from tests.support.daemon import Daemons
from tests.support.shop import stack, write

ACCOUNT = "arn:aws:ecs:us-east-1:123456789012"


def jobs(sandbox: local.Sandbox, image: str = "busybox:1.36") -> str:
    """A log group, a task definition logging to it, and a schedule running it in `shop`."""
    return f"""
apiVersion: ecsync/v1
kind: LogGroup
metadata: {{name: /ecs/shop-report}}
spec: {{retentionInDays: 14}}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: shop-report}}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions:
    - name: report
      image: {image}
      logConfiguration:
        logDriver: awslogs
        options: {{awslogs-group: /ecs/shop-report, awslogs-region: us-east-1}}
---
apiVersion: ecsync/v1
kind: Schedule
metadata: {{name: shop-nightly}}
spec:
  ScheduleExpression: cron(0 3 * * ? *)
  FlexibleTimeWindow: {{Mode: "OFF"}}
  Target:
    Arn: shop
    RoleArn: arn:aws:iam::123456789012:role/shop-scheduler
    EcsParameters:
      TaskDefinitionArn: shop-report
      LaunchType: FARGATE
      NetworkConfiguration:
        awsvpcConfiguration: {{Subnets: [{sandbox.subnet_ids[0]}]}}
"""


def onto(revision: int) -> Callable[[dict[str, Any]], bool]:
    """Matches the schedule_updated event that moves the schedule onto `revision` (from the
    one before: the plan's desired value is the revision still to be registered)."""

    def moved(event: dict[str, Any]) -> bool:
        return any(
            field["path"].endswith("/TaskDefinitionArn")
            and str(field["live"]).endswith(f":{revision - 1}")
            for field in event.get("fields", [])
        )

    return moved


def test_a_scheduled_task_converges_heals_and_follows_its_family(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """The log group comes before the task definition, the schedule runs the registered
    revision in the cluster by ARN; a schedule changed by hand is drift that is corrected;
    a new revision moves the schedule onto it, and the revision another schedule still
    runs survives cleanup while an unused older one is deregistered."""
    folder = write(tmp_path / "manifests", {**stack(sandbox), "jobs.yaml": jobs(sandbox)})
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s", "--keep-revisions", "1")
    daemon.wait_for("schedule_created", lambda e: e["name"] == "shop-nightly")
    daemon.wait_http("/readyz")
    scheduler, logs, ecs = (boto_client(s) for s in ("scheduler", "logs", "ecs"))

    created = daemon.named("log_group_created") + daemon.named("task_definition_registered")
    assert [e["kind"] for e in created][:1] == ["LogGroup"]
    (group,) = logs.describe_log_groups(logGroupIdentifiers=["/ecs/shop-report"])["logGroups"]
    assert group["retentionInDays"] == 14
    schedule = scheduler.get_schedule(Name="shop-nightly")
    assert schedule["Target"]["Arn"] == f"{ACCOUNT}:cluster/shop"
    first = f"{ACCOUNT}:task-definition/shop-report:1"
    assert schedule["Target"]["EcsParameters"]["TaskDefinitionArn"] == first

    by_hand = {k: schedule[k] for k in ("Name", "FlexibleTimeWindow", "Target", "Description")}
    scheduler.update_schedule(ScheduleExpression="rate(5 minutes)", **by_hand)
    drift = daemon.wait_for("drift_detected", lambda e: e["kind"] == "Schedule")
    assert drift["fields"] == [
        {"path": "/ScheduleExpression", "desired": "cron(0 3 * * ? *)", "live": "rate(5 minutes)"}
    ]
    daemon.wait_for("drift_corrected", lambda e: e["kind"] == "Schedule")
    assert scheduler.get_schedule(Name="shop-nightly")["ScheduleExpression"] == "cron(0 3 * * ? *)"

    # Someone else's schedule keeps running revision 1 once ecsync's moves on.
    scheduler.create_schedule(
        Name="their-report",
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=schedule["Target"],
    )
    for revision, version in ((2, "1.37"), (3, "1.38")):
        write(folder, {"jobs.yaml": jobs(sandbox, image=f"busybox:{version}")})
        daemon.wait_for("schedule_updated", onto(revision))
        target = scheduler.get_schedule(Name="shop-nightly")["Target"]
        assert target["EcsParameters"]["TaskDefinitionArn"].endswith(f":{revision}")
    daemon.wait_for("task_definition_deregistered", lambda e: e["name"] == "shop-report:2")

    active = ecs.list_task_definitions(familyPrefix="shop-report", status="ACTIVE")
    assert [arn.rsplit(":", 1)[1] for arn in active["taskDefinitionArns"]] == ["1", "3"]
    assert daemon.stop() == 0
