"""Application Auto Scaling through the moto server: readers in batches and pages, writers
that send only what changed, and ownership through the scalable target's tag."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import autoscaling
from controller.aws.clients import Aws
from controller.aws.writers import WRITERS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Desired, Live
from controller.plan.planner import PlanOptions, build_plan
from tests.support.arrange import register
from tests.support.counting import CallCounter

TARGET = ResourceId(Kind.SCALABLE_TARGET, "prod/web")
POLICY = ResourceId(Kind.SCALING_POLICY, "prod/web/cpu")
TARGETS = WRITERS[Kind.SCALABLE_TARGET]
POLICIES = WRITERS[Kind.SCALING_POLICY]
ACTIONS = [
    {
        "ScheduledActionName": "mornings",
        "Schedule": "cron(0 7 * * ? *)",
        "StartTime": "2030-01-01T00:00:00Z",
        "ScalableTargetAction": {"MinCapacity": 3},
    },
    {
        "ScheduledActionName": "nights",
        "Schedule": "cron(0 22 * * ? *)",
        "ScalableTargetAction": {"MaxCapacity": 2},
    },
]
SPEC: dict[str, Any] = {
    "MinCapacity": 1,
    "MaxCapacity": 4,
    "ScheduledActions": ACTIONS,
    "tags": {OWNER_TAG: "ecsync", "team": "web"},
}
TRACKING: dict[str, Any] = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
        },
    },
}
WRITES = (
    "RegisterScalableTarget",
    "PutScheduledAction",
    "DeleteScheduledAction",
    "TagResource",
    "UntagResource",
    "PutScalingPolicy",
    "DeleteScalingPolicy",
    "DeregisterScalableTarget",
)


@pytest.fixture
def services(ecs: Any) -> Any:
    """Makes ECS services in cluster prod (a scalable target needs its service to exist)."""
    ecs.create_cluster(clusterName="prod")
    register(ecs, "web")

    def make(*names: str) -> None:
        for name in names:
            ecs.create_service(
                cluster="prod", serviceName=name, taskDefinition="web", desiredCount=2
            )

    make("web")
    return make


def writes(calls_sent: CallCounter) -> dict[str, int]:
    return {op: calls_sent[op] for op in WRITES if calls_sent[op]}


def read(aws: Aws, actions: bool = True) -> dict[ResourceId, Live]:
    return autoscaling.read(aws, {"prod/web": actions}, {"prod/web": frozenset({"cpu"})})


def in_sync(desired: list[Desired], live: dict[ResourceId, Live]) -> bool:
    return build_plan(desired, live, PlanOptions()).empty


def test_a_created_target_reads_back_owned_and_in_sync(aws: Aws, services: Any) -> None:
    """A target created with scheduled actions and tags reads back owned, with the defaults
    AWS fills in, and its manifest plans nothing against it."""
    arn = TARGETS.create(aws, TARGET, SPEC)
    live = read(aws)[TARGET]

    assert live.arn == arn
    assert live.owner == "ecsync"
    assert live.spec["tags"] == SPEC["tags"]
    assert live.spec["SuspendedState"] == {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    }
    assert "AWSServiceRoleForApplicationAutoScaling_ECSService" in live.spec["RoleARN"]
    manifest = {k: v for k, v in SPEC.items() if k != "tags"} | {"tags": {"team": "web"}}
    assert in_sync([Desired(TARGET, manifest)], {TARGET: live})


def test_scheduled_actions_are_read_only_when_asked(
    aws: Aws, services: Any, calls_sent: CallCounter
) -> None:
    """Without its scheduled actions a target costs no DescribeScheduledActions."""
    TARGETS.create(aws, TARGET, SPEC)
    calls_sent.clear()

    live = read(aws, actions=False)[TARGET]

    assert "ScheduledActions" not in live.spec
    assert calls_sent["DescribeScheduledActions"] == 0
    assert calls_sent["ListTagsForResource"] == 1


def test_an_update_sends_only_what_changed(
    aws: Aws, services: Any, calls_sent: CallCounter
) -> None:
    """A new maximum is one RegisterScalableTarget with MaxCapacity alone; a changed tag one
    TagResource and a removed one UntagResource; a dropped scheduled action is deleted."""
    TARGETS.create(aws, TARGET, {**SPEC, "tags": {OWNER_TAG: "ecsync", "team": "web", "old": "x"}})
    calls_sent.clear()
    desired = {
        **SPEC,
        "MaxCapacity": 8,
        "ScheduledActions": ACTIONS[:1],
        "tags": {OWNER_TAG: "ecsync", "team": "platform"},
    }

    TARGETS.update(
        aws,
        TARGET,
        desired,
        read(aws)[TARGET],
        frozenset({"MaxCapacity", "ScheduledActions", "tags"}),
    )

    assert writes(calls_sent) == {
        "RegisterScalableTarget": 1,
        "PutScheduledAction": 1,
        "DeleteScheduledAction": 1,
        "TagResource": 1,
        "UntagResource": 1,
    }
    (register_call,) = calls_sent.params("RegisterScalableTarget")
    assert register_call["MaxCapacity"] == 8
    assert "MinCapacity" not in register_call
    live = read(aws)[TARGET]
    assert live.spec["MaxCapacity"] == 8
    assert [a["ScheduledActionName"] for a in live.spec["ScheduledActions"]] == ["mornings"]
    assert live.spec["tags"] == {OWNER_TAG: "ecsync", "team": "platform"}


def test_a_policy_belongs_to_its_targets_owner(aws: Aws, services: Any) -> None:
    """A policy put on an owned target reads back owned by the target's owner, and in sync
    with its manifest (60 and 60.0 are one target value); read alone, it brings its target."""
    TARGETS.create(aws, TARGET, SPEC)
    arn = POLICIES.create(aws, POLICY, {**TRACKING, "tags": {OWNER_TAG: "ecsync"}})

    live = read(aws)
    policy = live[POLICY]

    assert policy.arn == arn
    assert policy.owner == "ecsync"
    assert policy.status["Alarms"]
    assert in_sync([Desired(POLICY, TRACKING)], live)
    alone = autoscaling.read(aws, {}, {"prod/web": frozenset({"cpu"})})
    assert set(alone) == {TARGET, POLICY}  # a policy's target comes with it


def test_deleting_the_target_deletes_its_policies(aws: Aws, services: Any) -> None:
    """DeregisterScalableTarget takes the target's policies and scheduled actions with it."""
    TARGETS.create(aws, TARGET, SPEC)
    POLICIES.create(aws, POLICY, TRACKING)

    TARGETS.delete(aws, TARGET, read(aws)[TARGET])

    assert read(aws) == {}
    TARGETS.delete(aws, TARGET, Live(TARGET, "", {}))  # already gone: not an error


def test_list_owned_finds_owned_targets_and_their_policies(aws: Aws, services: Any) -> None:
    """Prune's listing holds this instance's targets and their policies, not another's."""
    services("api")
    TARGETS.create(aws, TARGET, SPEC)
    POLICIES.create(aws, POLICY, TRACKING)
    other = ResourceId(Kind.SCALABLE_TARGET, "prod/api")
    TARGETS.create(aws, other, {"MinCapacity": 1, "MaxCapacity": 2, "tags": {OWNER_TAG: "other"}})
    POLICIES.create(aws, ResourceId(Kind.SCALING_POLICY, "prod/api/cpu"), TRACKING)

    owned = autoscaling.list_owned(aws, "ecsync")

    assert set(owned) == {TARGET, POLICY}


def test_many_targets_are_read_fifty_at_a_time(
    aws: Aws, services: Any, calls_sent: CallCounter
) -> None:
    """60 targets cost two DescribeScalableTargets (50 ResourceIds each at most), one
    ListTagsForResource each, and their policies one paged listing of the namespace."""
    names = [f"s{i:02}" for i in range(60)]
    services(*names)
    for name in names:
        TARGETS.create(
            aws,
            ResourceId(Kind.SCALABLE_TARGET, f"prod/{name}"),
            {"MinCapacity": 1, "MaxCapacity": 2},
        )
        POLICIES.create(aws, ResourceId(Kind.SCALING_POLICY, f"prod/{name}/cpu"), TRACKING)
    calls_sent.clear()

    live = autoscaling.read(
        aws,
        dict.fromkeys((f"prod/{n}" for n in names), False),
        {f"prod/{n}": frozenset({"cpu"}) for n in names},
    )

    assert len(live) == 120
    assert calls_sent["DescribeScalableTargets"] == 2
    assert all(len(p["ResourceIds"]) <= 50 for p in calls_sent.params("DescribeScalableTargets"))
    assert calls_sent["ListTagsForResource"] == 60
    assert calls_sent["DescribeScalingPolicies"] == 6  # 60 policies, 10 a page
    assert all("ResourceId" not in p for p in calls_sent.params("DescribeScalingPolicies"))


def test_read_desired_reads_what_the_manifests_name(
    aws: Aws, services: Any, calls_sent: CallCounter
) -> None:
    """Manifests without autoscaling cost no call; a target's scheduled actions are read
    only when its manifest sets ScheduledActions; policies come with their targets."""
    TARGETS.create(aws, TARGET, SPEC)
    POLICIES.create(aws, POLICY, TRACKING)
    calls_sent.clear()
    assert autoscaling.read_desired(aws, [Desired(ResourceId(Kind.CLUSTER, "prod"), {})]) == {}
    assert sum(calls_sent.counts.values()) == 0

    plain = autoscaling.read_desired(aws, [Desired(TARGET, {"MinCapacity": 1})])
    assert "ScheduledActions" not in plain[TARGET].spec
    assert calls_sent["DescribeScheduledActions"] == 0

    both = autoscaling.read_desired(
        aws, [Desired(TARGET, {"ScheduledActions": []}), Desired(POLICY, TRACKING)]
    )
    assert set(both) == {TARGET, POLICY}
    assert len(both[TARGET].spec["ScheduledActions"]) == 2
