"""A small shop built by hand with plain boto3, the way a team without ecsync built it.

A Fargate web service with environment, secrets, port mappings, logging, a
health check and a deployment configuration; a canary service still on the
web family's previous revision; a worker on an EC2 capacity provider; a
service another ecsync instance owns; and two ECR repositories, one with a
lifecycle policy, a repository policy and tags. Nothing carries this
instance's ownership tag.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import ecsync_local as local
from controller.core.resources import OWNER_TAG

CLUSTER = "shop"
SERVICES = ("web", "web-canary", "worker")
"""The services an import of the cluster writes (not `billing`, owned by another instance)."""
REPOSITORIES = ("shop/web", "shop/worker")
PROVIDER = "shop-ec2"
LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Drop untagged images after two weeks",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PullFromStaging",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}
WEB: dict[str, Any] = {
    "family": "shop-web",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "512",
    "memory": "1024",
    "executionRoleArn": "arn:aws:iam::123456789012:role/shop-ecs-execution",
    "taskRoleArn": "arn:aws:iam::123456789012:role/shop-web-task",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.0.0",
            "essential": True,
            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            "environment": [
                {"name": "APP_ENV", "value": "production"},
                {"name": "LOG_LEVEL", "value": "info"},
            ],
            "secrets": [
                {
                    "name": "DATABASE_URL",
                    "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbCdEf",
                }
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/shop-web",
                    "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "app",
                },
            },
            "healthCheck": {
                "command": ["CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"],
                "interval": 30,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 15,
            },
        }
    ],
    "tags": [{"key": "team", "value": "shop"}],
}


@dataclass(frozen=True)
class Shop:
    web_revisions: tuple[str, ...]
    """ARNs of shop-web:1 (the canary's) and shop-web:2 (web's)."""


def build(ecs: Any, ecr: Any, sandbox: local.Sandbox) -> Shop:
    """Create the shop; returns the web family's revision ARNs."""
    ecs.create_capacity_provider(
        name=PROVIDER,
        autoScalingGroupProvider={
            "autoScalingGroupArn": sandbox.asg_arn,
            "managedScaling": {"status": "ENABLED", "targetCapacity": 80},
            "managedTerminationProtection": "DISABLED",
        },
        tags=[{"key": "team", "value": "shop"}],
    )
    ecs.create_cluster(
        clusterName=CLUSTER,
        settings=[{"name": "containerInsights", "value": "enabled"}],
        capacityProviders=["FARGATE", PROVIDER],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        tags=[{"key": "team", "value": "shop"}],
    )
    first = ecs.register_task_definition(**WEB)["taskDefinition"]["taskDefinitionArn"]
    second_definition = copy.deepcopy(WEB)
    second_definition["containerDefinitions"][0]["image"] = WEB["containerDefinitions"][0][
        "image"
    ].replace("1.0.0", "1.1.0")
    second = ecs.register_task_definition(**second_definition)["taskDefinition"][
        "taskDefinitionArn"
    ]
    worker = ecs.register_task_definition(
        family="shop-worker",
        networkMode="bridge",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[
            {
                "name": "worker",
                "image": "ghcr.io/shop/worker:2.3.1",
                "cpu": 256,
                "memory": 512,
                "command": ["worker", "--queue", "default"],
                "ulimits": [{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}],
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    network = {
        "awsvpcConfiguration": {
            "subnets": list(sandbox.subnet_ids),
            "securityGroups": [sandbox.security_group_id],
            "assignPublicIp": "DISABLED",
        }
    }
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web",
        taskDefinition=second,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=network,
        deploymentConfiguration={
            "maximumPercent": 200,
            "minimumHealthyPercent": 50,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        enableExecuteCommand=True,
        propagateTags="SERVICE",
        tags=[{"key": "team", "value": "shop"}],
    )
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="web-canary",
        taskDefinition=first,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network,
    )
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="worker",
        taskDefinition=worker,
        desiredCount=1,
        capacityProviderStrategy=[{"capacityProvider": PROVIDER, "weight": 1}],
        placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
    )
    ecs.create_service(
        cluster=CLUSTER,
        serviceName="billing",
        taskDefinition=worker,
        desiredCount=1,
        tags=[{"key": OWNER_TAG, "value": "billing-team"}],
    )
    ecr.create_repository(
        repositoryName="shop/web",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        tags=[{"Key": "team", "Value": "shop"}],
    )
    ecr.put_lifecycle_policy(repositoryName="shop/web", lifecyclePolicyText=json.dumps(LIFECYCLE))
    ecr.set_repository_policy(repositoryName="shop/web", policyText=json.dumps(POLICY))
    ecr.create_repository(repositoryName="shop/worker")
    return Shop(web_revisions=(first, second))


def owner_tags(ecs: Any, ecr: Any) -> dict[str, str | None]:
    """The ownership tag of every resource of the shop, by `Kind/name`."""
    found: dict[str, str | None] = {}

    def owner(tags: list[dict[str, str]], key: str = "key", value: str = "value") -> str | None:
        return next((t[value] for t in tags if t[key] == OWNER_TAG), None)

    cluster = ecs.describe_clusters(clusters=[CLUSTER], include=["TAGS"])["clusters"][0]
    found[f"Cluster/{CLUSTER}"] = owner(cluster.get("tags", []))
    provider = ecs.describe_capacity_providers(capacityProviders=[PROVIDER], include=["TAGS"])
    found[f"CapacityProvider/{PROVIDER}"] = owner(provider["capacityProviders"][0].get("tags", []))
    described = ecs.describe_services(
        cluster=CLUSTER, services=[*SERVICES, "billing"], include=["TAGS"]
    )
    for service in described["services"]:
        found[f"Service/{CLUSTER}/{service['serviceName']}"] = owner(service.get("tags", []))
    for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]:
        tags = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"]).get("tags", [])
        found[f"TaskDefinition/{arn.rsplit('/', 1)[-1]}"] = owner(tags)
    for name in REPOSITORIES:
        arn = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["repositoryArn"]
        tags = ecr.list_tags_for_resource(resourceArn=arn)["tags"]
        found[f"Repository/{name}"] = owner(tags, "Key", "Value")
    return found
