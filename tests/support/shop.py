"""The small shop the daemon tests run: its manifest files, and its service as ECS holds it.

A repository with a lifecycle policy, a cluster, a Fargate task definition and
its service, and optionally a pre-sync hook task: small enough to converge in
seconds, and touching every kind a daemon test needs to watch.
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


def stack(
    sandbox: local.Sandbox, *, count: int = 2, image: str = "nginx:1.27", hook: str | None = None
) -> dict[str, str]:
    """File name -> text: a repository, a cluster, a task definition and a service (and a hook
    task running `hook` as its command; without one, hook.yaml is empty, i.e. removed)."""
    network = f"""
  networkConfiguration:
    awsvpcConfiguration:
      subnets: [{sandbox.subnet_ids[0]}]
      securityGroups: [{sandbox.security_group_id}]"""
    files = {
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
      portMappings: [{{containerPort: 80}}]
---
apiVersion: ecsync/v1
kind: Service
metadata: {{name: web}}
spec:
  cluster: shop
  taskDefinition: shop-web
  desiredCount: {count}
  launchType: FARGATE{network}
""",
    }
    files["hook.yaml"] = (
        f"""
apiVersion: ecsync/v1
kind: Task
metadata:
  name: migrate
  annotations: {{ecsync/hook: pre-sync}}
spec:
  cluster: shop
  taskDefinition: shop-web
  launchType: FARGATE{network}
  overrides:
    containerOverrides: [{{name: web, command: [{hook}]}}]
"""
        if hook
        else ""
    )
    return files


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
