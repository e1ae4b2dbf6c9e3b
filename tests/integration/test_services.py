"""ECS services: reader shape, in-place updates of changed fields only, scale-to-0 delete."""

from __future__ import annotations

from typing import Any

import pytest

import ecsync_local as local
from controller.aws import errors, services
from controller.aws.clients import Aws
from controller.aws.writers import WRITERS
from controller.core.field_facts import SERVICE_REPLACE_FIELDS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live
from tests.support import arrange
from tests.support.counting import CallCounter

WEB = ResourceId(Kind.SERVICE, "web", "prod")
WRITER = WRITERS[Kind.SERVICE]
OWNED = {OWNER_TAG: "ecsync"}


@pytest.fixture
def spec(aws: Aws, ecs: Any, sandbox: local.Sandbox) -> dict[str, Any]:
    """A Fargate-style service spec on the sandbox network, its cluster and task definition made."""
    ecs.create_cluster(clusterName="prod")
    return {
        "cluster": "prod",
        "taskDefinition": arrange.register(ecs, "web", fargate=True),
        "desiredCount": 2,
        # Spelled out as ECS reports them (base, the circuit breaker), so they read back.
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "deploymentConfiguration": {
            "maximumPercent": 200,
            "minimumHealthyPercent": 50,
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        },
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": list(sandbox.subnet_ids),
                "securityGroups": [sandbox.security_group_id],
                "assignPublicIp": "DISABLED",
            }
        },
        "healthCheckGracePeriodSeconds": 30,
        "enableExecuteCommand": True,
        "propagateTags": "SERVICE",
        "tags": {**OWNED, "team": "web"},
    }


def read(aws: Aws) -> Live:
    return services.read_services(aws, {"prod": frozenset({"web"})})[WEB]


def test_create_then_read_back_in_manifest_shape(aws: Aws, spec: dict[str, Any]) -> None:
    """Every CreateService field written reads back unchanged; runtime state goes to status."""
    arn = WRITER.create(aws, WEB, spec)
    live = read(aws)

    assert live.arn == arn
    assert live.owner == "ecsync"
    assert {k: live.spec[k] for k in spec} == spec
    assert "launchType" not in live.spec
    assert "serviceName" not in live.spec
    assert "clusterArn" not in live.spec
    state = services.state_of(live)
    assert state is not None
    assert state.desired_count == 2
    assert state.task_definition == spec["taskDefinition"]
    assert [d.status for d in state.deployments] == ["PRIMARY"]
    assert set(live.status) == {services.STATE}


def test_update_sends_only_the_changed_fields(
    aws: Aws, spec: dict[str, Any], calls_sent: CallCounter
) -> None:
    """A desiredCount change is one UpdateService with cluster, service and desiredCount only."""
    WRITER.create(aws, WEB, spec)
    calls_sent.clear()

    WRITER.update(aws, WEB, {**spec, "desiredCount": 5}, read(aws), frozenset({"desiredCount"}))

    assert calls_sent.params("UpdateService") == [
        {"cluster": "prod", "service": "web", "desiredCount": 5}
    ]
    assert read(aws).spec["desiredCount"] == 5


def test_several_changes_are_one_update_service(
    aws: Aws, ecs: Any, spec: dict[str, Any], calls_sent: CallCounter
) -> None:
    """Several changed fields, a new revision included, go out in a single UpdateService."""
    WRITER.create(aws, WEB, spec)
    calls_sent.clear()
    desired = {
        **spec,
        "taskDefinition": arrange.register(ecs, "web", image="nginx:1.28", fargate=True),
        "healthCheckGracePeriodSeconds": 60,
    }

    WRITER.update(
        aws, WEB, desired, read(aws), frozenset({"taskDefinition", "healthCheckGracePeriodSeconds"})
    )

    assert calls_sent.params("UpdateService") == [
        {
            "cluster": "prod",
            "service": "web",
            "healthCheckGracePeriodSeconds": 60,
            "taskDefinition": desired["taskDefinition"],
        }
    ]
    live = read(aws)
    assert live.spec["taskDefinition"] == desired["taskDefinition"]
    assert live.spec["healthCheckGracePeriodSeconds"] == 60


def test_tags_only_change_sends_no_update_service(
    aws: Aws, spec: dict[str, Any], calls_sent: CallCounter
) -> None:
    """When only tags differ, the service itself is not updated."""
    WRITER.create(aws, WEB, spec)
    calls_sent.clear()

    WRITER.update(
        aws, WEB, {**spec, "tags": {**OWNED, "team": "api"}}, read(aws), frozenset({"tags"})
    )

    assert calls_sent["UpdateService"] == 0
    assert calls_sent["TagResource"] == 1
    assert read(aws).spec["tags"] == {**OWNED, "team": "api"}


@pytest.mark.parametrize("field", sorted(SERVICE_REPLACE_FIELDS))
def test_fields_ecs_cannot_update_are_refused(
    aws: Aws, spec: dict[str, Any], calls_sent: CallCounter, field: str
) -> None:
    """launchType, schedulingStrategy and role changes are refused; the planner replaces."""
    WRITER.create(aws, WEB, spec)
    calls_sent.clear()

    with pytest.raises(errors.PermanentAwsError, match="must be replaced"):
        WRITER.update(aws, WEB, {**spec, field: "X"}, read(aws), frozenset({field, "desiredCount"}))

    assert calls_sent["UpdateService"] == 0


def test_delete_scales_to_zero_first(
    aws: Aws, spec: dict[str, Any], calls_sent: CallCounter
) -> None:
    """Delete sends UpdateService(desiredCount=0), then DeleteService; the service is gone."""
    WRITER.create(aws, WEB, spec)
    live = read(aws)
    calls_sent.clear()

    WRITER.delete(aws, WEB, live)

    assert [name for name, _ in calls_sent.sent] == ["UpdateService", "DeleteService"]
    assert calls_sent.params("UpdateService") == [
        {"cluster": "prod", "service": "web", "desiredCount": 0}
    ]
    assert services.read_services(aws, {"prod": frozenset({"web"})}) == {}


def test_delete_at_zero_skips_the_scale_down(
    aws: Aws, spec: dict[str, Any], calls_sent: CallCounter
) -> None:
    """A service already at 0 is deleted without an UpdateService; deleting again is fine."""
    WRITER.create(aws, WEB, {**spec, "desiredCount": 0})
    live = read(aws)
    calls_sent.clear()

    WRITER.delete(aws, WEB, live)
    WRITER.delete(aws, WEB, live)

    assert calls_sent["UpdateService"] == 0


def test_list_owned_services_checks_the_cluster_of_every_result(aws: Aws, ecs: Any) -> None:
    """Services of a cluster whose name merely contains ours, or owned by others, are left out."""
    arrange.services(ecs, "web", ["a", "b"])
    arrange.services(ecs, "x-web", ["c"])
    arrange.services(ecs, "web", ["theirs"], owner="other")

    owned = services.list_owned_services(aws, "ecsync", ["web", "does-not-exist"])

    assert sorted(owned) == [ResourceId(Kind.SERVICE, n, "web") for n in ("a", "b")]


def test_inactive_services_are_absent(aws: Aws, ecs: Any) -> None:
    """A deleted (INACTIVE) service is absent from reads and owned listings."""
    arrange.services(ecs, "prod", ["web"])
    ecs.delete_service(cluster="prod", service="web", force=True)

    assert services.read_services(aws, {"prod": frozenset({"web"})}) == {}
    assert services.list_owned_services(aws, "ecsync", ["prod"]) == {}
