"""One-off tasks: run once per content version, and pre-sync hooks hold services."""

from __future__ import annotations

from typing import Any

import pytest

from controller.core import hooks
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Annotations, Desired, Live
from controller.plan.actions import ActionType
from controller.plan.planner import PlanOptions, build_plan
from controller.plan.tasks import fingerprint

TD_ARN = "arn:aws:ecs:us-east-1:1:task-definition/migrate:4"
HOOK = ResourceId(Kind.TASK, "migrate", "prod")
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


def service(name: str, task_definition: str, cluster: str = "prod") -> Desired:
    return Desired(
        ResourceId(Kind.SERVICE, name, cluster),
        {"cluster": cluster, "taskDefinition": task_definition},
    )


def test_pre_sync_hook_holds_service_updates_of_its_family() -> None:
    """A service running the hook's task definition family depends on the hook in the same
    sync; a service of another family does not wait for it."""
    web, worker = service("web", "migrate:3"), service("worker", "worker:1")
    plan = build_plan([task(hook="pre-sync"), web, worker], cluster_live(), PlanOptions())
    by_id = {a.id: a for a in plan.actions}
    assert by_id[web.id].depends_on == (ResourceId(Kind.CLUSTER, "prod"), HOOK)
    assert HOOK not in by_id[worker.id].depends_on


def test_failed_hook_still_holds_the_services_of_its_family() -> None:
    """A hook whose last run failed keeps blocking its own services, and no others."""
    live = with_record(f"{fingerprint(TASK_SPEC)} failed")
    web, worker = service("web", "migrate"), service("worker", "worker", cluster="batch")
    batch = Desired(ResourceId(Kind.CLUSTER, "batch"), {})
    plan = build_plan([task(hook="pre-sync"), web, worker, batch], live, PlanOptions())
    by_id = {a.id: a for a in plan.actions}
    assert HOOK in by_id[web.id].depends_on
    assert HOOK not in by_id[worker.id].depends_on


def test_hook_for_names_the_services_a_hook_holds() -> None:
    """With `ecsync/hook-for`, the hook holds exactly the services it names, by name in any
    cluster or as cluster/name, whatever their family."""
    hook = Desired(HOOK, TASK_SPEC, Annotations(hook="pre-sync", hook_for=("api", "batch/jobs")))
    api, jobs = service("api", "api:1", cluster="edge"), service("jobs", "jobs", cluster="batch")
    same_family, other_jobs = service("web", "migrate"), service("jobs", "jobs")
    clusters = [Desired(ResourceId(Kind.CLUSTER, name), {}) for name in ("edge", "batch")]
    desired = [hook, api, jobs, same_family, other_jobs, *clusters]
    plan = build_plan(desired, cluster_live(), PlanOptions())
    held = {a.id for a in plan.actions if HOOK in a.depends_on}
    assert held == {api.id, jobs.id}


def test_hooks_hold_services_by_the_family_of_any_reference() -> None:
    """A family, a family:revision and a task definition ARN name the same family."""
    hook = Desired(HOOK, {**TASK_SPEC, "taskDefinition": TD_ARN}, Annotations(hook="pre-sync"))
    assert hooks.holds(hook, service("a", "migrate"))
    assert hooks.holds(hook, service("b", "migrate:9"))
    assert not hooks.holds(hook, service("c", "migrate-v2:1"))
    assert not hooks.holds(hook, task())


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


def test_a_task_without_a_record_says_so() -> None:
    """A run planned because the cluster holds no record says that, not that content changed."""
    (action,) = build_plan([task()], cluster_live(), PlanOptions()).actions
    assert action.reason == "its cluster holds no run record (ecsync:task/<name>) for it"
    live = with_record(f"{fingerprint({**TASK_SPEC, 'count': 2})} succeeded")
    (action,) = build_plan([task()], live, PlanOptions()).actions
    assert action.reason == "its content changed since the last run"


@pytest.mark.parametrize("phase", ["post-sync", "sync-fail"])
def test_post_sync_and_sync_fail_hooks_are_never_planned_and_hold_nothing(phase: str) -> None:
    """The plan neither runs a post-sync or sync-fail hook, nor makes its services wait for
    it: the outcome of a sync starts it."""
    web = service("web", "migrate:3")
    plan = build_plan([task(hook=phase), web], cluster_live(), PlanOptions())
    assert [a.id for a in plan.actions] == [web.id]
    assert HOOK not in plan.actions[0].depends_on
    assert HOOK in plan.in_sync


def test_a_pre_sync_run_names_its_hook() -> None:
    """A pre-sync hook's run carries its phase (logged with its task events); a plain task's
    run carries none, and both record the fingerprint of their spec."""
    (hooked,) = build_plan([task(hook="pre-sync")], cluster_live(), PlanOptions()).actions
    (plain,) = build_plan([task()], cluster_live(), PlanOptions()).actions
    assert (hooked.hook, plain.hook) == ("pre-sync", "")
    assert hooked.record == plain.record == ""
