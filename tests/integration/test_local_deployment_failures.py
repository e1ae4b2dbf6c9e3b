"""The embedded AWS fails a service deployment only as AWS would (tasks that can never run
healthy), then rolls it back, stops it or keeps trying, as the circuit breaker says."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import services
from controller.reconcile import health
from ecsync_local.deployments import failing
from tests.support.local_deployments import (
    CONTAINER,
    Clock,
    current,
    hand_moved_clock,
    service,
    slow,
)

FAILING = {**CONTAINER, "image": "nginx:1.28", "healthCheck": {"command": ["CMD-SHELL", "exit 1"]}}
ROLLBACK = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
NO_ROLLBACK = {"deploymentCircuitBreaker": {"enable": True, "rollback": False}}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The stand-in reads this clock; each deployment stage lasts PACE seconds of it."""
    return hand_moved_clock(monkeypatch)


@pytest.mark.parametrize(
    "container",
    [
        {"healthCheck": {"command": ["CMD-SHELL", "exit 1"]}},
        {"healthCheck": {"command": ["CMD-SHELL", "exit 7;"]}},
        {"healthCheck": {"command": ["CMD", "false"]}},
        {"healthCheck": {"command": ["CMD", "/bin/sh", "-c", "exit 2"]}},
        {"command": ["false"]},
        {"command": ["sh", "-c", "exit 1"]},
        {"entryPoint": ["/bin/bash", "-c"], "command": ["exit 3"]},
    ],
)
def test_what_can_never_run_healthy(container: dict[str, Any]) -> None:
    """A command or health check that fails whatever the image holds marks the tasks failing."""
    assert failing.never_healthy([{**CONTAINER, **container}]) is not None


@pytest.mark.parametrize(
    "container",
    [
        {"healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}},
        {"healthCheck": {"command": ["CMD-SHELL", "exit 0"]}},
        {"healthCheck": {"command": ["NONE"]}},
        {"command": ["sh", "-c", "exec nginx"]},
        {"command": ["false"], "essential": False},
    ],
)
def test_what_may_run_healthy(container: dict[str, Any]) -> None:
    """Checks that may pass, and non-essential containers, never fail a deployment."""
    assert failing.never_healthy([{**CONTAINER, **container}]) is None


def deploy_failing(
    ecs: Any,
    configuration: dict[str, Any],
    desired: int = 2,
    container: dict[str, Any] = FAILING,
    slowly: pytest.MonkeyPatch | None = None,
) -> None:
    """web:1 deployed and completed, then an update to web:2, whose tasks never run healthy
    (at PACE seconds a stage with `slowly`)."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.register_task_definition(family="web", containerDefinitions=[container])
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=desired,
        deploymentConfiguration=configuration,
    )
    if slowly is not None:
        slow(slowly)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")


def first_revision(ecs: Any) -> str:
    oldest = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][-1]
    return oldest["targetServiceRevisionArn"]  # type: ignore[no-any-return]


def test_the_circuit_breaker_rolls_back_to_the_last_completed_revision(
    moto_endpoint: str, ecs: Any
) -> None:
    """With rollback on, the deployment ends ROLLBACK_SUCCESSFUL, naming the restored revision,
    and the service runs web:1 again in a new PRIMARY."""
    deploy_failing(ecs, ROLLBACK)

    deployment = current(ecs)
    described = service(ecs)

    assert deployment["status"] == "ROLLBACK_SUCCESSFUL"
    assert deployment["statusReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert deployment["rollback"]["serviceRevisionArn"] == first_revision(ecs)
    assert deployment["rollback"]["reason"]
    assert deployment["deploymentCircuitBreaker"] == {
        "status": "TRIGGERED",
        "failureCount": 3,
        "threshold": 3,
    }
    assert described["taskDefinition"].endswith(":task-definition/web:1")
    assert [(d["status"], d["rolloutState"]) for d in described["deployments"]] == [
        ("PRIMARY", "COMPLETED")
    ]
    assert described["deployments"][0]["taskDefinition"].endswith(":task-definition/web:1")
    assert [r["arn"] for r in described["currentServiceRevisions"]] == [first_revision(ecs)]


def test_a_rollback_writes_the_events_ecs_writes(moto_endpoint: str, ecs: Any) -> None:
    """The failure, then "rolling back to deployment" naming the new PRIMARY, then its
    completion, newest first; ecsync's health assessment reads it as a rollback."""
    deploy_failing(ecs, ROLLBACK)

    described = service(ecs)
    primary = described["deployments"][0]["id"]
    messages = [e["message"] for e in described["events"]]
    assessment = health.assess_service(services.service_state(described))

    assert messages[:4] == [
        "(service web) has reached a steady state.",
        f"(service web) (deployment {primary}) deployment completed.",
        f"(service web) rolling back to deployment {primary}.",
        messages[3],
    ]
    assert messages[3].endswith("deployment failed: tasks failed to start.")
    assert assessment.health is health.Health.DEGRADED
    assert assessment.rollout is health.Rollout.FAILED


def test_during_the_rollback_the_failed_deployment_stays_active(
    moto_endpoint: str, ecs: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While rolling back, the PRIMARY runs the restored revision IN_PROGRESS and the failed
    deployment is ACTIVE, rolloutState FAILED."""
    deploy_failing(ecs, ROLLBACK, desired=10, slowly=monkeypatch)
    clock.stages(2.5)
    scaling = current(ecs)
    clock.stages(1)

    rolling_back = current(ecs)
    described = service(ecs)

    assert scaling["lifecycleStage"] == "SCALE_UP"
    assert scaling["deploymentCircuitBreaker"] == {
        "status": "MONITORING",
        "failureCount": 2,
        "threshold": 5,
    }
    assert rolling_back["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolling_back["rollback"]["startedAt"] > scaling["createdAt"]
    assert [(d["status"], d["rolloutState"]) for d in described["deployments"]] == [
        ("PRIMARY", "IN_PROGRESS"),
        ("ACTIVE", "FAILED"),
    ]
    assert described["deployments"][0]["taskDefinition"].endswith(":task-definition/web:1")
    assert described["deployments"][1]["failedTasks"] == 5
    assert described["taskDefinition"].endswith(":task-definition/web:1")


def test_without_rollback_the_deployment_stops_and_the_old_one_keeps_serving(
    moto_endpoint: str, ecs: Any
) -> None:
    """With rollback off the deployment is STOPPED: its PRIMARY is FAILED, running nothing,
    and web:1 keeps running as ACTIVE."""
    deploy_failing(ecs, NO_ROLLBACK)

    deployment = current(ecs)
    described = service(ecs)

    assert deployment["status"] == "STOPPED"
    assert deployment["stoppedAt"] == deployment["finishedAt"]
    assert "rollback" not in deployment
    assert [(d["status"], d["rolloutState"]) for d in described["deployments"]] == [
        ("PRIMARY", "FAILED"),
        ("ACTIVE", "COMPLETED"),
    ]
    assert described["deployments"][0]["rolloutStateReason"] == (
        "ECS deployment circuit breaker: tasks failed to start."
    )
    assert described["deployments"][1]["runningCount"] == 2
    assert described["runningCount"] == 2
    assert described["taskDefinition"].endswith(":task-definition/web:2")


def test_without_the_circuit_breaker_the_deployment_never_ends(
    moto_endpoint: str, ecs: Any
) -> None:
    """With the circuit breaker off ECS keeps replacing the failing tasks: IN_PROGRESS in
    SCALE_UP, with failed tasks, however long one waits."""
    deploy_failing(ecs, {})

    deployment = current(ecs)
    primary = service(ecs)["deployments"][0]

    assert (deployment["status"], deployment["lifecycleStage"]) == ("IN_PROGRESS", "SCALE_UP")
    assert deployment["deploymentCircuitBreaker"] == {"status": "DISABLED"}
    assert primary["rolloutState"] == "IN_PROGRESS"
    assert primary["runningCount"] == 0
    assert primary["failedTasks"] >= 1


def test_a_first_deployment_has_nothing_to_roll_back_to(moto_endpoint: str, ecs: Any) -> None:
    """A new service whose tasks never run healthy stops even with rollback on: no revision
    completed before it."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[FAILING])

    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=1,
        deploymentConfiguration=ROLLBACK,
    )

    assert current(ecs)["status"] == "STOPPED"
    assert service(ecs)["deployments"][0]["rolloutState"] == "FAILED"


@pytest.mark.parametrize(
    ("strategy", "container"),
    [
        ({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}, FAILING),
        ({"strategy": "LINEAR"}, {**CONTAINER, "command": ["sh", "-c", "exit 1"]}),
        ({"strategy": "CANARY"}, {**CONTAINER, "command": ["false"]}),
    ],
)
def test_traffic_shifting_strategies_roll_back_with_no_traffic_on_the_target(
    moto_endpoint: str, ecs: Any, strategy: dict[str, Any], container: dict[str, Any]
) -> None:
    """BLUE_GREEN, LINEAR and CANARY roll back too; the target ends with 0% of production
    and test traffic, the restored revision with 100%."""
    deploy_failing(ecs, {**strategy, **ROLLBACK}, container=container)

    deployment = current(ecs)
    target, source = deployment["targetServiceRevision"], deployment["sourceServiceRevisions"][0]

    assert deployment["status"] == "ROLLBACK_SUCCESSFUL"
    assert (target["requestedProductionTrafficWeight"], target["requestedTestTrafficWeight"]) == (
        0.0,
        0.0,
    )
    assert source["requestedProductionTrafficWeight"] == 100.0
    assert service(ecs)["taskDefinition"].endswith(":task-definition/web:1")


def test_the_next_good_deployment_replaces_the_rollback(moto_endpoint: str, ecs: Any) -> None:
    """After a rollback, a deployment of a healthy revision succeeds and is the PRIMARY."""
    deploy_failing(ecs, ROLLBACK)
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])

    ecs.update_service(cluster="prod", service="web", taskDefinition="web:3")

    described = service(ecs)
    assert current(ecs)["status"] == "SUCCESSFUL"
    assert described["taskDefinition"].endswith(":task-definition/web:3")
    assert [(d["status"], d["rolloutState"]) for d in described["deployments"]] == [
        ("PRIMARY", "COMPLETED")
    ]
    assert health.assess_service(services.service_state(described)).health is health.Health.HEALTHY


@pytest.mark.parametrize(
    ("desired", "threshold", "expected"),
    [
        (2, None, 3),
        (10, None, 5),
        (1000, None, 200),
        (10, {"type": "COUNT", "value": 7}, 7),
        (1000, {"type": "UNBOUNDED_PERCENT", "value": 50}, 500),
    ],
)
def test_the_circuit_breaker_threshold(
    moto_endpoint: str,
    ecs: Any,
    desired: int,
    threshold: dict[str, Any] | None,
    expected: int,
) -> None:
    """Half the desired count within 3 to 200, unless a thresholdConfiguration says otherwise."""
    breaker: dict[str, Any] = {"enable": True, "rollback": True}
    if threshold is not None:
        breaker["thresholdConfiguration"] = threshold

    deploy_failing(ecs, {"deploymentCircuitBreaker": breaker}, desired=desired)

    assert current(ecs)["deploymentCircuitBreaker"]["threshold"] == expected
