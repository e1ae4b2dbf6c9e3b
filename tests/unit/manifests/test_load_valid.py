"""Loading the valid fixture set: every kind, with many optional fields, in YAML and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Annotations, Desired, SourceLocation
from controller.manifests.loader import load

ECR = "arn:aws:secretsmanager:eu-west-1:123456789012:secret"

EXPECTED: dict[ResourceId, tuple[dict[str, Any], Annotations, SourceLocation]] = {
    ResourceId(Kind.CLUSTER, "prod"): (
        {
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "configuration": {"executeCommandConfiguration": {"logging": "DEFAULT"}},
            "capacityProviders": ["FARGATE", "FARGATE_SPOT", "ec2-spot"],
            "defaultCapacityProviderStrategy": [
                {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3},
            ],
            "serviceConnectDefaults": {"namespace": "prod.local"},
            "tags": {"env": "prod"},
        },
        Annotations(prune=False),
        SourceLocation("cluster.yaml", 1, 1),
    ),
    ResourceId(Kind.CAPACITY_PROVIDER, "ec2-spot"): (
        {
            "autoScalingGroupProvider": {
                "autoScalingGroupArn": "arn:aws:autoscaling:eu-west-1:123456789012:"
                "autoScalingGroup:uuid:autoScalingGroupName/spot",
                "managedScaling": {
                    "status": "ENABLED",
                    "targetCapacity": 90,
                    "minimumScalingStepSize": 1,
                    "maximumScalingStepSize": 10,
                },
                "managedTerminationProtection": "DISABLED",
            },
            "tags": {"env": "prod"},
        },
        Annotations(adopt=True),
        SourceLocation("cluster.yaml", 26, 1),
    ),
    ResourceId(Kind.REPOSITORY, "team/web"): (
        {
            "imageTagMutability": "IMMUTABLE",
            "imageScanningConfiguration": {"scanOnPush": True},
            "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "alias/ecr"},
            "lifecyclePolicy": {
                "rules": [
                    {
                        "rulePriority": 1,
                        "description": "keep the last 30 images",
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 30,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            },
            "repositoryPolicy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "pull",
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    }
                ],
            },
            "tags": {"team": "web", "cost-center": "1234"},
        },
        Annotations(),
        SourceLocation("repository.yaml", 2, 1),
    ),
    ResourceId(Kind.SERVICE, "web", "prod"): (
        {
            "cluster": "prod",
            "taskDefinition": "web",
            "desiredCount": 2,
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": ["subnet-1", "subnet-2"],
                    "assignPublicIp": "DISABLED",
                }
            },
            "deploymentConfiguration": {
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
            "loadBalancers": [
                {
                    "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:"
                    "targetgroup/web/1",
                    "containerName": "web",
                    "containerPort": 8080,
                }
            ],
            "enableExecuteCommand": False,
            "tags": {"team": "web"},
        },
        Annotations(ignore=("/desiredCount", "/tags/deployed-by"), wave=-1),
        SourceLocation("services/web.json", 1, 1),
    ),
    ResourceId(Kind.TASK_DEFINITION, "web"): (
        {
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "256",
            "memory": "512",
            "executionRoleArn": "arn:aws:iam::123456789012:role/web-execution",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "ghcr.io/example/web:1.4.2",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp", "name": "http"}],
                    "environment": [
                        {"name": "PORT", "value": "8080"},
                        {"name": "FEATURE_X", "value": "on"},
                    ],
                    "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"{ECR}:db"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/web",
                            "awslogs-region": "eu-west-1",
                            "awslogs-stream-prefix": "web",
                        },
                    },
                    "healthCheck": {
                        "command": [
                            "CMD-SHELL",
                            "curl -f http://localhost:8080/health || exit 1",
                        ],
                        "interval": 30,
                        "retries": 3,
                    },
                    "dockerLabels": {"com.example.team": "web"},
                    "ulimits": [{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}],
                    "repositoryCredentials": {"credentialsParameter": f"{ECR}:ghcr"},
                }
            ],
            "volumes": [{"name": "scratch"}],
            "tags": {"team": "web"},
        },
        Annotations(),
        SourceLocation("task-definitions/web.yaml", 1, 1),
    ),
    ResourceId(Kind.TASK, "migrate", "prod"): (
        {
            "cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
            "taskDefinition": "web",
            "launchType": "FARGATE",
            "count": 1,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
            "overrides": {
                "containerOverrides": [{"name": "web", "command": ["./manage", "migrate"]}]
            },
        },
        Annotations(hook="pre-sync"),
        SourceLocation("tasks/migrate.yaml", 3, 1),
    ),
    ResourceId(Kind.SERVICE, "worker", "prod"): (
        {
            "cluster": "prod",
            "taskDefinition": "worker:7",
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
            "deploymentConfiguration": {"maximumPercent": 150, "minimumHealthyPercent": 100},
            "volumeConfigurations": [],
        },
        Annotations(),
        SourceLocation("tasks/migrate.yaml", 24, 1),
    ),
}


@pytest.fixture
def loaded(fixtures: Path) -> dict[ResourceId, Desired]:
    """The valid fixtures, loaded, keyed by resource id (after checking they are clean)."""
    result = load(fixtures / "valid")
    assert result.errors == ()
    assert result.warnings == ()
    assert result.ok
    return {desired.id: desired for desired in result.resources}


def test_valid_fixtures_load_every_resource_and_nothing_else(
    loaded: dict[ResourceId, Desired],
) -> None:
    """The valid set yields exactly its seven resources, with no errors or warnings."""
    assert sorted(loaded) == sorted(EXPECTED)


@pytest.mark.parametrize("resource_id", list(EXPECTED), ids=str)
def test_valid_fixture_yields_the_exact_desired_resource(
    loaded: dict[ResourceId, Desired], resource_id: ResourceId
) -> None:
    """Each resource carries exactly the fields written, its annotations and its location."""
    spec, annotations, source = EXPECTED[resource_id]
    assert loaded[resource_id] == Desired(resource_id, spec, annotations, source)


def test_explicit_null_fields_are_dropped_from_the_spec(
    loaded: dict[ResourceId, Desired],
) -> None:
    """`stopTimeout: null` in the fixture leaves no trace: a null field is not managed."""
    container = loaded[ResourceId(Kind.TASK_DEFINITION, "web")].spec["containerDefinitions"][0]
    assert "stopTimeout" not in container


def test_only_manifest_files_outside_dot_folders_are_read(fixtures: Path) -> None:
    """README.md, .hidden.yaml and .drafts/ in the fixture folder are skipped (5 files read)."""
    assert (fixtures / "valid" / ".hidden.yaml").exists()
    assert (fixtures / "valid" / ".drafts" / "broken.yaml").exists()
    assert load(fixtures / "valid").files == 5


def test_load_is_deterministic(fixtures: Path) -> None:
    """Two loads of the same folder give equal results, in the same order."""
    assert load(fixtures / "valid") == load(fixtures / "valid")
