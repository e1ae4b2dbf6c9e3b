"""The embedded AWS keeps ECS service deployments and revisions, and moves them through
their stages with the clock (ECSYNC_LOCAL_STAGE_SECONDS), as ECS does."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecsync_local.fixes import deployments as deployment_fixes
from tests.support.local_deployments import (
    CONTAINER,
    PACE,
    Clock,
    current,
    hand_moved_clock,
    listed,
    service,
    slow,
)

DEPLOYMENT_ARN = re.compile(
    r"arn:aws:ecs:us-east-1:\d{12}:service-deployment/prod/web/[A-Za-z0-9]{21}"
)
REVISION_ARN = re.compile(r"arn:aws:ecs:us-east-1:\d{12}:service-revision/prod/web/\d{19}")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The stand-in reads this clock; each deployment stage lasts PACE seconds of it."""
    return hand_moved_clock(monkeypatch)


def create(ecs: Any, configuration: dict[str, Any] | None = None, desired: int = 2) -> None:
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.register_task_definition(
        family="web", containerDefinitions=[{**CONTAINER, "image": "nginx:1.28"}]
    )
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=desired,
        deploymentConfiguration=configuration or {},
    )


def test_create_service_starts_a_finished_deployment(moto_endpoint: str, ecs: Any) -> None:
    """CreateService starts a service deployment of a new revision; at pace 0 it has
    succeeded on first look, and DescribeServices names it."""
    create(ecs)

    deployment = current(ecs)
    revision = ecs.describe_service_revisions(
        serviceRevisionArns=[deployment["targetServiceRevision"]["arn"]]
    )["serviceRevisions"][0]

    assert DEPLOYMENT_ARN.fullmatch(deployment["serviceDeploymentArn"])
    assert deployment["status"] == "SUCCESSFUL"
    assert deployment["sourceServiceRevisions"] == []
    assert "lifecycleStage" not in deployment
    assert deployment["deploymentCircuitBreaker"]["status"] == "DISABLED"
    assert REVISION_ARN.fullmatch(revision["serviceRevisionArn"])
    assert revision["taskDefinition"].endswith(":task-definition/web:1")
    assert revision["containerImages"] == [{"containerName": "web", "image": "nginx:1.27"}]
    assert service(ecs)["currentServiceRevisions"] == [
        {
            "arn": revision["serviceRevisionArn"],
            "requestedTaskCount": 2,
            "runningTaskCount": 2,
            "pendingTaskCount": 0,
        }
    ]


def test_only_updates_that_change_the_revision_start_a_deployment(
    moto_endpoint: str, ecs: Any
) -> None:
    """desiredCount alone starts nothing; a new task definition or forceNewDeployment does,
    and ListServiceDeployments lists them newest first."""
    create(ecs)
    first = service(ecs)["currentServiceDeployment"]

    ecs.update_service(cluster="prod", service="web", desiredCount=3)
    unchanged = service(ecs)["currentServiceDeployment"]
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)

    history = listed(ecs)
    assert unchanged == first
    assert len(history) == 3
    assert history[-1]["serviceDeploymentArn"] == first
    assert history[0]["serviceDeploymentArn"] == service(ecs)["currentServiceDeployment"]
    assert [d["status"] for d in history] == ["SUCCESSFUL"] * 3
    assert len({d["targetServiceRevisionArn"] for d in history}) == 3
    assert [d["status"] for d in service(ecs)["deployments"]] == ["PRIMARY"]


def test_the_write_answer_names_the_deployment_it_started(moto_endpoint: str, ecs: Any) -> None:
    """CreateService's and UpdateService's answers carry the deployment they started."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])

    created = ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1")
    updated = ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    newest, oldest = listed(ecs)
    assert created["service"]["currentServiceDeployment"] == oldest["serviceDeploymentArn"]
    assert updated["service"]["currentServiceDeployment"] == newest["serviceDeploymentArn"]
    assert updated["service"]["taskDefinition"].endswith(":task-definition/web:2")


def test_each_deployment_gets_its_own_deployments_entry(moto_endpoint: str, ecs: Any) -> None:
    """DescribeServices' PRIMARY deployment changes id with each service deployment and runs
    its task definition, COMPLETED."""
    create(ecs)
    before = service(ecs)["deployments"][0]

    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    after = service(ecs)["deployments"]

    assert len(after) == 1
    assert after[0]["id"] != before["id"]
    assert after[0]["taskDefinition"].endswith(":task-definition/web:2")
    assert after[0]["rolloutState"] == "COMPLETED"
    assert after[0]["runningCount"] == 2


def test_describe_answers_unknown_arns_as_failures(moto_endpoint: str, ecs: Any) -> None:
    """An ARN the account does not have comes back in `failures` with reason MISSING."""
    create(ecs)
    unknown = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/nothingHere000000000"

    answer = ecs.describe_service_deployments(
        serviceDeploymentArns=[service(ecs)["currentServiceDeployment"], unknown]
    )
    revisions = ecs.describe_service_revisions(serviceRevisionArns=[unknown])

    assert len(answer["serviceDeployments"]) == 1
    assert answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]
    assert revisions["failures"] == [{"arn": unknown, "reason": "MISSING"}]


@pytest.mark.parametrize(
    "call",
    [
        lambda ecs, arns: ecs.describe_service_deployments(serviceDeploymentArns=arns),
        lambda ecs, arns: ecs.describe_service_revisions(serviceRevisionArns=arns),
    ],
)
def test_describe_takes_at_most_twenty_arns(
    moto_endpoint: str, ecs: Any, call: Callable[[Any, list[str]], Any]
) -> None:
    """DescribeServiceDeployments and DescribeServiceRevisions refuse 21 ARNs."""
    arns = [f"arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/{n}" for n in range(21)]

    with pytest.raises(ClientError) as refused:
        call(ecs, arns)

    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "20" in refused.value.response["Error"]["Message"]


def test_list_pages_and_filters(moto_endpoint: str, ecs: Any, clock: Clock) -> None:
    """ListServiceDeployments pages with maxResults and nextToken, and filters by status
    and by createdAt."""
    create(ecs)
    clock.stages(6)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    first = ecs.list_service_deployments(cluster="prod", service="web", maxResults=1)
    second = ecs.list_service_deployments(
        cluster="prod", service="web", maxResults=1, nextToken=first["nextToken"]
    )
    later = listed(ecs, createdAt={"after": clock.at - timedelta(seconds=PACE)})
    stopped = listed(ecs, status=["STOPPED"])

    assert len(first["serviceDeployments"]) == len(second["serviceDeployments"]) == 1
    assert "nextToken" not in second
    assert second["serviceDeployments"][0]["createdAt"] < later[0]["createdAt"]
    assert len(later) == 1
    assert stopped == []


def test_list_refuses_more_than_a_hundred_and_unknown_services(
    moto_endpoint: str, ecs: Any
) -> None:
    """maxResults above 100 is refused, and so is a service the cluster does not have."""
    create(ecs)

    with pytest.raises(ClientError) as too_many:
        ecs.list_service_deployments(cluster="prod", service="web", maxResults=101)
    with pytest.raises(ClientError) as unknown:
        ecs.list_service_deployments(cluster="prod", service="api")

    assert too_many.value.response["Error"]["Code"] == "InvalidParameterException"
    assert unknown.value.response["Error"]["Code"] == "ServiceNotFoundException"


def test_deleting_the_service_deletes_its_history(moto_endpoint: str, ecs: Any) -> None:
    """After DeleteService the service's deployments and revisions are gone."""
    create(ecs, desired=0)
    arn = service(ecs)["currentServiceDeployment"]

    ecs.delete_service(cluster="prod", service="web")

    answer = ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    assert answer["failures"] == [{"arn": arn, "reason": "MISSING"}]


def stages_seen(ecs: Any, clock: Clock, count: int) -> list[tuple[str, str | None]]:
    """The current deployment's (status, lifecycleStage), read in the middle of each stage."""
    seen = []
    clock.stages(0.5)
    for _ in range(count):
        deployment = current(ecs)
        seen.append((deployment["status"], deployment.get("lifecycleStage")))
        clock.stages(1)
    return seen


def test_a_rolling_deployment_goes_through_its_stages(
    moto_endpoint: str, ecs: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ECSYNC_LOCAL_STAGE_SECONDS set, a ROLLING deployment is PENDING, scales up, cleans
    up and succeeds, one stage at a time."""
    create(ecs)
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    assert stages_seen(ecs, clock, 6) == [
        ("PENDING", None),
        ("IN_PROGRESS", "PRE_SCALE_UP"),
        ("IN_PROGRESS", "SCALE_UP"),
        ("IN_PROGRESS", "POST_SCALE_UP"),
        ("IN_PROGRESS", "CLEAN_UP"),
        ("SUCCESSFUL", None),
    ]


def test_describe_services_agrees_with_a_rollout_in_progress(
    moto_endpoint: str, ecs: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the deployment is in progress the new PRIMARY is IN_PROGRESS beside the ACTIVE
    old one; once it succeeded, only the PRIMARY is left, COMPLETED."""
    create(ecs)
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    clock.stages(2.5)

    during = service(ecs)
    clock.stages(10)
    after = service(ecs)

    assert [(d["status"], d["rolloutState"]) for d in during["deployments"]] == [
        ("PRIMARY", "IN_PROGRESS"),
        ("ACTIVE", "COMPLETED"),
    ]
    assert during["deployments"][0]["pendingCount"] == 2
    assert during["runningCount"] == 2
    assert len(during["currentServiceRevisions"]) == 1
    assert [(d["status"], d["rolloutState"]) for d in after["deployments"]] == [
        ("PRIMARY", "COMPLETED")
    ]
    assert after["deployments"][0]["taskDefinition"].endswith("web:2")
    assert after["events"][0]["message"] == "(service web) has reached a steady state."


def test_blue_green_shifts_test_then_production_traffic_and_bakes(
    moto_endpoint: str, ecs: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BLUE_GREEN deployment takes test traffic, then all production traffic at once,
    bakes for bakeTimeInMinutes stages and cleans up."""
    create(ecs, {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 2})
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    clock.stages(0.5)
    seen = []
    for _ in range(13):
        deployment = current(ecs)
        target = deployment["targetServiceRevision"]
        weights = (
            target["requestedTestTrafficWeight"],
            target["requestedProductionTrafficWeight"],
            deployment["sourceServiceRevisions"][0]["requestedProductionTrafficWeight"],
        )
        seen.append((deployment.get("lifecycleStage", deployment["status"]), *weights))
        clock.stages(1)

    assert seen == [
        ("PENDING", 0.0, 0.0, 100.0),
        ("PRE_SCALE_UP", 0.0, 0.0, 100.0),
        ("SCALE_UP", 0.0, 0.0, 100.0),
        ("POST_SCALE_UP", 0.0, 0.0, 100.0),
        ("TEST_TRAFFIC_SHIFT", 100.0, 0.0, 100.0),
        ("POST_TEST_TRAFFIC_SHIFT", 100.0, 0.0, 100.0),
        ("PRODUCTION_TRAFFIC_SHIFT", 100.0, 100.0, 0.0),
        ("POST_PRODUCTION_TRAFFIC_SHIFT", 100.0, 100.0, 0.0),
        ("BAKE_TIME", 100.0, 100.0, 0.0),
        ("BAKE_TIME", 100.0, 100.0, 0.0),
        ("CLEAN_UP", 100.0, 100.0, 0.0),
        ("SUCCESSFUL", 100.0, 100.0, 0.0),
        ("SUCCESSFUL", 100.0, 100.0, 0.0),
    ]


def production_weights(ecs: Any, clock: Clock, stages: int) -> list[float]:
    """The target's production weight at each stage of PRODUCTION_TRAFFIC_SHIFT."""
    weights = []
    clock.stages(0.5)
    for _ in range(stages):
        deployment = current(ecs)
        if deployment.get("lifecycleStage") == "PRODUCTION_TRAFFIC_SHIFT":
            weights.append(deployment["targetServiceRevision"]["requestedProductionTrafficWeight"])
        clock.stages(1)
    return weights


def test_linear_shifts_production_traffic_in_steps_with_bake_time(
    moto_endpoint: str, ecs: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LINEAR shifts stepPercent at a time, baking stepBakeTimeInMinutes after each step
    but the last."""
    linear = {"stepPercent": 25.0, "stepBakeTimeInMinutes": 1}
    create(ecs, {"strategy": "LINEAR", "linearConfiguration": linear})
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    assert production_weights(ecs, clock, 20) == [25.0, 25.0, 50.0, 50.0, 75.0, 75.0, 100.0]
    assert current(ecs)["status"] == "SUCCESSFUL"


def test_canary_shifts_its_percent_then_the_rest(
    moto_endpoint: str, ecs: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CANARY shifts canaryPercent, bakes canaryBakeTimeInMinutes, then shifts the rest."""
    canary = {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 2}
    create(ecs, {"strategy": "CANARY", "canaryConfiguration": canary})
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    assert production_weights(ecs, clock, 20) == [10.0, 10.0, 10.0, 100.0]


def test_a_newer_deployment_stops_the_one_in_progress(
    moto_endpoint: str, ecs: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update during a rollout stops it; the new deployment starts from both revisions
    and reconciles them first."""
    create(ecs)
    slow(monkeypatch)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    clock.stages(3.5)
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    clock.stages(1.5)

    newest, stopped, _ = listed(ecs)
    deployment = current(ecs)

    assert stopped["status"] == "STOPPED"
    assert newest["status"] == "IN_PROGRESS"
    assert deployment["lifecycleStage"] == "RECONCILE_SERVICE"
    assert len(deployment["sourceServiceRevisions"]) == 2


def test_the_pace_follows_the_real_clock(
    moto_endpoint: str, ecs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a hand-moved clock, a deployment at 0.1 s a stage is under way at once and
    has succeeded a second later."""
    create(ecs)
    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", "0.1")
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")

    early = current(ecs)["status"]
    time.sleep(1.0)

    assert early in ("PENDING", "IN_PROGRESS")
    assert current(ecs)["status"] == "SUCCESSFUL"


def test_a_bad_pace_is_refused_with_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """ECSYNC_LOCAL_STAGE_SECONDS that is not a number of seconds fails, saying what to set."""
    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", "fast")

    with pytest.raises(ValueError, match=r"ECSYNC_LOCAL_STAGE_SECONDS='fast'.*set it to 0"):
        deployment_fixes.add_deployment_apis()
