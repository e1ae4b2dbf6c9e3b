"""The local stand-in takes every request AWS takes, where stock moto fails with HTTP 500."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

import ecsync_local as local
from tests.support import arrange

ASG = {"autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x"}
FARGATE_TASK: dict[str, Any] = {
    "family": "web",
    "containerDefinitions": [{"name": "app", "image": "nginx:1.27"}],
    **arrange.FARGATE,
}


def managed(name: str) -> dict[str, Any]:
    arn = f"arn:aws:ecs:us-east-1:123456789012:capacity-provider/{name}"
    return {"capacityProviderArn": arn, "name": name, "status": "ACTIVE", "tags": []}


def test_service_without_security_groups_is_created_as_sent(
    ecs: Any, sandbox: local.Sandbox
) -> None:
    """An awsvpc service with subnets only is created, and described without securityGroups."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(**FARGATE_TASK)
    network = {"awsvpcConfiguration": {"subnets": [sandbox.subnet_ids[0]]}}

    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web",
        launchType="FARGATE",
        desiredCount=1,
        networkConfiguration=network,
    )

    described = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    vpc = {**network["awsvpcConfiguration"], "assignPublicIp": "DISABLED"}
    assert described["networkConfiguration"] == {"awsvpcConfiguration": vpc}


def test_service_with_an_unknown_subnet_is_still_refused(ecs: Any, sandbox: local.Sandbox) -> None:
    """Leaving securityGroups out does not skip the subnet check: a missing subnet is a 400."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(**FARGATE_TASK)

    with pytest.raises(ClientError) as raised:
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web",
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-00000000"]}},
        )

    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"


def test_task_without_security_groups_runs_in_the_vpc_default_group(
    ecs: Any, boto_client: Any, sandbox: local.Sandbox
) -> None:
    """RunTask with subnets only starts the task on an ENI in the VPC's default security group."""
    ecs.create_cluster(clusterName="jobs")
    ecs.register_task_definition(**FARGATE_TASK)

    task = ecs.run_task(
        cluster="jobs",
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [sandbox.subnet_ids[0]]}},
    )["tasks"][0]

    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    ec2 = boto_client("ec2")
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[details["networkInterfaceId"]])
    default = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [sandbox.vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    assert [g["GroupId"] for g in eni["NetworkInterfaces"][0]["Groups"]] == [default]


def test_describe_capacity_providers_without_names_adds_fargate(ecs: Any) -> None:
    """With no names, the account's providers come first, then FARGATE and FARGATE_SPOT."""
    ecs.create_capacity_provider(name="ec2", autoScalingGroupProvider=ASG)

    listed = ecs.describe_capacity_providers()["capacityProviders"]

    assert [p["name"] for p in listed] == ["ec2", "FARGATE", "FARGATE_SPOT"]
    assert listed[1:] == [managed("FARGATE"), managed("FARGATE_SPOT")]


def test_describe_capacity_providers_by_name_describes_fargate(ecs: Any) -> None:
    """FARGATE_SPOT asked by name or ARN is described, not reported MISSING; unknowns still are."""
    spot = managed("FARGATE_SPOT")

    by_name = ecs.describe_capacity_providers(capacityProviders=["FARGATE_SPOT", "nope"])
    by_arn = ecs.describe_capacity_providers(capacityProviders=[spot["capacityProviderArn"]])

    assert by_name["capacityProviders"] == [spot]
    assert [f["reason"] for f in by_name["failures"]] == ["MISSING"]
    assert by_arn["capacityProviders"] == [spot]
    assert by_arn["failures"] == []
