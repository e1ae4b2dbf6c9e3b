"""The local stand-in describes resources with the defaults and spellings AWS fills in.

Each behaviour is recorded, with its source, in docs/fidelity.md and the
fidelity corpus; here the double is held to it over HTTP with plain boto3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

import ecsync_local as local

CONTAINER = {"name": "app", "image": "nginx:1.27", "memory": 128}
FARGATE = {
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
}


@pytest.fixture
def cloudmap(boto_client: Callable[[str], Any]) -> Any:
    """A plain Cloud Map client."""
    return boto_client("servicediscovery")


def namespace(cloudmap: Any, name: str) -> str:
    """The ARN of the Cloud Map namespace `name`, created if it is not there."""
    found = [n["Arn"] for n in cloudmap.list_namespaces()["Namespaces"] if n["Name"] == name]
    if found:
        return str(found[0])
    cloudmap.create_http_namespace(Name=name)
    return namespace(cloudmap, name)


def describe_service(ecs: Any, name: str = "web") -> dict[str, Any]:
    service: dict[str, Any] = ecs.describe_services(cluster="prod", services=[name])["services"][0]
    return service


def describe_cluster(ecs: Any) -> dict[str, Any]:
    cluster: dict[str, Any] = ecs.describe_clusters(clusters=["prod"])["clusters"][0]
    return cluster


def ec2_service(ecs: Any, **fields: Any) -> dict[str, Any]:
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", **fields)
    return describe_service(ecs)


def fargate_service(ecs: Any, sandbox: local.Sandbox, **fields: Any) -> dict[str, Any]:
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER], **FARGATE)
    network = {"awsvpcConfiguration": {"subnets": [sandbox.subnet_ids[0]]}}
    ecs.create_service(
        cluster="prod",
        serviceName="web",
        taskDefinition="web",
        networkConfiguration=network,
        **fields,
    )
    return describe_service(ecs)


def error_code(raised: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


# --- Service -----------------------------------------------------------------


def test_placement_strategy_fields_come_back_in_ecs_spelling(ecs: Any) -> None:
    """host, memory and cpu come back as instanceId, MEMORY and CPU; attributes keep their case."""
    described = ec2_service(
        ecs,
        launchType="EC2",
        placementStrategy=[
            {"type": "spread", "field": "host"},
            {"type": "binpack", "field": "memory"},
            {"type": "spread", "field": "attribute:ecs.availability-zone"},
        ],
    )
    ecs.update_service(
        cluster="prod", service="web", placementStrategy=[{"type": "binpack", "field": "cpu"}]
    )

    assert described["placementStrategy"] == [
        {"type": "spread", "field": "instanceId"},
        {"type": "binpack", "field": "MEMORY"},
        {"type": "spread", "field": "attribute:ecs.availability-zone"},
    ]
    assert describe_service(ecs)["placementStrategy"] == [{"type": "binpack", "field": "CPU"}]


def test_deployment_configuration_defaults_when_none_is_sent(ecs: Any) -> None:
    """A REPLICA service reports 200/100 and the circuit breaker off when none was sent."""
    described = ec2_service(ecs, launchType="EC2")

    assert described["deploymentConfiguration"] == {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    }


def test_a_partial_deployment_configuration_is_completed(ecs: Any) -> None:
    """Only minimumHealthyPercent sent: the maximum and the circuit breaker get their defaults."""
    described = ec2_service(
        ecs, launchType="EC2", deploymentConfiguration={"minimumHealthyPercent": 50}
    )

    assert described["deploymentConfiguration"] == {
        "maximumPercent": 200,
        "minimumHealthyPercent": 50,
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    }


def test_a_daemon_service_gets_daemon_percentages(ecs: Any) -> None:
    """A DAEMON service reports 100/0 and no circuit breaker."""
    described = ec2_service(ecs, launchType="EC2", schedulingStrategy="DAEMON")

    assert described["deploymentConfiguration"] == {
        "maximumPercent": 100,
        "minimumHealthyPercent": 0,
    }


def test_top_level_switches_and_network_defaults(ecs: Any, sandbox: local.Sandbox) -> None:
    """A new service reports the switches it was not sent, assignPublicIp and strategy base."""
    described = fargate_service(
        ecs, sandbox, capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}]
    )

    assert {
        k: described[k]
        for k in (
            "enableECSManagedTags",
            "enableExecuteCommand",
            "healthCheckGracePeriodSeconds",
            "availabilityZoneRebalancing",
        )
    } == {
        "enableECSManagedTags": False,
        "enableExecuteCommand": False,
        "healthCheckGracePeriodSeconds": 0,
        "availabilityZoneRebalancing": "ENABLED",
    }
    assert described["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert described["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 0}
    ]


def test_sent_values_are_kept(ecs: Any, sandbox: local.Sandbox) -> None:
    """What the request spells out comes back as sent, not replaced by a default."""
    described = fargate_service(
        ecs,
        sandbox,
        launchType="FARGATE",
        enableExecuteCommand=True,
        availabilityZoneRebalancing="DISABLED",
        deploymentConfiguration={
            "maximumPercent": 150,
            "minimumHealthyPercent": 50,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
    )

    assert described["enableExecuteCommand"] is True
    assert described["availabilityZoneRebalancing"] == "DISABLED"
    assert described["deploymentConfiguration"]["maximumPercent"] == 150
    assert described["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"] is True


def test_service_connect_namespace_by_name_comes_back_as_its_arn(
    ecs: Any, cloudmap: Any, sandbox: local.Sandbox
) -> None:
    """A namespace written by name is reported as the Cloud Map ARN on the PRIMARY deployment."""
    arn = namespace(cloudmap, "internal")

    described = fargate_service(
        ecs,
        sandbox,
        launchType="FARGATE",
        serviceConnectConfiguration={"enabled": True, "namespace": "internal"},
    )

    assert described["deployments"][0]["serviceConnectConfiguration"] == {
        "enabled": True,
        "namespace": arn,
    }


def test_service_connect_without_namespace_uses_the_cluster_default(
    ecs: Any, cloudmap: Any
) -> None:
    """Enabled without a namespace, the cluster's default namespace ARN is reported."""
    ecs.create_cluster(clusterName="prod", serviceConnectDefaults={"namespace": "internal"})
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web")

    ecs.update_service(cluster="prod", service="web", serviceConnectConfiguration={"enabled": True})

    reported = describe_service(ecs)["deployments"][0]["serviceConnectConfiguration"]
    assert reported == {"enabled": True, "namespace": namespace(cloudmap, "internal")}


def test_an_unknown_service_connect_namespace_is_refused(ecs: Any, cloudmap: Any) -> None:
    """CreateService naming a namespace Cloud Map lacks fails with NamespaceNotFoundException."""
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", containerDefinitions=[CONTAINER])

    with pytest.raises(ClientError) as raised:
        ecs.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition="web",
            serviceConnectConfiguration={"enabled": True, "namespace": "nowhere"},
        )

    assert error_code(raised) == (400, "NamespaceNotFoundException")
    assert cloudmap.list_namespaces()["Namespaces"] == []
    assert ecs.describe_services(cluster="prod", services=["web"])["services"] == []


# --- Cluster -----------------------------------------------------------------


def test_cluster_service_connect_defaults_by_name_come_back_as_arn(ecs: Any, cloudmap: Any) -> None:
    """An existing namespace named by name is reported by ARN, and no second one is made."""
    arn = namespace(cloudmap, "internal")

    ecs.create_cluster(clusterName="prod", serviceConnectDefaults={"namespace": "internal"})

    assert describe_cluster(ecs)["serviceConnectDefaults"] == {"namespace": arn}
    assert len(cloudmap.list_namespaces()["Namespaces"]) == 1


def test_a_new_cluster_namespace_name_creates_an_http_namespace(ecs: Any, cloudmap: Any) -> None:
    """CreateCluster with a new namespace name makes that HTTP namespace and reports its ARN."""
    ecs.create_cluster(clusterName="prod", serviceConnectDefaults={"namespace": "shop.local"})

    created = cloudmap.list_namespaces()["Namespaces"]
    assert [(n["Name"], n["Type"]) for n in created] == [("shop.local", "HTTP")]
    assert describe_cluster(ecs)["serviceConnectDefaults"] == {"namespace": created[0]["Arn"]}


def test_update_cluster_resolves_and_removes_service_connect_defaults(
    ecs: Any, cloudmap: Any
) -> None:
    """UpdateCluster sets the defaults by ARN; an empty name removes them; a bad ARN is refused."""
    ecs.create_cluster(clusterName="prod")

    ecs.update_cluster(cluster="prod", serviceConnectDefaults={"namespace": "internal"})
    set_to = describe_cluster(ecs).get("serviceConnectDefaults")
    ecs.update_cluster(cluster="prod", serviceConnectDefaults={"namespace": ""})
    removed = describe_cluster(ecs).get("serviceConnectDefaults")
    with pytest.raises(ClientError) as raised:
        ecs.update_cluster(
            cluster="prod",
            serviceConnectDefaults={
                "namespace": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-none"
            },
        )

    assert set_to == {"namespace": namespace(cloudmap, "internal")}
    assert removed is None
    assert error_code(raised) == (400, "NamespaceNotFoundException")


def test_exec_command_logging_defaults(ecs: Any) -> None:
    """Log encryption flags come back false when not sent, logging DEFAULT; sent values stay."""
    ecs.create_cluster(
        clusterName="prod",
        configuration={
            "executeCommandConfiguration": {
                "logging": "OVERRIDE",
                "logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec"},
            }
        },
    )
    ecs.create_cluster(
        clusterName="other",
        configuration={"executeCommandConfiguration": {"kmsKeyId": "alias/exec"}},
    )
    ecs.update_cluster(
        cluster="other",
        configuration={
            "executeCommandConfiguration": {
                "logging": "OVERRIDE",
                "logConfiguration": {"s3BucketName": "logs", "s3EncryptionEnabled": True},
            }
        },
    )

    clusters = ecs.describe_clusters(clusters=["prod", "other"])["clusters"]
    prod, other = (c["configuration"]["executeCommandConfiguration"] for c in clusters)
    assert prod["logConfiguration"] == {
        "cloudWatchLogGroupName": "/ecs/exec",
        "cloudWatchEncryptionEnabled": False,
        "s3EncryptionEnabled": False,
    }
    assert other["logConfiguration"] == {
        "s3BucketName": "logs",
        "s3EncryptionEnabled": True,
        "cloudWatchEncryptionEnabled": False,
    }
    default_logging = ecs.create_cluster(
        clusterName="third", configuration={"executeCommandConfiguration": {}}
    )["cluster"]
    assert default_logging["configuration"]["executeCommandConfiguration"] == {"logging": "DEFAULT"}


def test_default_strategy_items_get_base_zero(ecs: Any) -> None:
    """A cluster's default strategy, on create and on PutClusterCapacityProviders, has base 0."""
    ecs.create_cluster(
        clusterName="prod",
        capacityProviders=["FARGATE"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
    )
    created = describe_cluster(ecs)["defaultCapacityProviderStrategy"]
    ecs.put_cluster_capacity_providers(
        cluster="prod",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 2}],
    )

    assert created == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    assert describe_cluster(ecs)["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 0}
    ]


# --- TaskDefinition ----------------------------------------------------------


def register(ecs: Any, **fields: Any) -> dict[str, Any]:
    ecs.register_task_definition(family="web", **fields)
    described: dict[str, Any] = ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]
    return described


def test_fault_injection_defaults_to_false_and_keeps_true(ecs: Any) -> None:
    """DescribeTaskDefinition reports enableFaultInjection false when not sent, true when sent."""
    plain = register(ecs, containerDefinitions=[CONTAINER])
    injected = register(ecs, containerDefinitions=[CONTAINER], enableFaultInjection=True)

    assert plain["enableFaultInjection"] is False
    assert injected["enableFaultInjection"] is True


def test_port_mappings_get_host_port_and_protocol(ecs: Any) -> None:
    """Under awsvpc hostPort is the container port; under bridge it is 0; protocol is tcp."""
    awsvpc = register(
        ecs,
        containerDefinitions=[{**CONTAINER, "portMappings": [{"containerPort": 8080}]}],
        **FARGATE,
    )
    bridge = register(
        ecs,
        containerDefinitions=[
            {
                **CONTAINER,
                "portMappings": [
                    {"containerPort": 80},
                    {"containerPort": 53, "protocol": "udp", "hostPort": 5353},
                ],
            }
        ],
    )

    assert awsvpc["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
    ]
    assert bridge["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 0, "protocol": "tcp"},
        {"containerPort": 53, "protocol": "udp", "hostPort": 5353},
    ]


def test_volumes_come_back_with_their_defaults(ecs: Any) -> None:
    """A bind volume gets host {}, EFS rootDirectory /, Docker volumes scope task and driver local."""
    described = register(
        ecs,
        containerDefinitions=[CONTAINER],
        volumes=[
            {"name": "scratch"},
            {"name": "data", "host": {"sourcePath": "/var/data"}},
            {"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678"}},
            {"name": "cache", "dockerVolumeConfiguration": {"labels": {"a": "b"}}},
        ],
    )

    assert described["volumes"] == [
        {"name": "scratch", "host": {}},
        {"name": "data", "host": {"sourcePath": "/var/data"}},
        {
            "name": "shared",
            "efsVolumeConfiguration": {"fileSystemId": "fs-12345678", "rootDirectory": "/"},
        },
        {
            "name": "cache",
            "dockerVolumeConfiguration": {"scope": "task", "driver": "local", "labels": {"a": "b"}},
        },
    ]


def test_task_size_role_and_health_check_as_ecs_reports_them(ecs: Any) -> None:
    """1 vCPU / 2 GB come back as 1024 / 2048, a role name as its ARN, health check timings."""
    described = register(
        ecs,
        containerDefinitions=[{**CONTAINER, "healthCheck": {"command": ["CMD", "true"]}}],
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="1 vCPU",
        memory="2 GB",
        taskRoleArn="web-task",
    )

    assert (described["cpu"], described["memory"]) == ("1024", "2048")
    assert described["taskRoleArn"] == "arn:aws:iam::123456789012:role/web-task"
    assert described["containerDefinitions"][0]["healthCheck"] == {
        "command": ["CMD", "true"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
    }
    assert described["containerDefinitions"][0]["systemControls"] == []


# --- CapacityProvider and Repository -----------------------------------------


def test_capacity_provider_group_by_name_comes_back_as_arn(
    ecs: Any, sandbox: local.Sandbox
) -> None:
    """An Auto Scaling group named by name is reported by ARN, with managedDraining ENABLED."""
    ecs.create_capacity_provider(
        name="workers", autoScalingGroupProvider={"autoScalingGroupArn": sandbox.asg_name}
    )
    created = ecs.describe_capacity_providers(capacityProviders=["workers"])
    ecs.update_capacity_provider(
        name="workers", autoScalingGroupProvider={"managedDraining": "DISABLED"}
    )
    updated = ecs.describe_capacity_providers(capacityProviders=["workers"])

    provider = created["capacityProviders"][0]["autoScalingGroupProvider"]
    assert provider["autoScalingGroupArn"] == sandbox.asg_arn
    assert provider["managedDraining"] == "ENABLED"
    assert updated["capacityProviders"][0]["autoScalingGroupProvider"]["managedDraining"] == (
        "DISABLED"
    )


def test_repository_kms_keys_come_back_as_key_arns(
    ecr: Any, boto_client: Callable[[str], Any]
) -> None:
    """A key id, an alias and no key at all (aws/ecr) are each reported as a KMS key ARN."""
    kms = boto_client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/images", TargetKeyId=key)
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{key}"

    def reported(name: str, **encryption: Any) -> str:
        created = ecr.create_repository(
            repositoryName=name,
            encryptionConfiguration={"encryptionType": "KMS", **encryption},
        )
        return str(created["repository"]["encryptionConfiguration"]["kmsKey"])

    by_id, by_alias = reported("by-id", kmsKey=key), reported("by-alias", kmsKey="alias/images")
    managed = reported("managed")

    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert by_id == by_alias == arn
    assert managed == f"arn:aws:kms:us-east-1:123456789012:key/{aliases['alias/aws/ecr']}"
