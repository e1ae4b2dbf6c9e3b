"""One-off tasks: run once per content version, and pre-sync hooks hold services."""

from __future__ import annotations

from typing import Any

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Annotations, Desired, Live
from controller.plan.actions import ActionType
from controller.plan.planner import PlanOptions, build_plan
from controller.plan.tasks import fingerprint

TD_ARN = "arn:aws:ecs:us-east-1:1:task-definition/migrate:4"
TASK_SPEC: dict[str, Any] = {
    "cluster": "prod",
    "taskDefinition": "migrate:4",
    "launchType": "FARGATE",
}


def task(spec: dict[str, Any] | None = None, hook: str | None = None) -> Desired:
    return Desired(
        ResourceId(Kind.TASK, "migrate", "prod"), spec or TASK_SPEC, Annotations(hook=hook)
    )


def cluster_live() -> dict[ResourceId, Live]:
    cid = ResourceId(Kind.CLUSTER, "prod")
    return {cid: Live(cid, "arn:cluster/prod", {"tags": {OWNER_TAG: "ecsync"}}, owner="ecsync")}


def with_record(value: str) -> dict[ResourceId, Live]:
    live = cluster_live()
    tid = ResourceId(Kind.TASK, "migrate", "prod")
    live[tid] = Live(tid, "arn:cluster/prod", {}, status={"record": value})
    return live


def test_task_without_a_record_runs() -> None:
    """A task never run before is planned as a run."""
    (action,) = build_plan([task()], cluster_live(), PlanOptions()).actions
    assert action.type is ActionType.RUN
    assert action.spec["tags"] == {OWNER_TAG: "ecsync"}


def test_task_with_a_successful_record_of_the_same_content_does_not_run() -> None:
    """Success recorded for this exact content means nothing to do."""
    live = with_record(f"{fingerprint(TASK_SPEC)} succeeded")
    assert build_plan([task()], live, PlanOptions()).empty


def test_the_record_of_a_planned_run_matches_the_next_plan() -> None:
    """Apply records the fingerprint of the action's spec (ownership tag added): the
    next plan must see the same version, or the task would run on every sync."""
    (action,) = build_plan([task()], cluster_live(), PlanOptions()).actions
    live = with_record(f"{fingerprint(action.spec)} succeeded")
    assert build_plan([task()], live, PlanOptions()).empty


def test_changed_content_runs_again() -> None:
    """A spec change is a new version of the task: it runs again."""
    live = with_record(f"{fingerprint(TASK_SPEC)} succeeded")
    changed = {**TASK_SPEC, "overrides": {"containerOverrides": [{"name": "m", "command": ["up"]}]}}
    (action,) = build_plan([task(changed)], live, PlanOptions()).actions
    assert action.type is ActionType.RUN


def test_failed_run_of_same_content_is_a_problem_not_a_rerun() -> None:
    """A failed run is not retried until its content changes."""
    live = with_record(f"{fingerprint(TASK_SPEC)} failed")
    plan = build_plan([task()], live, PlanOptions())
    assert not plan.actions
    assert "failed" in plan.problems[0].message


def test_run_interrupted_by_a_crash_is_resumed() -> None:
    """A recorded running task is waited for, not started again."""
    live = with_record(f"{fingerprint(TASK_SPEC)} running arn:task/abc")
    (action,) = build_plan([task()], live, PlanOptions()).actions
    assert action.resume_task == "arn:task/abc"


def test_pre_sync_hook_holds_service_updates() -> None:
    """Services in the same sync depend on a pre-sync hook that runs."""
    service = Desired(
        ResourceId(Kind.SERVICE, "web", "prod"), {"cluster": "prod", "taskDefinition": "web:1"}
    )
    plan = build_plan([task(hook="pre-sync"), service], cluster_live(), PlanOptions())
    run, create = plan.actions
    assert run.type is ActionType.RUN
    assert ResourceId(Kind.TASK, "migrate", "prod") in create.depends_on


def test_failed_hook_still_holds_services() -> None:
    """A hook whose last run failed keeps blocking the services of the sync."""
    service = Desired(
        ResourceId(Kind.SERVICE, "web", "prod"), {"cluster": "prod", "taskDefinition": "web:1"}
    )
    live = with_record(f"{fingerprint(TASK_SPEC)} failed")
    plan = build_plan([task(hook="pre-sync"), service], live, PlanOptions())
    (create,) = plan.actions
    assert ResourceId(Kind.TASK, "migrate", "prod") in create.depends_on


def test_task_on_a_family_being_registered_runs() -> None:
    """When the task's family gets a new revision, the task runs after it."""
    td = Desired(
        ResourceId(Kind.TASK_DEFINITION, "migrate"),
        {"containerDefinitions": [{"name": "m", "image": "x", "memory": 64}]},
    )
    plan = build_plan(
        [td, task({**TASK_SPEC, "taskDefinition": "migrate"})], cluster_live(), PlanOptions()
    )
    assert [a.type for a in plan.actions] == [ActionType.REGISTER, ActionType.RUN]
    assert ResourceId(Kind.TASK_DEFINITION, "migrate") in plan.actions[1].depends_on
