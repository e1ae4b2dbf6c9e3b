"""A generated fleet: N services spread over clusters, one family each, ~50 repositories."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ecsync_local import Sandbox

SERVICES_PER_CLUSTER = 250
REPOSITORIES = 50


@dataclass(frozen=True)
class Fleet:
    services: int
    clusters: int
    repositories: int

    @property
    def per_cluster(self) -> list[int]:
        """How many services each cluster holds."""
        base, extra = divmod(self.services, self.clusters)
        return [base + (1 if i < extra else 0) for i in range(self.clusters)]


def fleet(services: int) -> Fleet:
    return Fleet(
        services=services,
        clusters=max(1, math.ceil(services / SERVICES_PER_CLUSTER)),
        repositories=min(REPOSITORIES, services),
    )


def write(shape: Fleet, root: Path, sandbox: Sandbox, *, image_tag: str = "1.0") -> Path:
    """Manifests for `shape` under `root`, one file per cluster plus one for the registry."""
    root.mkdir(parents=True, exist_ok=True)
    repos = [_repository(f"team{r:02d}/app", r) for r in range(shape.repositories)]
    (root / "registry.yaml").write_text("---\n".join(repos))
    index = 0
    for c, count in enumerate(shape.per_cluster):
        docs = [_cluster(f"fleet-{c:02d}")]
        for _ in range(count):
            repo = f"team{index % shape.repositories:02d}/app"
            docs.append(_task_definition(f"svc-{index:05d}", repo, image_tag))
            docs.append(_service(f"svc-{index:05d}", f"fleet-{c:02d}", sandbox))
            index += 1
        (root / f"cluster-{c:02d}.yaml").write_text("---\n".join(docs))
    return root


def _repository(name: str, number: int) -> str:
    return f"""apiVersion: ecsync/v1
kind: Repository
metadata: {{name: {name}}}
spec:
  imageTagMutability: IMMUTABLE
  lifecyclePolicy:
    rules:
      - rulePriority: 1
        selection:
          tagStatus: untagged
          countType: imageCountMoreThan
          countNumber: {number % 5 + 5}
        action: {{type: expire}}
  tags: {{team: team{number:02d}}}
"""


def _cluster(name: str) -> str:
    return f"""apiVersion: ecsync/v1
kind: Cluster
metadata: {{name: {name}}}
spec:
  settings: [{{name: containerInsights, value: enabled}}]
  tags: {{fleet: bench}}
"""


def _task_definition(family: str, repo: str, tag: str) -> str:
    return f"""apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: {family}}}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions:
    - name: app
      image: ghcr.io/acme/{repo}:{tag}
      portMappings: [{{containerPort: 8080}}]
      environment: [{{name: SERVICE, value: {family}}}]
"""


def _service(name: str, cluster: str, sandbox: Sandbox) -> str:
    return f"""apiVersion: ecsync/v1
kind: Service
metadata: {{name: {name}}}
spec:
  cluster: {cluster}
  taskDefinition: {name}
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration:
    awsvpcConfiguration:
      subnets: [{sandbox.subnet_ids[0]}]
      securityGroups: [{sandbox.security_group_id}]
"""
