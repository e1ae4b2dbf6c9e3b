"""The embedded AWS fails a service deployment when one of its CloudWatch alarms goes into
ALARM while it runs, then rolls it back or stops it as `alarms.rollback` says; and every
strategy fails and rolls back on failing tasks exactly as ROLLING does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from controller.aws import services
from controller.reconcile import health
from tests.support.local_deployments import (
    CONTAINER,
    Clock,
    current,
    hand_moved_clock,
    service,
    slow,
)

ALARM = "web-5xx"
OTHER = "web-latency"
ROLL_BACK = {"alarms": {"alarmNames": [OTHER, ALARM], "enable": True, "rollback": True}}
NO_ROLLBACK = {"alarms": {"alarmNames": [ALARM], "enable": True, "rollback": False}}
FAILING = {**CONTAINER, "image": "nginx:1.28", "healthCheck": {"command": ["CMD-SHELL", "exit 1"]}}
BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The stand-in reads this clock; each deployment stage lasts PACE seconds of it."""
    return hand_moved_clock(monkeypatch)


@pytest.fixture
def cloudwatch(boto_client: Callable[[str], Any]) -> Any:
    """A CloudWatch client with the two alarms the deployments watch, both OK."""
    client = boto_client("cloudwatch")
    for name in (ALARM, OTHER):
        client.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/ApplicationELB",
            MetricName="HTTPCode_Target_5XX_Count",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=10.0,
            ComparisonOperator="GreaterThanThreshold",
        )
    return client


def set_alarm(cloudwatch: Any, state: str, name: str = ALARM) -> None:
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="set by the test")


def deploy(
    ecs: Any,
    configuration: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    container: dict[str, Any] | None = None,
) -> None:
    """web:1 deployed and completed at once, then an update to web:2 (healthy unless
    `container` says otherwise) at PACE seconds a stage."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.register_task_definition(
        family="web", containerDefinitions=[container or {**CONTAINER, "image": "nginx:1.28"}]
    )
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration=configuration,
    )
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")


def first_revision(ecs: Any) -> str:
    oldest = ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"][-1]
    return oldest["targetServiceRevisionArn"]  # type: ignore[no-any-return]


def test_an_alarm_in_alarm_during_the_deployment_rolls_it_back(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A watched alarm set to ALARM while a ROLLING deployment runs fails it at once and,
    with rollback on, brings back the last completed revision; the record names the alarm."""
    deploy(ecs, ROLL_BACK, monkeypatch)
    clock.stages(3.5)
    watching = current(ecs)

    set_alarm(cloudwatch, "ALARM")
    rolling_back, tripped_at = current(ecs), clock.at
    clock.stages(1)
    rolled_back = current(ecs)
    described = service(ecs)

    assert (watching["status"], watching["lifecycleStage"]) == ("IN_PROGRESS", "POST_SCALE_UP")
    assert watching["alarms"] == {
        "status": "MONITORING",
        "alarmNames": [OTHER, ALARM],
        "triggeredAlarmNames": [],
    }
    assert rolling_back["status"] == "ROLLBACK_IN_PROGRESS"
    assert rolled_back["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled_back["alarms"] == {
        "status": "TRIGGERED",
        "alarmNames": [OTHER, ALARM],
        "triggeredAlarmNames": [ALARM],
    }
    assert ALARM in rolled_back["statusReason"]
    assert ALARM in rolled_back["rollback"]["reason"]
    assert rolled_back["rollback"]["serviceRevisionArn"] == first_revision(ecs)
    assert rolled_back["rollback"]["startedAt"] == tripped_at
    assert rolled_back["deploymentCircuitBreaker"] == {"status": "DISABLED"}
    assert described["taskDefinition"].endswith(":task-definition/web:1")
    assert [(d["status"], d["rolloutState"]) for d in described["deployments"]] == [
        ("PRIMARY", "COMPLETED")
    ]
    assert [r["arn"] for r in described["currentServiceRevisions"]] == [first_revision(ecs)]


def test_an_alarm_rollback_writes_ecs_events_that_ecsync_reads_as_a_rollback(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The failure names the alarm, then "rolling back to deployment" names the new PRIMARY;
    ecsync's health assessment of DescribeServices reads a failed rollout, Degraded."""
    deploy(ecs, ROLL_BACK, monkeypatch)
    clock.stages(3.5)
    set_alarm(cloudwatch, "ALARM")
    current(ecs)
    clock.stages(1)

    described = service(ecs)
    primary = described["deployments"][0]["id"]
    messages = [e["message"] for e in described["events"]]
    assessment = health.assess_service(services.service_state(described))

    assert messages[2] == f"(service web) rolling back to deployment {primary}."
    assert messages[3].endswith(f"deployment failed: alarms {ALARM} in ALARM state.")
    assert assessment.health is health.Health.DEGRADED
    assert assessment.rollout is health.Rollout.FAILED


def test_without_rollback_an_alarm_stops_the_deployment_with_its_tasks_running(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With `alarms.rollback: false` the deployment is STOPPED; its PRIMARY is FAILED with the
    alarm as reason and keeps its healthy tasks, and the one before keeps serving as ACTIVE."""
    deploy(ecs, NO_ROLLBACK, monkeypatch)
    clock.stages(3.5)
    set_alarm(cloudwatch, "ALARM")

    deployment = current(ecs)
    described = service(ecs)

    assert deployment["status"] == "STOPPED"
    assert deployment["stoppedAt"] == clock.at
    assert "rollback" not in deployment
    assert deployment["alarms"]["status"] == "TRIGGERED"
    assert deployment["targetServiceRevision"]["runningTaskCount"] == 2
    assert [(d["status"], d["rolloutState"]) for d in described["deployments"]] == [
        ("PRIMARY", "FAILED"),
        ("ACTIVE", "COMPLETED"),
    ]
    assert ALARM in described["deployments"][0]["rolloutStateReason"]
    assert described["deployments"][0]["failedTasks"] == 0
    assert described["taskDefinition"].endswith(":task-definition/web:2")


def test_an_alarm_in_bake_time_rolls_a_blue_green_deployment_back_from_full_traffic(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Alarms are watched through BLUE_GREEN's bake time: one going off there, with all
    production traffic on the new revision, rolls back and gives the traffic back."""
    deploy(ecs, {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 2, **ROLL_BACK}, monkeypatch)
    clock.stages(8.5)
    baking = current(ecs)

    set_alarm(cloudwatch, "ALARM")
    current(ecs)
    clock.stages(1)
    deployment = current(ecs)
    target, source = deployment["targetServiceRevision"], deployment["sourceServiceRevisions"][0]

    assert baking["lifecycleStage"] == "BAKE_TIME"
    assert baking["targetServiceRevision"]["requestedProductionTrafficWeight"] == 100.0
    assert deployment["status"] == "ROLLBACK_SUCCESSFUL"
    assert deployment["alarms"]["triggeredAlarmNames"] == [ALARM]
    assert target["requestedProductionTrafficWeight"] == 0.0
    assert source["requestedProductionTrafficWeight"] == 100.0
    assert service(ecs)["taskDefinition"].endswith(":task-definition/web:1")


def test_alarms_are_watched_once_new_tasks_start(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An alarm that goes off before SCALE_UP does nothing until then; still in ALARM when
    the new tasks start, it fails the deployment there."""
    deploy(ecs, ROLL_BACK, monkeypatch)
    clock.stages(0.5)
    set_alarm(cloudwatch, "ALARM")
    clock.stages(1)
    before = current(ecs)

    clock.stages(1)
    after = current(ecs)

    assert (before["status"], before["lifecycleStage"]) == ("IN_PROGRESS", "PRE_SCALE_UP")
    assert before["alarms"]["status"] == "MONITORING"
    assert after["status"] == "ROLLBACK_IN_PROGRESS"
    assert after["alarms"]["triggeredAlarmNames"] == [ALARM]


def test_an_alarm_already_in_alarm_when_the_deployment_starts_is_not_watched(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As on AWS, a deployment started while one of its alarms is in ALARM watches none of
    them (so that a fix can be deployed): it succeeds, and reports the alarms DISABLED."""
    set_alarm(cloudwatch, "ALARM")
    deploy(ecs, ROLL_BACK, monkeypatch)
    clock.stages(3.5)
    set_alarm(cloudwatch, "ALARM", name=OTHER)
    clock.stages(10)

    deployment = current(ecs)

    assert deployment["status"] == "SUCCESSFUL"
    assert deployment["alarms"] == {"status": "DISABLED", "alarmNames": [OTHER, ALARM]}
    assert service(ecs)["taskDefinition"].endswith(":task-definition/web:2")


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_alarms_not_in_alarm_let_the_deployment_complete(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    state: str,
) -> None:
    """Only the ALARM state fails a deployment; when it ends the alarms' watch is complete,
    and an alarm going off after that changes nothing."""
    deploy(ecs, ROLL_BACK, monkeypatch)
    clock.stages(3.5)
    set_alarm(cloudwatch, state)
    clock.stages(2)
    done = current(ecs)

    set_alarm(cloudwatch, "ALARM")
    clock.stages(1)
    later = current(ecs)

    assert done["status"] == "SUCCESSFUL"
    assert done["alarms"] == {
        "status": "MONITORING_COMPLETE",
        "alarmNames": [OTHER, ALARM],
        "triggeredAlarmNames": [],
    }
    assert later == done
    assert service(ecs)["taskDefinition"].endswith(":task-definition/web:2")


def test_the_method_that_fails_the_deployment_decides_the_rollback(
    moto_endpoint: str,
    ecs: Any,
    cloudwatch: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tasks that never run healthy with a circuit breaker that would only stop, and an alarm
    that rolls back going off first, in SCALE_UP: the alarm failed it, so it rolls back."""
    configuration = {
        "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        **ROLL_BACK,
    }
    deploy(ecs, configuration, monkeypatch, container=FAILING)
    clock.stages(2.5)
    set_alarm(cloudwatch, "ALARM")
    current(ecs)
    clock.stages(1)

    deployment = current(ecs)

    assert deployment["status"] == "ROLLBACK_SUCCESSFUL"
    assert deployment["alarms"]["status"] == "TRIGGERED"
    assert deployment["deploymentCircuitBreaker"]["status"] == "MONITORING_COMPLETE"
    assert ALARM in deployment["statusReason"]


def course(ecs: Any, clock: Clock, steps: int) -> list[tuple[Any, ...]]:
    """What the record and DescribeServices say at each stage, less ids and traffic."""
    seen = []
    for _ in range(steps):
        record, described = current(ecs), service(ecs)
        breaker = record["deploymentCircuitBreaker"]
        seen.append(
            (
                record["status"],
                record.get("lifecycleStage"),
                record.get("statusReason"),
                breaker["status"],
                breaker["failureCount"],
                "rollback" in record,
                described["taskDefinition"].rsplit("/", 1)[-1],
                [
                    (d["status"], d["rolloutState"], d["failedTasks"])
                    for d in described["deployments"]
                ],
            )
        )
        clock.stages(1)
    return seen


@pytest.mark.parametrize("strategy", ["BLUE_GREEN", "LINEAR", "CANARY"])
def test_every_strategy_fails_and_rolls_back_on_failing_tasks_as_rolling_does(
    moto_endpoint: str,
    ecs: Any,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    strategy: str,
) -> None:
    """With a health check that never passes and the circuit breaker rolling back, a traffic
    shifting deployment goes through the same statuses, stages, reasons and service
    deployments, stage by stage, as a ROLLING one."""
    deploy(ecs, {"strategy": "ROLLING", **BREAKER}, monkeypatch, container=FAILING)
    rolling = course(ecs, clock, 6)
    ecs.delete_service(cluster="prod", service="web", force=True)
    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", "0")
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        deploymentConfiguration={"strategy": strategy, **BREAKER},
    )
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    shifting = course(ecs, clock, 6)

    assert shifting == rolling
    assert rolling[-1][0] == "ROLLBACK_SUCCESSFUL"
