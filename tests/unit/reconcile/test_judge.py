"""The end of a pass: each key's outcome and when it comes back (controller-runtime's rules)."""

from __future__ import annotations

from controller.apply.outcomes import Outcome, Result
from controller.aws.clients import Aws, AwsConfig
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired, Live
from controller.core.service_state import Deployment, ServiceState
from controller.core.settings import defaults
from controller.diff.compare import FieldChange
from controller.plan.actions import Action, ActionType, Plan, Problem
from controller.reconcile import drift, judge
from controller.reconcile.desired import DesiredSet
from controller.reconcile.drift import DriftPolicy, DriftTracker
from controller.reconcile.health import Health
from controller.reconcile.result import BACKOFF, FORGET, KeyResult, Mode, Requeue
from controller.reconcile.target import Memory, Target

CLUSTER = ResourceId(Kind.CLUSTER, "shop")
WEB = ResourceId(Kind.SERVICE, "web", "shop")
API = ResourceId(Kind.SERVICE, "api", "shop")
GONE = ResourceId(Kind.SERVICE, "old", "shop")
AWS = Aws(AwsConfig("us-east-1", "http://127.0.0.1:9"))


def target(memory: Memory | None = None) -> Target:
    desired = DesiredSet.of(
        [
            Desired(CLUSTER, {}),
            Desired(WEB, {"cluster": "shop", "desiredCount": 2}),
            Desired(API, {"cluster": "shop", "desiredCount": 1}),
        ],
        "rev-1",
    )
    return Target(AWS, defaults(), desired, memory)


def steady(rid: ResourceId, running: int = 2) -> Live:
    """A service whose only deployment completed, running `running` of 2 tasks."""
    deployment = Deployment(id="d1", status="PRIMARY", rollout_state="COMPLETED")
    state = ServiceState(desired_count=2, running_count=running, deployments=(deployment,))
    return Live(rid, f"arn:{rid.name}", {}, status={"state": state})


def update(rid: ResourceId) -> Action:
    return Action(ActionType.UPDATE, rid, (FieldChange("/desiredCount", 2, 5),))


def nothing_held(plan: Plan) -> drift.Decision:
    return drift.Decision(plan.actions, {}, {})


def test_a_temporary_failure_backs_off_and_a_permanent_one_waits_for_a_change() -> None:
    """A retryable failure comes back with per-key backoff; a permanent one is forgotten
    until its input changes (controller-runtime's terminal error), both with their error."""
    plan = Plan(actions=(update(WEB), update(API)))
    results = [
        Result(WEB, Outcome.FAILED, "throttled", retryable=True),
        Result(API, Outcome.FAILED, "access denied", retryable=False),
    ]
    keys = judge.applied(
        target(), plan, [WEB, API], {}, results=results, decision=nothing_held(plan)
    )
    assert (keys[WEB].outcome, keys[WEB].requeue, keys[WEB].error) == (
        Outcome.FAILED,
        BACKOFF,
        "throttled",
    )
    assert (keys[API].requeue, keys[API].error) == (FORGET, "access denied")


def test_success_resets_and_remembers_what_converged() -> None:
    """A written key and an unchanged one are forgotten by the backoff; the memory records
    their fingerprint, so that a later difference on the same manifests is drift."""
    memory = Memory()
    plan = Plan(actions=(update(CLUSTER),))
    results = [Result(CLUSTER, Outcome.UPDATED)]
    keys = judge.applied(
        target(memory), plan, [CLUSTER, API], {}, results=results, decision=nothing_held(plan)
    )
    assert (keys[CLUSTER].outcome, keys[CLUSTER].requeue) == (Outcome.UPDATED, FORGET)
    assert (keys[API].outcome, keys[API].requeue) == (Outcome.UNCHANGED, FORGET)
    fingerprint = target().desired.fingerprint(API)
    assert memory.drift.is_drift(API, fingerprint)


def test_a_written_service_comes_back_to_follow_its_rollout() -> None:
    """After a service write the rollout is followed: the key comes back after the poll
    interval (requeue_after), and an unchanged steady service is healthy and forgotten."""
    memory = Memory(rollout_poll=7.0)
    plan = Plan(actions=(update(WEB),))
    results = [Result(WEB, Outcome.UPDATED)]
    live = {WEB: steady(WEB), API: steady(API)}
    keys = judge.applied(
        target(memory), plan, [WEB, API], live, results=results, decision=nothing_held(plan)
    )
    assert keys[WEB].requeue == Requeue(after=7.0)
    assert (keys[API].requeue, keys[API].health) == (FORGET, Health.HEALTHY)


def test_held_drift_problems_and_removals_keep_their_own_outcome() -> None:
    """Drift held back keeps its outcome and delay; a plan problem fails without a retry; a
    pruned resource is reported removed."""
    flapping = KeyResult(WEB, Outcome.DRIFT_HELD, Requeue(after=600.0), message="flap")
    plan = Plan(
        actions=(update(WEB), Action(ActionType.DELETE, GONE)),
        problems=(Problem(API, "cluster 'x' does not exist"),),
    )
    decision = drift.Decision((plan.actions[1],), {}, {WEB: flapping})
    results = [Result(GONE, Outcome.DELETED)]
    keys = judge.applied(target(), plan, [WEB, API], {}, results=results, decision=decision)
    assert keys[WEB] == flapping
    assert (keys[API].outcome, keys[API].requeue) == (Outcome.FAILED, FORGET)
    assert keys[API].error == "cluster 'x' does not exist"
    assert keys[GONE].outcome.removed


def test_a_pass_that_writes_nothing_reports_pending_changes() -> None:
    """A standby reports a due change as pending with why it did not write; a plan without
    memory reports it pending too, and the rest unchanged."""
    plan = Plan(actions=(update(WEB),))
    live = {API: steady(API, running=1)}
    standby = judge.unwritten(target(Memory()), plan, [WEB, API], live, Mode.OBSERVE)
    assert (standby[WEB].outcome, standby[WEB].message) == (Outcome.PENDING, judge.STANDBY)
    assert (standby[API].outcome, standby[API].health) == (Outcome.UNCHANGED, Health.DEGRADED)

    planned = judge.unwritten(target(), plan, [WEB, API], live, Mode.PLAN)
    assert (planned[WEB].outcome, planned[WEB].message) == (Outcome.PENDING, None)
    assert (planned[API].outcome, planned[API].health) == (Outcome.UNCHANGED, None)


def test_drift_is_held_for_the_flap_window_after_repeated_corrections() -> None:
    """The same drift corrected `flap_count` times is held back, coming back after the flap
    window; before that it is applied and marked as a correction."""
    memory = Memory(DriftTracker(DriftPolicy(flap_count=2, flap_window=30.0)))
    world = target(memory)
    memory.drift.converged(WEB, world.desired.fingerprint(WEB))
    plan = Plan(actions=(update(WEB),))

    first = drift.decide(plan, {}, world.desired, memory.drift)
    second = drift.decide(plan, {}, world.desired, memory.drift)

    assert first.to_apply == plan.actions
    assert WEB in first.drifted
    assert second.to_apply == ()
    assert second.held[WEB].requeue == Requeue(after=30.0)
    assert second.held[WEB].outcome is Outcome.DRIFT_HELD
