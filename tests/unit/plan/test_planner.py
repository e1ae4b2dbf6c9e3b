"""The planner: minimal, ordered, typed actions from desired and live state."""

from __future__ import annotations

import copy
from typing import Any

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import (
    CONTENT_HASH_TAG,
    OWNER_TAG,
    PRUNE_TAG,
    Annotations,
    Desired,
    Live,
)
from controller.diff.normalise import normalise
from controller.diff.normalise.task_definition import content_hash
from controller.plan.actions import ActionType
from controller.plan.planner import PlanOptions, build_plan

OWNED = {OWNER_TAG: "ecsync"}
TD_SPEC: dict[str, Any] = {
    "containerDefinitions": [{"name": "web", "image": "nginx:1", "memory": 256}]
}


def service(name: str = "web", annotations: Annotations | None = None, **spec: Any) -> Desired:
    full = {"cluster": "prod", "taskDefinition": "web", **spec}
    return Desired(ResourceId(Kind.SERVICE, name, "prod"), full, annotations or Annotations())


def cluster(name: str = "prod", **spec: Any) -> Desired:
    return Desired(ResourceId(Kind.CLUSTER, name), spec)


def taskdef(spec: dict[str, Any] | None = None, annotations: Annotations | None = None) -> Desired:
    return Desired(
        ResourceId(Kind.TASK_DEFINITION, "web"), spec or TD_SPEC, annotations or Annotations()
    )


def live_taskdef(spec: dict[str, Any], revision: int = 3, owner: str | None = "ecsync") -> Live:
    arn = f"arn:aws:ecs:us-east-1:1:task-definition/web:{revision}"
    digest = content_hash(normalise(Kind.TASK_DEFINITION, spec))
    tags = {OWNER_TAG: owner, CONTENT_HASH_TAG: digest} if owner else {}
    return Live(
        ResourceId(Kind.TASK_DEFINITION, "web"),
        arn,
        {**spec, "tags": tags},
        owner=owner,
        status={
            "revision": revision,
            "revisions": [
                {
                    "arn": arn,
                    "revision": revision,
                    "owner": owner,
                    "content_hash": digest if owner else None,
                }
            ],
        },
    )


def live_service(task_arn: str, **spec: Any) -> Live:
    full = {"cluster": "prod", "taskDefinition": task_arn, "tags": dict(OWNED), **spec}
    return Live(ResourceId(Kind.SERVICE, "web", "prod"), "arn:svc", full, owner="ecsync")


def live_cluster(name: str = "prod", owner: str | None = "ecsync", **spec: Any) -> Live:
    tags = {OWNER_TAG: owner} if owner else {}
    return Live(
        ResourceId(Kind.CLUSTER, name), f"arn:cluster/{name}", {"tags": tags, **spec}, owner=owner
    )


def in_sync_world(desired_count: int = 2) -> tuple[list[Desired], dict[ResourceId, Live]]:
    td = live_taskdef(TD_SPEC)
    desired = [cluster(), taskdef(), service(desiredCount=desired_count)]
    live = {
        ResourceId(Kind.CLUSTER, "prod"): live_cluster(),
        td.id: td,
        ResourceId(Kind.SERVICE, "web", "prod"): live_service(td.arn, desiredCount=2),
    }
    return desired, live


def test_everything_missing_is_created_in_dependency_order() -> None:
    """With nothing live, the cluster, then the task definition, then the service are created."""
    plan = build_plan([service(desiredCount=1), taskdef(), cluster()], {}, PlanOptions())
    assert [(a.type, a.id.kind) for a in plan.actions] == [
        (ActionType.CREATE, Kind.CLUSTER),
        (ActionType.REGISTER, Kind.TASK_DEFINITION),
        (ActionType.CREATE, Kind.SERVICE),
    ]
    svc = plan.actions[2]
    assert set(svc.depends_on) == {
        ResourceId(Kind.CLUSTER, "prod"),
        ResourceId(Kind.TASK_DEFINITION, "web"),
    }
    assert svc.spec["tags"] == OWNED


def test_in_sync_world_plans_nothing() -> None:
    """When live equals desired, the plan is empty and every resource is in sync."""
    desired, live = in_sync_world()
    plan = build_plan(desired, live, PlanOptions())
    assert plan.empty
    assert len(plan.in_sync) == 3
    assert plan.resolved_task_definitions == {
        "web": live[ResourceId(Kind.TASK_DEFINITION, "web")].arn
    }


def test_desired_count_drift_updates_only_that_field() -> None:
    """A changed desired count is one update that writes desiredCount alone."""
    desired, live = in_sync_world(desired_count=3)
    plan = build_plan(desired, live, PlanOptions())
    (action,) = plan.actions
    assert action.type is ActionType.UPDATE
    assert action.fields == frozenset({"desiredCount"})
    assert [(c.path, c.desired, c.live) for c in action.changes] == [("/desiredCount", 3, 2)]


def test_planning_never_changes_the_desired_specs() -> None:
    """Writes get their own copy: the loaded specs stay as they were (drift compares them)."""
    desired, live = in_sync_world(desired_count=3)
    desired[0].spec["tags"] = {"team": "web"}
    before = copy.deepcopy([d.spec for d in desired])

    plan = build_plan(desired, live, PlanOptions())
    for action in plan.actions:
        action.spec["tags"]["extra"] = "x"

    assert {a.type for a in plan.actions} == {ActionType.UPDATE}
    assert [d.spec for d in desired] == before


def test_omitted_fields_are_not_managed() -> None:
    """A live field the manifest leaves out (autoscaled desiredCount) is left alone."""
    desired, live = in_sync_world()
    desired[2] = service()
    live[ResourceId(Kind.SERVICE, "web", "prod")] = live_service(
        live[ResourceId(Kind.TASK_DEFINITION, "web")].arn, desiredCount=9
    )
    assert build_plan(desired, live, PlanOptions()).empty


def test_ignore_annotation_hides_drift_and_keeps_live_value() -> None:
    """`ecsync/ignore: /desiredCount` neither reports nor corrects that field."""
    desired, live = in_sync_world()
    desired[2] = service(
        annotations=Annotations(ignore=("/desiredCount",)), desiredCount=2, launchType="FARGATE"
    )
    td_arn = live[ResourceId(Kind.TASK_DEFINITION, "web")].arn
    live[ResourceId(Kind.SERVICE, "web", "prod")] = live_service(
        td_arn, desiredCount=7, launchType="FARGATE"
    )
    assert build_plan(desired, live, PlanOptions()).empty


def test_task_definition_change_registers_and_updates_service() -> None:
    """A new image means one new revision and one service update of taskDefinition."""
    desired, live = in_sync_world()
    desired[1] = taskdef(
        {"containerDefinitions": [{"name": "web", "image": "nginx:2", "memory": 256}]}
    )
    plan = build_plan(desired, live, PlanOptions())
    assert [(a.type, a.id.kind) for a in plan.actions] == [
        (ActionType.REGISTER, Kind.TASK_DEFINITION),
        (ActionType.UPDATE, Kind.SERVICE),
    ]
    register, update = plan.actions
    assert [c.path for c in register.changes] == ["/containerDefinitions/0/image"]
    assert register.spec["tags"][CONTENT_HASH_TAG] == content_hash(
        normalise(Kind.TASK_DEFINITION, desired[1].spec)
    )
    assert update.fields == frozenset({"taskDefinition"})
    assert update.changes[0].desired == "web:(new revision)"


def test_revision_with_matching_content_hash_is_reused() -> None:
    """An owned revision whose content hash matches is reused, not registered again."""
    td = live_taskdef(TD_SPEC, revision=4)
    newer = Live(
        td.id,
        "arn:aws:ecs:us-east-1:1:task-definition/web:5",
        {"containerDefinitions": [{"name": "web", "image": "hand-made"}]},
        owner="ecsync",
        status={
            "revisions": [
                *td.status["revisions"],
                {
                    "arn": "arn:aws:ecs:us-east-1:1:task-definition/web:5",
                    "revision": 5,
                    "owner": None,
                    "content_hash": None,
                },
            ]
        },
    )
    plan = build_plan([taskdef()], {td.id: newer}, PlanOptions())
    assert plan.empty
    assert plan.resolved_task_definitions["web"] == td.arn


def test_launch_type_change_replaces_the_service() -> None:
    """ECS cannot change launchType in place, so the service is replaced."""
    desired, live = in_sync_world()
    desired[2] = service(desiredCount=2, launchType="FARGATE")
    td_arn = live[ResourceId(Kind.TASK_DEFINITION, "web")].arn
    live[ResourceId(Kind.SERVICE, "web", "prod")] = live_service(
        td_arn, desiredCount=2, launchType="EC2"
    )
    (action,) = build_plan(desired, live, PlanOptions()).actions
    assert action.type is ActionType.REPLACE
    assert "launchType" in action.reason


def test_unowned_resource_with_changes_needs_adoption() -> None:
    """An existing resource ecsync did not create is reported, not changed."""
    desired = [cluster(settings=[{"name": "containerInsights", "value": "enabled"}])]
    live = {
        ResourceId(Kind.CLUSTER, "prod"): live_cluster(
            owner=None, settings=[{"name": "containerInsights", "value": "disabled"}]
        )
    }
    plan = build_plan(desired, live, PlanOptions())
    assert not plan.actions
    (problem,) = plan.problems
    assert "ecsync/adopt" in problem.message


def test_unowned_resource_without_changes_is_in_sync() -> None:
    """An unowned resource that already matches needs nothing, and no tag is added."""
    desired = [cluster()]
    live = {ResourceId(Kind.CLUSTER, "prod"): live_cluster(owner=None)}
    assert build_plan(desired, live, PlanOptions()).empty


def test_adopt_adds_the_ownership_tag() -> None:
    """With --adopt, an unowned resource gets the ownership tag and nothing else."""
    desired = [cluster()]
    live = {ResourceId(Kind.CLUSTER, "prod"): live_cluster(owner=None)}
    (action,) = build_plan(desired, live, PlanOptions(adopt=True)).actions
    assert action.type is ActionType.UPDATE
    assert [c.path for c in action.changes] == ["/tags/ecsync:managed-by"]
    assert action.spec["tags"] == OWNED


def test_resource_owned_by_another_instance_is_never_touched() -> None:
    """A resource tagged by another ecsync instance is a problem, never an action."""
    desired = [cluster(settings=[{"name": "containerInsights", "value": "enabled"}])]
    live = {ResourceId(Kind.CLUSTER, "prod"): live_cluster(owner="other")}
    plan = build_plan(desired, live, PlanOptions())
    assert not plan.actions
    assert "'other'" in plan.problems[0].message


def test_prune_deletes_only_owned_resources_missing_from_manifests() -> None:
    """Prune deletes owned leftovers, never unowned ones, and only when asked
    (1 of 2 owned is above the mass-deletion guard's share, so it is confirmed)."""
    live = {
        ResourceId(Kind.CLUSTER, "old"): live_cluster("old"),
        ResourceId(Kind.CLUSTER, "theirs"): live_cluster("theirs", owner=None),
        ResourceId(Kind.CLUSTER, "prod"): live_cluster("prod"),
    }
    assert build_plan([cluster()], live, PlanOptions()).empty
    plan = build_plan([cluster()], live, PlanOptions(prune=True, confirm_prune=True))
    assert [(a.type, a.id.name) for a in plan.actions] == [(ActionType.DELETE, "old")]


def test_prune_deletes_nothing_after_a_failed_load() -> None:
    """When any manifest failed to load, prune deletes nothing and says so."""
    live = {ResourceId(Kind.CLUSTER, "old"): live_cluster("old")}
    plan = build_plan([], live, PlanOptions(prune=True, load_ok=False))
    assert not plan.actions
    assert "failed to load" in plan.notes[0]


def test_prune_false_tag_protects_a_resource() -> None:
    """A live resource tagged ecsync:prune=false survives prune."""
    protected = live_cluster("old")
    protected.spec["tags"][PRUNE_TAG] = "false"
    plan = build_plan([], {protected.id: protected}, PlanOptions(prune=True))
    assert plan.empty


def test_prune_false_annotation_becomes_a_tag() -> None:
    """`ecsync/prune: "false"` is written to the resource as a tag when it is created."""
    desired = [Desired(ResourceId(Kind.CLUSTER, "prod"), {}, Annotations(prune=False))]
    (action,) = build_plan(desired, {}, PlanOptions()).actions
    assert action.spec["tags"] == {**OWNED, PRUNE_TAG: "false"}


def test_deletes_run_in_reverse_dependency_order() -> None:
    """Services are deleted before task definitions, which go before clusters (a confirmed
    prune: the manifests name nothing)."""
    td = live_taskdef(TD_SPEC)
    live = {
        ResourceId(Kind.CLUSTER, "prod"): live_cluster(),
        td.id: td,
        ResourceId(Kind.SERVICE, "web", "prod"): live_service(td.arn),
    }
    plan = build_plan([], live, PlanOptions(prune=True, confirm_prune=True))
    assert [a.id.kind for a in plan.actions] == [Kind.SERVICE, Kind.TASK_DEFINITION, Kind.CLUSTER]


def test_clusters_referenced_by_services_are_not_pruned() -> None:
    """An owned cluster that a desired service still runs in is never pruned."""
    td = live_taskdef(TD_SPEC)
    live = {ResourceId(Kind.CLUSTER, "prod"): live_cluster(), td.id: td}
    plan = build_plan([taskdef(), service(desiredCount=1)], live, PlanOptions(prune=True))
    assert [a.type for a in plan.actions] == [ActionType.CREATE]


def test_service_in_unknown_cluster_is_a_problem() -> None:
    """A service whose cluster is neither in the manifests nor in AWS is reported."""
    plan = build_plan([taskdef(), service()], {}, PlanOptions())
    assert [p.id.kind for p in plan.problems] == [Kind.SERVICE]
    assert "cluster 'prod' does not exist" in plan.problems[0].message


def test_waves_order_before_kind_rank() -> None:
    """A lower ecsync/wave goes first even when its kind ranks later."""
    early = Desired(ResourceId(Kind.TASK_DEFINITION, "migrate"), TD_SPEC, Annotations(wave=-1))
    plan = build_plan([cluster(), early], {}, PlanOptions())
    assert [a.id.name for a in plan.actions] == ["migrate", "prod"]
