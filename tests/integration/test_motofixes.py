"""The moto fixes: the embedded server behaves like AWS where moto would hide bugs."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse

from ecsync_local import fixes
from tests.support import arrange


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = raised.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def describe(ecs: Any, name: str = "web") -> dict[str, Any]:
    service: dict[str, Any] = ecs.describe_services(cluster="prod", services=[name])["services"][0]
    return service


def test_apply_fixes_is_idempotent() -> None:
    """A second apply_fixes() leaves the already patched methods as they are."""
    fixes.apply_fixes()
    patched = (
        EC2ContainerServiceResponse.create_service,
        EC2ContainerServiceBackend.create_cluster,
    )

    fixes.apply_fixes()

    assert (
        EC2ContainerServiceResponse.create_service,
        EC2ContainerServiceBackend.create_cluster,
    ) == patched
    assert getattr(EC2ContainerServiceBackend.create_cluster, "__ecsync_fix__keep_existing_cluster")


def test_every_fix_documents_the_aws_behaviour_it_restores() -> None:
    """Each fix has a docstring naming AWS."""
    for fix in fixes.FIXES:
        assert "AWS" in (fix.__doc__ or ""), fix


def test_create_service_stores_every_field(moto_endpoint: str, ecs: Any) -> None:
    """CreateService keeps the fields moto used to drop, and a strategy means no launchType."""
    arrange.services(ecs, "prod", [])
    fields = {
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "deploymentConfiguration": {
            "maximumPercent": 150,
            "minimumHealthyPercent": 50,
            "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        },
        "enableExecuteCommand": True,
        "enableECSManagedTags": True,
        "healthCheckGracePeriodSeconds": 45,
        "placementConstraints": [{"type": "distinctInstance"}],
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        "availabilityZoneRebalancing": "ENABLED",
    }
    ecs.create_service(
        cluster="prod", serviceName="web", taskDefinition="prod-task", desiredCount=1, **fields
    )

    service = describe(ecs)

    assert {k: service[k] for k in fields} == fields
    assert "launchType" not in service
    assert (
        service["deployments"][0]["capacityProviderStrategy"] == fields["capacityProviderStrategy"]
    )


def test_create_service_without_strategy_keeps_ec2_default(moto_endpoint: str, ecs: Any) -> None:
    """With neither launchType nor a strategy, the service still defaults to EC2."""
    arrange.services(ecs, "prod", ["web"])

    assert describe(ecs)["launchType"] == "EC2"


def test_deployment_level_fields_show_on_the_primary_deployment(
    moto_endpoint: str, ecs: Any, boto_client: Any
) -> None:
    """serviceConnectConfiguration is reported on the PRIMARY deployment, on create and update."""
    arrange.services(ecs, "prod", [])
    boto_client("servicediscovery").create_http_namespace(Name="internal")
    arn = boto_client("servicediscovery").list_namespaces()["Namespaces"][0]["Arn"]
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="prod-task",
        serviceConnectConfiguration={"enabled": False},
    )
    created = describe(ecs)["deployments"][0]["serviceConnectConfiguration"]

    ecs.update_service(
        cluster="prod",
        service="web",
        serviceConnectConfiguration={"enabled": True, "namespace": arn},
    )

    assert created == {"enabled": False}
    assert describe(ecs)["deployments"][0]["serviceConnectConfiguration"] == {
        "enabled": True,
        "namespace": arn,
    }
    assert "serviceConnectConfiguration" not in describe(ecs)


def test_create_cluster_returns_the_existing_cluster(moto_endpoint: str, ecs: Any) -> None:
    """CreateCluster on an ACTIVE name changes nothing, as on AWS."""
    ecs.create_cluster(
        clusterName="prod",
        capacityProviders=["FARGATE"],
        tags=[{"key": "team", "value": "web"}],
    )

    again = ecs.create_cluster(clusterName="prod")["cluster"]

    assert again["capacityProviders"] == ["FARGATE"]
    described = ecs.describe_clusters(clusters=["prod"], include=["TAGS"])["clusters"][0]
    assert described["tags"] == [{"key": "team", "value": "web"}]


def test_create_cluster_after_delete_makes_a_new_one(moto_endpoint: str, ecs: Any) -> None:
    """An INACTIVE cluster's name can be created again, fresh."""
    ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE"])
    ecs.delete_cluster(cluster="prod")

    created = ecs.create_cluster(clusterName="prod")["cluster"]

    assert created["status"] == "ACTIVE"
    assert "capacityProviders" not in created or created["capacityProviders"] == []


def test_create_service_twice_is_not_idempotent(moto_endpoint: str, ecs: Any) -> None:
    """CreateService on an ACTIVE service fails like AWS; after deletion the name is free."""
    arrange.services(ecs, "prod", ["web"])

    with pytest.raises(ClientError) as raised:
        ecs.create_service(cluster="prod", serviceName="web", taskDefinition="prod-task")

    assert error_of(raised) == (
        400,
        "InvalidParameterException",
        "Creation of service was not idempotent.",
    )
    ecs.delete_service(cluster="prod", service="web", force=True)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="prod-task")
    assert describe(ecs)["status"] == "ACTIVE"


def test_capacity_provider_duplicates_and_unknowns_are_client_errors(
    moto_endpoint: str, ecs: Any
) -> None:
    """A duplicate create or an unknown delete is a 400 ClientException, not a replace or a 500."""
    asg = {"autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x"}
    ecs.create_capacity_provider(name="ec2", autoScalingGroupProvider=asg)

    with pytest.raises(ClientError) as duplicate:
        ecs.create_capacity_provider(name="ec2", autoScalingGroupProvider=asg)
    with pytest.raises(ClientError) as unknown:
        ecs.delete_capacity_provider(capacityProvider="nope")

    assert error_of(duplicate)[:2] == (400, "ClientException")
    assert error_of(unknown)[:2] == (400, "ClientException")


@pytest.mark.parametrize(
    ("service", "operation", "param", "limit"),
    [
        ("ecs", "describe_services", "services", 10),
        ("ecs", "describe_clusters", "clusters", 100),
        ("ecs", "describe_capacity_providers", "capacityProviders", 100),
        ("ecr", "describe_repositories", "repositoryNames", 100),
    ],
)
def test_describe_calls_enforce_aws_request_limits(
    moto_endpoint: str,
    boto_client: Any,
    service: str,
    operation: str,
    param: str,
    limit: int,
) -> None:
    """More names than AWS accepts in one describe call is an InvalidParameterException."""
    client = boto_client(service)
    extra = {"cluster": "default"} if operation == "describe_services" else {}
    if extra:
        client.create_cluster(clusterName="default")

    with pytest.raises(ClientError) as raised:
        getattr(client, operation)(**{param: [f"n{i}" for i in range(limit + 1)]}, **extra)

    status, code, message = error_of(raised)
    assert (status, code) == (400, "InvalidParameterException")
    assert f"at most {limit}" in message


def test_fargate_task_with_task_level_memory_only_runs(ecs: Any, sandbox: Any) -> None:
    """RunTask works when memory is set on the task alone, as Fargate task definitions do."""
    ecs.create_cluster(clusterName="jobs")
    ecs.register_task_definition(
        family="migrate",
        containerDefinitions=[{"name": "app", "image": "alpine:3"}],
        **arrange.FARGATE,
    )

    tasks = ecs.run_task(
        cluster="jobs",
        taskDefinition="migrate",
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [sandbox.subnet_ids[0]],
                "securityGroups": [sandbox.security_group_id],
            }
        },
    )["tasks"]

    assert len(tasks) == 1
    assert tasks[0]["taskDefinitionArn"].endswith(":task-definition/migrate:1")
