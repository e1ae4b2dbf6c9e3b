"""A rollout ecsync started is not drift while it converges, and a rollback is not redeployed."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from controller.apply.outcomes import Outcome, Result
from controller.aws.clients import Aws, AwsConfig
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired
from controller.core.service_state import DeploymentStatus
from controller.core.settings import defaults
from controller.diff.compare import FieldChange
from controller.plan.actions import Action, ActionType, Plan
from controller.reconcile import drift, judge
from controller.reconcile.desired import DesiredSet
from controller.reconcile.health import Health
from controller.reconcile.result import FORGET, KeyResult, Requeue
from controller.reconcile.target import Memory, Target
from tests.unit.reconcile.test_rollouts import D2, FakeEcs, live, record

WEB = ResourceId(Kind.SERVICE, "web", "prod")
AWS = Aws(AwsConfig("us-east-1", "http://127.0.0.1:9"))
CONVERGING = Action(
    ActionType.UPDATE,
    WEB,
    (FieldChange("/taskDefinition", "web", "arn:aws:ecs:eu-west-1:1:task-definition/web:7"),),
)


def world(memory: Memory, image: str = "web:8") -> Target:
    desired = DesiredSet.of(
        [Desired(WEB, {"cluster": "prod", "taskDefinition": "web", "image": image})], "rev-2"
    )
    return Target(AWS, defaults(), desired, memory)


def deployed(memory: Memory, target: Target) -> None:
    """A pass wrote WEB's manifests and ECS answered with deployment D2."""
    plan = Plan(actions=(CONVERGING,))
    results = [Result(WEB, Outcome.UPDATED, deployment=D2)]
    keys = judge.applied(
        target,
        plan,
        [WEB],
        {WEB: live()},
        results=results,
        decision=drift.Decision(plan.actions, {}, {}),
    )
    assert keys[WEB].requeue == Requeue(after=memory.rollout_poll)


def next_pass(memory: Memory, target: Target, status: DeploymentStatus, ecs: FakeEcs) -> KeyResult:
    ecs.records[D2] = record(D2, status, strategy="BLUE_GREEN", lifecycle_stage="BAKE_TIME")
    memory.rollouts.refresh(AWS, {WEB: live(current=D2)})
    plan = Plan(actions=(CONVERGING,))
    decision = drift.decide(plan, {}, target.desired, memory.drift, memory.rollouts)
    assert decision.to_apply == ()
    assert decision.drifted == {}
    keys = judge.applied(
        target, plan, [WEB], {WEB: live(current=D2)}, results=[], decision=decision
    )
    return keys[WEB]


def test_a_difference_while_ecsyncs_own_rollout_runs_is_not_drift(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Mid-rollout, the same manifests' difference is neither alerted nor written: the key
    stays Synced-unchanged, Progressing with the deployment's stage, and is polled again."""
    ecs, memory = FakeEcs(monkeypatch), Memory(rollout_poll=5.0)
    target = world(memory)
    deployed(memory, target)
    with capture_logs() as logs:
        key = next_pass(memory, target, DeploymentStatus.IN_PROGRESS, ecs)
    assert (key.outcome, key.health, key.requeue) == (
        Outcome.UNCHANGED,
        Health.PROGRESSING,
        Requeue(after=5.0),
    )
    assert key.rollout is not None
    assert (key.rollout.strategy, key.rollout.stage) == ("BLUE_GREEN", "BAKE_TIME")
    assert [e for e in logs if e["event"] == "drift_detected"] == []


def test_new_manifests_are_applied_even_while_a_rollout_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new commit (another fingerprint) mid-rollout is a sync: its action runs."""
    ecs, memory = FakeEcs(monkeypatch), Memory()
    deployed(memory, world(memory))
    ecs.records[D2] = record(D2, DeploymentStatus.IN_PROGRESS)
    memory.rollouts.refresh(AWS, {WEB: live(current=D2)})
    edited = world(memory, image="web:9")
    plan = Plan(actions=(CONVERGING,))
    decision = drift.decide(plan, {}, edited.desired, memory.drift, memory.rollouts)
    assert decision.to_apply == plan.actions


def test_a_rolled_back_service_stays_degraded_and_out_of_sync_without_a_redeploy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pass that sees the rollback and every later one on the same manifests leave the
    restored revision alone: pending (OutOfSync), Degraded with the reason, no drift alert,
    not polled."""
    ecs, memory = FakeEcs(monkeypatch), Memory()
    target = world(memory)
    deployed(memory, target)
    with capture_logs() as logs:
        seen = next_pass(memory, target, DeploymentStatus.ROLLBACK_SUCCESSFUL, ecs)
        later = next_pass(memory, target, DeploymentStatus.ROLLBACK_SUCCESSFUL, ecs)
    for key in (seen, later):
        assert (key.outcome, key.health, key.requeue) == (
            Outcome.PENDING,
            Health.DEGRADED,
            FORGET,
        )
        assert key.message is not None
        assert "rolled it back" in key.message
        assert "not deployed again until its manifests" in key.message
    assert later.rollout is not None
    assert later.rollout.status == "ROLLBACK_SUCCESSFUL"
    assert [e["event"] for e in logs if e["event"].startswith(("drift", "rollout"))] == [
        "rollout_rolled_back"
    ]
