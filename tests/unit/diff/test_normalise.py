"""Normalisation: what ECS and ECR fill in never shows as a difference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from controller.core.kinds import Kind
from controller.diff.compare import compare
from controller.diff.normalise import normalise
from controller.diff.normalise.task_definition import content_hash

FIXTURES = Path(__file__).parents[2] / "fixtures" / "live"


def _fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def _diff(kind: Kind, desired: dict[str, Any], live: dict[str, Any]) -> list[Any]:
    d, v = normalise(kind, desired), normalise(kind, live)
    return compare(d, v, (set(d) | set(v)) - {"tags"})


def test_real_ecs_task_definition_equals_its_manifest() -> None:
    """A task definition as real ECS describes it (hostPort, protocol, host: {}...) matches the manifest."""
    desired = _fixture("task-definition-web.desired.json")
    live = _fixture("task-definition-web.real-ecs.json")
    assert _diff(Kind.TASK_DEFINITION, desired, live) == []


def test_task_definition_content_hash_ignores_ecs_fill_ins_and_tags() -> None:
    """The content hash of the manifest equals the hash of the registered revision."""
    desired = normalise(Kind.TASK_DEFINITION, _fixture("task-definition-web.desired.json"))
    live = normalise(Kind.TASK_DEFINITION, _fixture("task-definition-web.real-ecs.json"))
    assert content_hash(desired) == content_hash(live)


def test_task_definition_change_is_found() -> None:
    """A changed environment value is a difference at its exact path."""
    desired = _fixture("task-definition-web.desired.json")
    desired["containerDefinitions"][0]["environment"][0]["value"] = "debug"
    live = _fixture("task-definition-web.real-ecs.json")
    changes = _diff(Kind.TASK_DEFINITION, desired, live)
    assert [c.path for c in changes] == ["/containerDefinitions/0/environment/1/value"]
    assert (changes[0].desired, changes[0].live) == ("debug", "info")


def test_bridge_mode_dynamic_host_port_equals_absent() -> None:
    """Under bridge networking, hostPort 0 (dynamic) means the same as no hostPort."""
    desired = {
        "containerDefinitions": [
            {"name": "w", "image": "x", "portMappings": [{"containerPort": 80}]}
        ]
    }
    live = {
        "containerDefinitions": [
            {
                "name": "w",
                "image": "x",
                "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
            }
        ],
        "networkMode": "bridge",
    }
    assert _diff(Kind.TASK_DEFINITION, desired, live) == []


def test_essential_false_is_kept() -> None:
    """`essential: false` is meaningful and differs from the default."""
    desired = {"containerDefinitions": [{"name": "w", "image": "x", "essential": False}]}
    live = {"containerDefinitions": [{"name": "w", "image": "x", "essential": True}]}
    assert [c.path for c in _diff(Kind.TASK_DEFINITION, desired, live)] == [
        "/containerDefinitions/0/essential"
    ]


def test_real_ecs_service_equals_its_manifest() -> None:
    """A service as real ECS describes it matches a manifest that sets a few fields."""
    desired = {
        "cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "deploymentConfiguration": {"maximumPercent": 200},
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-0aaa", "subnet-0bbb"],
                "securityGroups": ["sg-0123"],
            }
        },
        "placementConstraints": [],
    }
    live = _fixture("service-web.real-ecs.json")
    d, v = normalise(Kind.SERVICE, desired), normalise(Kind.SERVICE, live)
    d["deploymentConfiguration"]["deploymentCircuitBreaker"] = v["deploymentConfiguration"][
        "deploymentCircuitBreaker"
    ]
    d["deploymentConfiguration"]["alarms"] = v["deploymentConfiguration"]["alarms"]
    d["deploymentConfiguration"]["strategy"] = "ROLLING"
    assert compare(d, v, set(desired)) == []


def test_repository_policy_shorthands_are_equivalent() -> None:
    """A single statement and string actions mean the same as their list forms."""
    short = {
        "repositoryPolicy": {
            "Statement": {
                "Sid": "pull",
                "Effect": "Allow",
                "Action": "ecr:GetDownloadUrlForLayer",
                "Principal": {"AWS": "arn:aws:iam::1:root"},
            }
        }
    }
    long = {
        "repositoryPolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "pull",
                    "Effect": "Allow",
                    "Action": ["ecr:GetDownloadUrlForLayer"],
                    "Principal": {"AWS": ["arn:aws:iam::1:root"]},
                }
            ],
        }
    }
    assert normalise(Kind.REPOSITORY, short) == normalise(Kind.REPOSITORY, long)


def test_repository_defaults_match_ecr() -> None:
    """ECR's defaults (MUTABLE, scanOnPush false, AES256) equal an empty manifest."""
    live = {
        "imageTagMutability": "MUTABLE",
        "imageScanningConfiguration": {"scanOnPush": False},
        "encryptionConfiguration": {"encryptionType": "AES256"},
    }
    assert normalise(Kind.REPOSITORY, {}) == normalise(Kind.REPOSITORY, live)


def test_lifecycle_rule_order_does_not_matter() -> None:
    """Lifecycle rules are keyed by priority, not by position."""
    rules = [
        {"rulePriority": 2, "action": {"type": "expire"}},
        {"rulePriority": 1, "action": {"type": "expire"}},
    ]
    a = normalise(Kind.REPOSITORY, {"lifecyclePolicy": {"rules": rules}})
    b = normalise(Kind.REPOSITORY, {"lifecyclePolicy": {"rules": list(reversed(rules))}})
    assert a == b


def test_capacity_provider_asg_name_equals_arn() -> None:
    """An Auto Scaling group named by name matches the ARN ECS reports."""
    desired = {"autoScalingGroupProvider": {"autoScalingGroupArn": "asg-1"}}
    live = {
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:uuid:autoScalingGroupName/asg-1",
            "managedTerminationProtection": "DISABLED",
            "managedDraining": "ENABLED",
        }
    }
    assert normalise(Kind.CAPACITY_PROVIDER, desired) == normalise(Kind.CAPACITY_PROVIDER, live)


def test_cluster_strategy_defaults_and_order() -> None:
    """Strategy items default base/weight to 0 and their order does not matter."""
    desired = {
        "defaultCapacityProviderStrategy": [
            {"capacityProvider": "B", "weight": 1},
            {"capacityProvider": "A"},
        ]
    }
    live = {
        "defaultCapacityProviderStrategy": [
            {"capacityProvider": "A", "base": 0, "weight": 0},
            {"capacityProvider": "B", "base": 0, "weight": 1},
        ]
    }
    assert normalise(Kind.CLUSTER, desired) == normalise(Kind.CLUSTER, live)


def test_system_tags_are_not_user_tags() -> None:
    """ecsync's own tags and AWS's reserved tags are compared apart from the user's."""
    spec = {"tags": {"team": "a", "ecsync:managed-by": "ecsync", "aws:cloudformation:stack": "s"}}
    assert normalise(Kind.CLUSTER, spec)["tags"] == {"team": "a"}
