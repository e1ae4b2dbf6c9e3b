"""One-off tasks against moto: one run per content version, recorded on the cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ecsync_local as local
from controller.aws.clients import Aws, AwsConfig
from controller.core.settings import defaults
from controller.reconcile.sync import SyncReport, sync
from tests.support import jobs
from tests.support.moto_tasks import make_failing_tasks_possible


def write(
    root: Path, sandbox: local.Sandbox, image: str = "app:1", command: str = "migrate"
) -> Path:
    """The `jobs` stack with a one-off task `migrate` running `command`, into `root`."""
    return jobs.write(root, jobs.family(image) + jobs.task(sandbox, "migrate", command))


def outcomes(report: SyncReport) -> dict[str, str]:
    return {str(r.id): str(r.outcome) for r in report.results}


def tasks_started(ecs: Any) -> int:
    return len(ecs.list_tasks(cluster="jobs", desiredStatus="STOPPED")["taskArns"]) + len(
        ecs.list_tasks(cluster="jobs")["taskArns"]
    )


def test_a_task_runs_once_per_content_version(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, moto_endpoint: str, tmp_path: Path
) -> None:
    """Applied again, even by a new process, it does not run; a new image runs it again."""
    root = write(tmp_path / "m", sandbox)
    assert outcomes(sync(aws, root, defaults(), apply=True))["Task/jobs/migrate"] == "succeeded"

    restarted = Aws(AwsConfig("us-east-1", moto_endpoint))  # nothing kept in memory
    again = sync(restarted, root, defaults(), apply=True)
    assert again.plan is not None
    assert again.plan.empty
    assert tasks_started(ecs) == 1

    write(root, sandbox, image="app:2")
    changed = sync(restarted, root, defaults(), apply=True)
    assert outcomes(changed) == {
        "TaskDefinition/app": "registered",
        "Task/jobs/migrate": "succeeded",
    }
    assert tasks_started(ecs) == 2


def test_a_failed_run_is_not_retried_until_its_content_changes(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A migration that failed is reported, then left alone (a problem), not re-run every sync."""
    make_failing_tasks_possible()
    root = write(tmp_path / "m", sandbox, command="fail")
    first = sync(aws, root, defaults(), apply=True)
    assert outcomes(first)["Task/jobs/migrate"] == "failed"

    again = sync(aws, root, defaults(), apply=True)
    assert again.plan is not None
    assert [str(p.id) for p in again.plan.problems] == ["Task/jobs/migrate"]
    assert "failed" in again.plan.problems[0].message
    assert tasks_started(ecs) == 1

    write(root, sandbox, command="migrate")
    assert outcomes(sync(aws, root, defaults(), apply=True))["Task/jobs/migrate"] == "succeeded"


WORKER = """
---
apiVersion: ecsync/v1
kind: Cluster
metadata: {name: other}
spec: {}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: worker}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions: [{name: worker, image: "worker:1"}]
"""


def test_a_failed_hook_blocks_only_the_services_it_holds(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A pre-sync hook that fails blocks the service of its family; services of another
    family, in its own cluster or another one, are still created."""
    make_failing_tasks_possible()
    root = write(tmp_path / "m", sandbox, command="fail")
    stack = (root / "stack.yaml").read_text()
    hooked = stack.replace(
        "metadata: {name: migrate}",
        "metadata: {name: migrate, annotations: {ecsync/hook: pre-sync}}",
    )
    assert hooked != stack
    (root / "stack.yaml").write_text(
        hooked
        + WORKER
        + jobs.service(sandbox, "web", "jobs", "app")
        + jobs.service(sandbox, "worker", "other", "worker")
        + jobs.service(sandbox, "reports", "jobs", "worker")
    )

    report = sync(aws, root, defaults(), apply=True)
    assert outcomes(report) == {
        "Cluster/jobs": "created",
        "Cluster/other": "created",
        "TaskDefinition/app": "registered",
        "TaskDefinition/worker": "registered",
        "Task/jobs/migrate": "failed",
        "Service/jobs/web": "blocked",
        "Service/other/worker": "created",
        "Service/jobs/reports": "created",
    }
    blocked = next(r for r in report.results if str(r.id) == "Service/jobs/web")
    assert blocked.error == "not attempted: Task/jobs/migrate failed"
    assert ecs.describe_services(cluster="jobs", services=["web"])["services"] == []
