"""Service health: one fixture file per state, plus the edges between the rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from controller.aws.services import service_state
from controller.reconcile.health import Assessment, Health, Rollout, assess_service, worst

FIXTURES = Path(__file__).parents[2] / "fixtures" / "health"
CASES = sorted(FIXTURES.glob("*.json"))


def deployment(id: str = "ecs-svc/1", status: str = "PRIMARY", **fields: Any) -> dict[str, Any]:
    base = {"id": id, "status": status, "taskDefinition": "web:1", "desiredCount": 2}
    return base | {"runningCount": 2, "pendingCount": 0} | fields


def service(*deployments: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"status": "ACTIVE", "desiredCount": 2, "runningCount": 2}
    return base | {"pendingCount": 0, "deployments": list(deployments), "events": []} | fields


def assess(service: dict[str, Any]) -> Assessment:
    """The assessment of one DescribeServices item, read as the aws layer reads it."""
    return assess_service(service_state(service))


def test_every_state_has_a_fixture() -> None:
    """The fixture folder holds at least the nine states the health rules distinguish."""
    names = {case.stem for case in CASES}
    assert {
        "steady-healthy",
        "rollout-in-progress",
        "rollout-completed-new-deployment",
        "rollout-failed-circuit-breaker-rollback",
        "failed-tasks-during-rollout",
        "degraded-below-desired",
        "scaled-to-zero",
        "draining",
        "legacy-no-rollout-state",
    } <= names


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_fixture(case: Path) -> None:
    """Each real-shaped DescribeServices service assesses to the result its file expects."""
    doc = json.loads(case.read_text())
    expected = doc["expected"]
    rollout = expected["rollout"]
    assert assess(doc["service"]) == Assessment(
        health=Health(expected["health"]),
        rollout=Rollout(rollout) if rollout else None,
        message=expected["message"],
        deployment_id=expected["deploymentId"],
    )


def test_health_order_is_argo_cds() -> None:
    """Health ranks Healthy < Progressing < Degraded < Missing < Unknown."""
    ranked = sorted(Health, key=lambda h: h.rank)
    assert ranked == [
        Health.HEALTHY,
        Health.PROGRESSING,
        Health.DEGRADED,
        Health.MISSING,
        Health.UNKNOWN,
    ]


def test_worst_picks_the_highest_rank() -> None:
    """worst() returns the worst of its arguments, and Healthy when given none."""
    assert worst(Health.HEALTHY, Health.DEGRADED, Health.PROGRESSING) is Health.DEGRADED
    assert worst(Health.MISSING, Health.UNKNOWN) is Health.UNKNOWN
    assert worst() is Health.HEALTHY


def test_inactive_service_is_missing() -> None:
    """A deleted (INACTIVE) service is Missing, with no rollout."""
    result = assess(service(deployment(), status="INACTIVE"))
    assert (result.health, result.rollout, result.message) == (
        Health.MISSING,
        None,
        "service is INACTIVE",
    )


def test_unrecognised_service_status_is_unknown() -> None:
    """A service status ECS does not document yields Unknown rather than a guess."""
    assert assess(service(status="PAUSED")).health is Health.UNKNOWN


def test_missing_counts_is_unknown() -> None:
    """Without desiredCount/runningCount nothing can be said: Unknown."""
    result = assess({"status": "ACTIVE", "deployments": [deployment()]})
    assert result.health is Health.UNKNOWN
    assert result.deployment_id == "ecs-svc/1"


def test_single_in_progress_deployment_is_progressing() -> None:
    """A first deployment still starting its tasks is Progressing, not Degraded."""
    first = deployment(runningCount=0, pendingCount=2, rolloutState="IN_PROGRESS")
    result = assess(service(first, runningCount=0, pendingCount=2))
    assert result.health is Health.PROGRESSING
    assert result.rollout is Rollout.IN_PROGRESS
    assert (
        result.message
        == "deployment ecs-svc/1 (web:1) in progress: 0 of 2 tasks running, 2 pending"
    )


def test_in_progress_with_all_tasks_running_waits_for_ecs() -> None:
    """All tasks running is still Progressing until ECS itself marks the rollout COMPLETED."""
    result = assess(service(deployment(rolloutState="IN_PROGRESS")))
    assert result.health is Health.PROGRESSING


def test_legacy_two_deployments_is_progressing() -> None:
    """Without rolloutState, more than one live deployment means a rollout is under way."""
    result = assess(
        service(deployment(), deployment("ecs-svc/0", "ACTIVE", runningCount=1), runningCount=3)
    )
    assert (result.health, result.rollout) == (Health.PROGRESSING, None)


def test_inactive_deployments_do_not_count() -> None:
    """An INACTIVE deployment left in the list is not a rollout in flight."""
    result = assess(service(deployment(), deployment("ecs-svc/0", "INACTIVE")))
    assert result.health is Health.HEALTHY


def test_no_deployments_falls_back_to_counts() -> None:
    """A service with no deployments at all (external controller) is judged by its counts."""
    result = assess(service(runningCount=1))
    assert (result.health, result.message, result.deployment_id) == (
        Health.DEGRADED,
        "1 of 2 tasks running",
        None,
    )


def test_pending_tasks_are_shown_when_below_desired() -> None:
    """A steady service replacing a stopped task says how many are pending."""
    result = assess(service(deployment(rolloutState="COMPLETED"), runningCount=1, pendingCount=1))
    assert (result.health, result.message) == (Health.DEGRADED, "1 of 2 tasks running, 1 pending")


def test_more_running_than_desired_is_progressing() -> None:
    """During scale-in the extra tasks are still stopping: Progressing."""
    result = assess(service(deployment(rolloutState="COMPLETED"), runningCount=3))
    assert (result.health, result.message) == (
        Health.PROGRESSING,
        "3 of 2 tasks running; stopping 1",
    )


def test_scaled_to_zero_while_tasks_stop_is_progressing() -> None:
    """desiredCount 0 is Healthy only once the last task has stopped."""
    result = assess(service(deployment(rolloutState="COMPLETED"), desiredCount=0))
    assert result.health is Health.PROGRESSING


def test_old_failed_deployment_without_rollback_is_history() -> None:
    """A FAILED deployment that a newer PRIMARY replaced (no rollback to it) does not degrade."""
    newer = deployment("ecs-svc/3", rolloutState="COMPLETED")
    old = deployment("ecs-svc/2", "ACTIVE", rolloutState="FAILED", runningCount=0)
    result = assess(service(newer, old))
    assert result.health is Health.HEALTHY


def test_rollback_to_another_deployment_is_ignored() -> None:
    """A rollback event naming an earlier deployment says nothing about today's PRIMARY."""
    events = [{"message": "(service web) rolling back to deployment ecs-svc/1."}]
    current = deployment("ecs-svc/9", rolloutState="COMPLETED")
    assert assess(service(current, events=events)).health is Health.HEALTHY


def test_rollback_named_in_rollout_state_reason() -> None:
    """A rollback stated only in the PRIMARY's rolloutStateReason is still a failed rollout."""
    primary = deployment(
        "ecs-svc/5",
        rolloutState="IN_PROGRESS",
        rolloutStateReason="ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/5.",
    )
    result = assess(service(primary))
    assert (result.health, result.rollout, result.message) == (
        Health.DEGRADED,
        Rollout.FAILED,
        "a deployment failed; ECS is rolling back to deployment ecs-svc/5",
    )


def test_failed_primary_without_reason() -> None:
    """A FAILED PRIMARY with no reason still says which deployment failed."""
    result = assess(service(deployment(rolloutState="FAILED")))
    assert result.message == "deployment ecs-svc/1 failed: rollout failed"


def test_boto3_datetimes_are_accepted() -> None:
    """boto3 output (datetimes, not ISO strings) assesses the same as JSON."""
    when = datetime(2024, 5, 14, 9, 12, tzinfo=UTC)
    status = service(
        deployment(rolloutState="COMPLETED", createdAt=when, updatedAt=when),
        events=[{"message": "(service web) has reached a steady state.", "createdAt": when}],
    )
    assert assess(status).health is Health.HEALTHY


def test_unknown_rollout_state_falls_back_to_counts() -> None:
    """A rolloutState this code does not know is treated as absent, not trusted."""
    result = assess(service(deployment(rolloutState="PAUSED")))
    assert (result.health, result.rollout) == (Health.HEALTHY, None)


def test_primary_without_id_is_never_a_rollback() -> None:
    """A PRIMARY with no id cannot be matched by a rollback note, so it is judged by its counts."""
    primary = deployment(rolloutState="COMPLETED")
    del primary["id"]
    events = [{"message": "(service web) has reached a steady state."}]
    result = assess(service(primary, events=events))
    assert (result.health, result.deployment_id) == (Health.HEALTHY, None)
