"""Drift made by hand shows in `ecsync plan`, field by field, through the real CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller.aws.clients import Aws
from controller.core.settings import defaults
from controller.reconcile.sync import sync
from tests.support import cli
from tests.support.stacks import write_stack

SELECTION = {
    "tagStatus": "untagged",
    "countType": "sinceImagePushed",
    "countUnit": "days",
    "countNumber": 7,
}
LIFECYCLE_RULE = {
    "rulePriority": 1,
    "description": "Drop untagged images after a week",
    "selection": SELECTION,
    "action": {"type": "expire"},
}


def plan(endpoint: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`ecsync plan ROOT --endpoint-url ENDPOINT ARGS` as a subprocess, on dummy credentials."""
    return cli.run(
        "plan", str(root), "--endpoint-url", endpoint, "--region", "us-east-1",
        "--log-format", "json", *args,
    )  # fmt: skip


def changes(output: dict[str, Any]) -> set[tuple[str, str, str, str, str]]:
    """(action, resource, path, desired, live) for every change of every action, as JSON text."""
    return {
        (
            action["action"],
            f"{action['kind']}/{action.get('cluster', '')}/{action['name']}",
            change["path"],
            json.dumps(change["desired"]),
            json.dumps(change["live"]),
        )
        for action in output["actions"]
        for change in action["changes"]
    }


@pytest.fixture
def converged(aws: Aws, sandbox: local.Sandbox, tmp_path: Path) -> Path:
    """The storefront stack, applied and converged."""
    root = write_stack("storefront", tmp_path / "storefront", sandbox)
    assert sync(aws, root, defaults(), apply=True).converged
    return root


def test_plan_is_zero_when_nothing_drifted(moto_endpoint: str, converged: Path) -> None:
    """With no drift, `plan --output json` exits 0 and lists no action."""
    ran = plan(moto_endpoint, converged, "--output", "json")

    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["actions"] == []


def test_hand_made_drift_is_named_path_by_path(
    moto_endpoint: str, converged: Path, ecs: Any, ecr: Any
) -> None:
    """Scaling a service, removing tags and editing a lifecycle policy by hand: plan exits 2
    and names exactly those paths with their desired and live values."""
    ecs.update_service(cluster="storefront", service="web", desiredCount=7)
    service_arn = ecs.describe_services(cluster="storefront", services=["web"])["services"][0][
        "serviceArn"
    ]
    ecs.untag_resource(resourceArn=service_arn, tagKeys=["tier"])
    cluster_arn = ecs.describe_clusters(clusters=["storefront"])["clusters"][0]["clusterArn"]
    ecs.untag_resource(resourceArn=cluster_arn, tagKeys=["environment"])
    policy = json.loads(
        ecr.get_lifecycle_policy(repositoryName="storefront/app")["lifecyclePolicyText"]
    )
    rules = [r for r in policy["rules"] if r["rulePriority"] != 1]
    rules.append({**LIFECYCLE_RULE, "selection": {**SELECTION, "countNumber": 30}})
    ecr.put_lifecycle_policy(
        repositoryName="storefront/app", lifecyclePolicyText=json.dumps({"rules": rules})
    )

    ran = plan(moto_endpoint, converged, "--output", "json")

    assert ran.returncode == 2, ran.stderr
    output = json.loads(ran.stdout)
    assert output["problems"] == []
    assert changes(output) == {
        ("update", "Service/storefront/web", "/desiredCount", "3", "7"),
        ("update", "Service/storefront/web", "/tags/tier", '"web"', "null"),
        ("update", "Cluster//storefront", "/tags/environment", '"prod"', "null"),
        (
            "update",
            "Repository//storefront/app",
            "/lifecyclePolicy/rules/0/selection/countNumber",
            "7",
            "30",
        ),
    }
