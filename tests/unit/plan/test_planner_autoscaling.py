"""The planner with Application Auto Scaling: a scaled service's count is the scaler's,
policies carry no tags and belong to their target, and the order follows the service."""

from __future__ import annotations

from typing import Any

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, PRUNE_TAG, Annotations, Desired, Live
from controller.plan.actions import ActionType
from controller.plan.planner import PlanOptions, build_plan

OWNED = {OWNER_TAG: "ecsync"}
SERVICE = ResourceId(Kind.SERVICE, "web", "prod")
TARGET = ResourceId(Kind.SCALABLE_TARGET, "prod/web")
POLICY = ResourceId(Kind.SCALING_POLICY, "prod/web/cpu")
CLUSTER = ResourceId(Kind.CLUSTER, "prod")
TRACKING = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60.0,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
        },
    },
}


def service(scaled: bool, **spec: Any) -> Desired:
    annotations = Annotations(scaled_by=f"ScalableTarget/{TARGET.name}" if scaled else "")
    full = {"cluster": "prod", "taskDefinition": "web:1", "desiredCount": 2, **spec}
    return Desired(SERVICE, full, annotations)


def live_service(count: int) -> Live:
    spec = {"cluster": "prod", "taskDefinition": "web:1", "desiredCount": count, "tags": OWNED}
    return Live(SERVICE, "arn:aws:ecs:us-east-1:1:service/prod/web", spec, owner="ecsync")


def live_cluster() -> Live:
    return Live(CLUSTER, "arn:aws:ecs:us-east-1:1:cluster/prod", {"tags": {}})


def target(annotations: Annotations | None = None) -> Desired:
    return Desired(TARGET, {"MinCapacity": 1, "MaxCapacity": 4}, annotations or Annotations())


def live_target(owner: str | None = "ecsync", **tags: str) -> Live:
    spec = {
        "MinCapacity": 1,
        "MaxCapacity": 4,
        "tags": {**tags, **({OWNER_TAG: owner} if owner else {})},
    }
    return Live(
        TARGET, "arn:aws:application-autoscaling:us-east-1:1:scalable-target/x", spec, owner
    )


def live_policy(owner: str | None = "ecsync", **status: Any) -> Live:
    return Live(POLICY, "arn:aws:autoscaling:...:policyName/cpu", dict(TRACKING), owner, status)


def test_a_scaled_services_count_changed_by_the_scaler_is_not_written() -> None:
    """With a ScalableTarget on the service, a live count other than the manifest's gives no
    action, and the plan says the count is left to Application Auto Scaling."""
    live = {SERVICE: live_service(7), CLUSTER: live_cluster()}
    plan = build_plan([service(scaled=True)], live, PlanOptions())
    assert plan.actions == ()
    assert plan.notes == (
        "Service/prod/web: desiredCount left to Application Auto Scaling (ScalableTarget/prod/web)",
    )


def test_without_a_scalable_target_the_count_is_enforced() -> None:
    """The same difference on a service no target scales is an update of /desiredCount."""
    live = {SERVICE: live_service(7), CLUSTER: live_cluster()}
    (action,) = build_plan([service(scaled=False)], live, PlanOptions()).actions
    assert action.type is ActionType.UPDATE
    assert [c.path for c in action.changes] == ["/desiredCount"]


def test_a_scaled_service_is_created_with_the_manifests_count() -> None:
    """A create still sends the manifest's desiredCount: the scaler takes over after."""
    (action,) = build_plan([service(scaled=True)], {CLUSTER: live_cluster()}, PlanOptions()).actions
    assert action.type is ActionType.CREATE
    assert action.spec["desiredCount"] == 2


def test_other_changes_of_a_scaled_service_keep_the_live_count() -> None:
    """An update of another field writes that field only, and the spec it sends carries the
    scaler's count, not the manifest's."""
    live = {SERVICE: live_service(7), CLUSTER: live_cluster()}
    (action,) = build_plan(
        [service(scaled=True, taskDefinition="web:2")], live, PlanOptions()
    ).actions
    assert action.fields == frozenset({"taskDefinition"})
    assert action.spec["desiredCount"] == 7


def test_targets_follow_services_and_policies_follow_targets() -> None:
    """A new service, its target and its policy are created in that order, each depending
    on the one before."""
    desired = [service(scaled=True), target(), Desired(POLICY, dict(TRACKING))]
    plan = build_plan(desired, {CLUSTER: live_cluster()}, PlanOptions())
    assert [a.id for a in plan.actions] == [SERVICE, TARGET, POLICY]
    assert plan.actions[1].depends_on == (SERVICE,)
    assert plan.actions[2].depends_on == (TARGET,)


def test_a_policy_in_sync_has_no_tag_difference() -> None:
    """A policy has no tags in AWS; an owned one that matches its manifest is in sync."""
    desired = [target(), Desired(POLICY, dict(TRACKING))]
    live = {TARGET: live_target(), POLICY: live_policy()}
    plan = build_plan(desired, live, PlanOptions())
    assert plan.actions == ()
    assert set(plan.in_sync) == {TARGET, POLICY}


def test_a_policy_without_its_target_anywhere_is_a_problem() -> None:
    """A policy whose scalable target neither exists nor is in the manifests says so."""
    (problem,) = build_plan([Desired(POLICY, dict(TRACKING))], {}, PlanOptions()).problems
    assert "scalable target 'prod/web' is not registered" in problem.message


def test_prune_deletes_owned_policies_no_manifest_names() -> None:
    """A policy on an owned target that left the manifests is deleted; one on a target
    tagged ecsync:prune=false, or on a target another instance owns, is kept."""
    desired = [target()]
    live = {TARGET: live_target(), POLICY: live_policy()}
    options = PlanOptions(prune=True, confirm_prune=True)
    (delete,) = build_plan(desired, live, options).actions
    assert (delete.type, delete.id) == (ActionType.DELETE, POLICY)

    kept = {
        TARGET: live_target(**{PRUNE_TAG: "false"}),
        POLICY: live_policy(**{PRUNE_TAG: "false"}),
    }
    protected = [target(Annotations(prune=False))]
    assert build_plan(protected, kept, options).actions == ()
    theirs = {TARGET: live_target(owner="other"), POLICY: live_policy(owner="other")}
    assert build_plan([], theirs, options).actions == ()
