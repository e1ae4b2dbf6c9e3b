"""The daemon follows the deployments it starts by their own record, to their end.

The local AWS models ECS service deployments (`ecsync_local.deployments`):
`ECSYNC_LOCAL_STAGE_SECONDS` paces each lifecycle stage, and a task definition
whose essential container's health check can never pass makes a deployment
fail, and roll back when the circuit breaker says so; so does a CloudWatch alarm
of the deployment that goes into ALARM while it runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from tests.support.daemon import Daemon, Daemons
from tests.support.shop import BLUE_GREEN, UNHEALTHY, service, stack, write

LINEAR = (
    "{strategy: LINEAR, bakeTimeInMinutes: 1,"
    " linearConfiguration: {stepPercent: 50.0, stepBakeTimeInMinutes: 1}}"
)
"""A LINEAR deploymentConfiguration: two steps of 50% of production traffic."""

ALARM_ROLLBACK = (
    "{strategy: BLUE_GREEN, bakeTimeInMinutes: 5,"
    " alarms: {alarmNames: [web-5xx], enable: true, rollback: true}}"
)
"""A BLUE_GREEN deploymentConfiguration that the CloudWatch alarm web-5xx rolls back."""


def web_status(daemon: Daemon) -> dict[str, Any]:
    """The web service's entry of the daemon's `/status`."""
    code, body = daemon.get("/status")
    assert code == 200
    (entry,) = [r for r in json.loads(body)["resources"] if r["name"] == "web"]
    found: dict[str, Any] = entry
    return found


def web_status_when(
    daemon: Daemon, wanted: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    """The web service's `/status` entry once `wanted` holds (the board is written after the
    pass whose events were seen)."""
    deadline = time.monotonic() + timeout
    while True:
        entry = web_status(daemon)
        if wanted(entry) or time.monotonic() > deadline:
            return entry
        time.sleep(0.1)


def is_web(event: dict[str, Any]) -> bool:
    return event.get("kind") == "Service" and event.get("name") == "web"


@pytest.mark.parametrize("pace", ["0", "1"], ids=["at-once", "one-second-stages"])
def test_a_blue_green_deployment_that_rolls_back_is_degraded_and_not_redeployed(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
    monkeypatch: pytest.MonkeyPatch,
    pace: str,
) -> None:
    """A BLUE_GREEN deployment of a revision whose health check always fails is rolled back
    by the circuit breaker: `rollout_rolled_back` names the revision deployed and the one
    restored, `/status` shows the service Degraded and OutOfSync (not Healthy), and
    through several resyncs nothing redeploys it and no drift is alerted, neither while
    ECS rolls back (the service already runs the restored revision) nor after."""
    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", pace)
    folder = write(tmp_path / "manifests", stack(sandbox, deployment=BLUE_GREEN))
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s")
    daemon.wait_for("rollout_completed", is_web, timeout=60)
    daemon.wait_http("/readyz")
    healthy = service(boto_client)["taskDefinition"]

    write(folder, stack(sandbox, deployment=BLUE_GREEN, health_check=UNHEALTHY))
    rolled = daemon.wait_for("rollout_rolled_back", is_web, timeout=60)
    if pace != "0":
        progressed = [e["status"] for e in daemon.named("rollout_progressed") if is_web(e)]
        assert "ROLLBACK_IN_PROGRESS" in progressed
    assert rolled["level"] == "error"
    assert rolled["strategy"] == "BLUE_GREEN"
    assert rolled["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled["target"].endswith("task-definition/shop-web:2")
    assert rolled["restored"] == healthy
    assert rolled["reason"]

    time.sleep(3)  # six resyncs
    entry = web_status_when(daemon, lambda e: e["sync"] == "OutOfSync")
    assert (entry["sync"], entry["health"]) == ("OutOfSync", "Degraded")
    assert entry["rollout"]["status"] == "ROLLBACK_SUCCESSFUL"
    assert "rolled it back" in entry["message"]
    assert service(boto_client)["taskDefinition"] == healthy
    assert len([e for e in daemon.named("service_updated") if is_web(e)]) == 1
    assert [e for e in daemon.named("drift_detected") if is_web(e)] == []
    assert [e for e in daemon.named("rollout_completed") if is_web(e)][1:] == []
    assert daemon.stop() == 0


def test_a_linear_deployment_is_followed_through_its_stages_to_healthy(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With stages that take time, a LINEAR deployment is Progressing on `/status` with its
    lifecycle stage and share of production traffic (50% after the first step), then
    Healthy with `rollout_completed`; meanwhile nothing is alerted as drift or written."""
    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", "1.5")
    folder = write(tmp_path / "manifests", stack(sandbox, deployment=LINEAR))
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s")
    shifting = daemon.wait_for(
        "rollout_progressed",
        lambda e: is_web(e) and e["stage"] == "PRODUCTION_TRAFFIC_SHIFT",
        timeout=60,
    )
    assert (shifting["strategy"], shifting["traffic_percent"]) == ("LINEAR", 50.0)
    entry = web_status_when(daemon, lambda e: (e.get("rollout") or {}).get("trafficPercent") == 50)
    assert entry["health"] == "Progressing"
    assert entry["rollout"]["strategy"] == "LINEAR"
    assert entry["rollout"]["status"] == "IN_PROGRESS"
    assert entry["rollout"]["stage"] in {
        "PRODUCTION_TRAFFIC_SHIFT",
        "POST_PRODUCTION_TRAFFIC_SHIFT",
        "BAKE_TIME",
    }

    completed = daemon.wait_for("rollout_completed", is_web, timeout=60)
    assert completed["deployment"] == shifting["deployment"]
    stages = [e["stage"] for e in daemon.named("rollout_progressed") if is_web(e)]
    assert "BAKE_TIME" in stages
    assert stages.index("PRODUCTION_TRAFFIC_SHIFT") < stages.index("BAKE_TIME")
    assert web_status_when(daemon, lambda e: e["health"] == "Healthy")["health"] == "Healthy"
    assert [e for e in daemon.named("drift_detected") if is_web(e)] == []
    assert [e for e in daemon.named("service_updated") if is_web(e)] == []
    assert daemon.stop() == 0


def test_a_blue_green_deployment_that_an_alarm_rolls_back_is_degraded(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A BLUE_GREEN deployment of a healthy revision whose CloudWatch alarm goes into ALARM
    while it runs is rolled back by ECS: `rollout_rolled_back` names the alarm and the
    revision restored, `/status` shows the service Degraded, and nothing redeploys it."""
    cloudwatch = boto_client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="web-5xx",
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=10.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", "0")
    folder = write(tmp_path / "manifests", stack(sandbox, deployment=ALARM_ROLLBACK))
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s")
    daemon.wait_for("rollout_completed", is_web, timeout=60)
    daemon.wait_http("/readyz")
    healthy = service(boto_client)["taskDefinition"]

    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", "1")
    write(folder, stack(sandbox, deployment=ALARM_ROLLBACK, image="nginx:1.28"))
    daemon.wait_for("service_updated", is_web, timeout=60)
    cloudwatch.set_alarm_state(AlarmName="web-5xx", StateValue="ALARM", StateReason="5xx")
    rolled = daemon.wait_for("rollout_rolled_back", is_web, timeout=60)

    assert rolled["strategy"] == "BLUE_GREEN"
    assert rolled["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled["target"].endswith("task-definition/shop-web:2")
    assert rolled["restored"] == healthy
    assert "web-5xx" in rolled["reason"]
    entry = web_status_when(daemon, lambda e: e["health"] == "Degraded")
    assert entry["health"] == "Degraded"
    assert entry["rollout"]["status"] == "ROLLBACK_SUCCESSFUL"
    assert service(boto_client)["taskDefinition"] == healthy
    assert len([e for e in daemon.named("service_updated") if is_web(e)]) == 1
    assert [e for e in daemon.named("drift_detected") if is_web(e)] == []
    assert daemon.stop() == 0
