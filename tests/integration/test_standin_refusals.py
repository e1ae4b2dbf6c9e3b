"""The local stand-in refuses what AWS refuses, with the rules `ecsync validate` uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

import ecsync_local as local
from tests.support import arrange
from tests.unit.manifests import refusal_cases

CONTAINER = {"name": "app", "image": "nginx:1.27", "memory": 128}


def refusal(call: Callable[[], Any]) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a call that must fail."""
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_a_container_without_image_is_a_client_exception(ecs: Any) -> None:
    """RegisterTaskDefinition without an image is refused as AWS does, naming the field."""
    status, code, message = refusal(
        lambda: ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "memory": 128}]
        )
    )

    assert (status, code) == (400, "ClientException")
    assert message.startswith("containerDefinitions[0].image: ")
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []


def test_two_containers_with_one_name_are_refused(ecs: Any) -> None:
    """Duplicate container names, which moto registers, are a ClientException."""
    status, code, message = refusal(
        lambda: ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER] * 2)
    )

    assert (status, code) == (400, "ClientException")
    assert "containerDefinitions[1].name" in message


def test_negative_desired_count_is_refused_on_create_and_update(ecs: Any) -> None:
    """desiredCount -1 is an InvalidParameterException on CreateService and UpdateService."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.create_service(cluster="prod", serviceName="ok", taskDefinition="web", desiredCount=1)

    created = refusal(
        lambda: ecs.create_service(
            cluster="prod", serviceName="web", taskDefinition="web", desiredCount=-1
        )
    )
    updated = refusal(lambda: ecs.update_service(cluster="prod", service="ok", desiredCount=-1))

    for status, code, message in (created, updated):
        assert (status, code) == (400, "InvalidParameterException")
        assert message.startswith("desiredCount: ")
    assert (
        ecs.describe_services(cluster="prod", services=["ok"])["services"][0]["desiredCount"] == 1
    )


def test_run_task_overriding_a_container_the_definition_lacks_is_refused(
    ecs: Any, sandbox: local.Sandbox
) -> None:
    """RunTask with an override for container `worker` of a one-container `app` task is refused."""
    ecs.create_cluster(clusterName="jobs")
    ecs.register_task_definition(family="migrate", containerDefinitions=[CONTAINER])

    status, code, message = refusal(
        lambda: ecs.run_task(
            cluster="jobs",
            taskDefinition="migrate",
            overrides={"containerOverrides": [{"name": "worker", "command": ["true"]}]},
        )
    )

    assert (status, code) == (400, "InvalidParameterException")
    assert message.startswith("overrides.containerOverrides[0].name: ")
    assert ecs.list_tasks(cluster="jobs")["taskArns"] == []


def test_update_service_is_checked_against_the_task_definition_it_keeps(ecs: Any) -> None:
    """An UpdateService without taskDefinition is checked against the service's own one."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web")
    balancer = {
        "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
        "containerName": "nginx",
        "containerPort": 80,
    }

    status, code, message = refusal(
        lambda: ecs.update_service(cluster="prod", service="web", loadBalancers=[balancer])
    )

    assert (status, code) == (400, "InvalidParameterException")
    assert message.startswith("loadBalancers[0].containerName: ")


def test_an_ecr_name_outside_the_pattern_is_refused(ecr: Any) -> None:
    """CreateRepository with upper-case letters breaks the model's pattern and is refused."""
    status, code, message = refusal(lambda: ecr.create_repository(repositoryName="Acme/Web"))

    assert (status, code) == (400, "InvalidParameterException")
    assert message.startswith("repositoryName: ")
    assert ecr.describe_repositories()["repositories"] == []


def test_valid_requests_still_go_through(ecs: Any, ecr: Any, sandbox: local.Sandbox) -> None:
    """A valid repository, cluster, Fargate task definition, service and task are all taken."""
    ecr.create_repository(repositoryName="acme/web")
    ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE"])
    ecs.register_task_definition(
        family="web",
        containerDefinitions=[{"name": "app", "image": "nginx:1.27"}],
        **arrange.FARGATE,
    )
    network = {"awsvpcConfiguration": {"subnets": [sandbox.subnet_ids[0]]}}

    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web",
        launchType="FARGATE",
        desiredCount=2,
        networkConfiguration=network,
    )
    tasks = ecs.run_task(
        cluster="prod",
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration=network,
        overrides={"containerOverrides": [{"name": "app", "command": ["true"]}]},
    )["tasks"]

    assert len(tasks) == 1
    assert (
        ecs.describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"] == 2
    )


@pytest.fixture
def unchecked(moto_endpoint: str) -> Callable[[str], Any]:
    """boto3 clients that send requests botocore itself would stop, so the server judges."""

    def make(service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name="us-east-1",
            endpoint_url=moto_endpoint,
            config=Config(retries={"total_max_attempts": 1}, parameter_validation=False),
        )

    return make


@pytest.mark.parametrize("case", refusal_cases.cases(), ids=lambda case: case.rule)
def test_every_refusal_case_is_refused_by_the_stand_in(
    unchecked: Callable[[str], Any], case: refusal_cases.Case
) -> None:
    """Each case of tests/fixtures/refusals, sent as boto3 requests, ends in a 400 naming its rule."""
    *before, (operation, request) = case.requests()
    for earlier_operation, earlier in before:
        send(unchecked, earlier_operation, earlier)

    with pytest.raises(ClientError) as raised:
        send(unchecked, operation, request)

    response = raised.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] in {
        "ClientException",
        "InvalidParameterException",
        "ValidationException",
    }
    assert f"[{case.rule}]" in response["Error"]["Message"]


def send(client: Callable[[str], Any], operation: str, request: dict[str, Any]) -> Any:
    service = next((s for s, ops in SERVICES.items() if operation in ops), "ecs")
    return getattr(client(service), xform_name(operation))(**request)


SERVICES = {
    "ecr": frozenset({"CreateRepository", "PutLifecyclePolicy", "SetRepositoryPolicy"}),
    "logs": frozenset({"CreateLogGroup", "PutRetentionPolicy"}),
    "application-autoscaling": frozenset({"RegisterScalableTarget", "PutScalingPolicy"}),
}
"""The operations that are not ECS's, by the service that answers them."""
