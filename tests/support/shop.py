"""The small shop the daemon tests run: its manifest files, and its service as ECS holds it.

A repository with a lifecycle policy, a cluster, a Fargate task definition and
its service, and optionally a pre-sync hook task: small enough to converge in
seconds, and touching every kind a daemon test needs to watch. Other hooks of
the web family, and the service deployed BLUE_GREEN with a revision that can
never be healthy, for the rollout and hook tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ecsync_local as local

LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "untagged",
                "countType": "imageCountMoreThan",
                "countNumber": 5,
            },
            "action": {"type": "expire"},
        }
    ]
}
"""An ECR lifecycle policy: expire untagged images beyond the fifth."""


BLUE_GREEN = (
    "{strategy: BLUE_GREEN, bakeTimeInMinutes: 1,"
    " deploymentCircuitBreaker: {enable: true, rollback: true}}"
)
"""A BLUE_GREEN deploymentConfiguration whose circuit breaker rolls a failed deployment back."""

UNHEALTHY = '\n      healthCheck: {command: [CMD-SHELL, "exit 1"]}'
"""A container health check that never passes: the local AWS fails a deployment of it."""


def network(sandbox: local.Sandbox) -> str:
    """The awsvpc networkConfiguration of the shop's tasks, in the sandbox, as YAML."""
    return (
        f"{{awsvpcConfiguration: {{subnets: [{sandbox.subnet_ids[0]}], "
        f"securityGroups: [{sandbox.security_group_id}]}}}}"
    )


def hook_task(sandbox: local.Sandbox, name: str, phase: str, command: str) -> str:
    """A hook task `name` of the shop's web family (so for the web service), in `phase`,
    running `command`."""
    return f"""
apiVersion: ecsync/v1
kind: Task
metadata:
  name: {name}
  annotations: {{ecsync/hook: {phase}}}
spec:
  cluster: shop
  taskDefinition: shop-web
  launchType: FARGATE
  networkConfiguration: {network(sandbox)}
  overrides:
    containerOverrides: [{{name: web, command: [{command}]}}]
"""


def stack(
    sandbox: local.Sandbox,
    *,
    count: int = 2,
    image: str = "nginx:1.27",
    hook: str | None = None,
    deployment: str = "",
    health_check: str = "",
) -> dict[str, str]:
    """File name -> text: a repository, a cluster, a task definition and a service (and a
    pre-sync hook task running `hook` as its command; without one, hook.yaml is empty, i.e.
    removed). `deployment` is the service's deploymentConfiguration (`BLUE_GREEN`), and
    `health_check` the lines that end the container (`UNHEALTHY`)."""
    configuration = f"\n  deploymentConfiguration: {deployment}" if deployment else ""
    return {
        "registry.yaml": f"""
apiVersion: ecsync/v1
kind: Repository
metadata: {{name: shop/web}}
spec:
  lifecyclePolicy: {json.dumps(LIFECYCLE)}
""",
        "cluster.yaml": """
apiVersion: ecsync/v1
kind: Cluster
metadata: {name: shop}
spec:
  tags: {team: shop}
""",
        "web.yaml": f"""
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: shop-web}}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions:
    - name: web
      image: {image}
      portMappings: [{{containerPort: 80}}]{health_check}
---
apiVersion: ecsync/v1
kind: Service
metadata: {{name: web}}
spec:
  cluster: shop
  taskDefinition: shop-web
  desiredCount: {count}
  launchType: FARGATE{configuration}
  networkConfiguration: {network(sandbox)}
""",
        "hook.yaml": hook_task(sandbox, "migrate", "pre-sync", hook) if hook else "",
    }


def write(folder: Path, files: Mapping[str, str]) -> Path:
    """Write `files` into `folder` (made if missing); an empty text removes its file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        if text:
            path.write_text(text)
        elif path.exists():
            path.unlink()
    return folder


def service(boto_client: Callable[[str], Any]) -> dict[str, Any]:
    """The shop's web service as DescribeServices returns it."""
    found: dict[str, Any] = boto_client("ecs").describe_services(cluster="shop", services=["web"])[
        "services"
    ][0]
    return found
