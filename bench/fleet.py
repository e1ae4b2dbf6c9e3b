"""A generated fleet: N Fargate services over ⌈N/250⌉ clusters, one task definition family
each, images from 50 ECR-style repositories; one manifest file per service.

A task definition's content depends only on its repository (its image and a
`TEAM` variable), not on its family: the fleet builder relies on this to
create service i from the requests ecsync sent for service i mod 50.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVICES_PER_CLUSTER = 250
REPOSITORIES = 50


@dataclass(frozen=True)
class Network:
    """The subnet and security group every service of the fleet runs in."""

    subnet_id: str
    security_group_id: str


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

    def placement(self) -> Iterator[tuple[int, str]]:
        """(service index, cluster name) of every service, in order."""
        index = 0
        for c, count in enumerate(self.per_cluster):
            for _ in range(count):
                yield index, cluster_name(c)
                index += 1


def fleet(services: int) -> Fleet:
    return Fleet(
        services=services,
        clusters=max(1, math.ceil(services / SERVICES_PER_CLUSTER)),
        repositories=min(REPOSITORIES, services),
    )


def service_name(index: int) -> str:
    return f"svc-{index:05d}"


def cluster_name(index: int) -> str:
    return f"fleet-{index:02d}"


def service_file(root: Path, index: int, cluster: str) -> Path:
    return root / "services" / cluster / f"{service_name(index)}.yaml"


def write(
    shape: Fleet, root: Path, network: Network, *, image_tag: str = "1.0", only: int | None = None
) -> Path:
    """Manifests for `shape` under `root`: the registry, the clusters, and one file per
    service (its task definition and service); `only`: just the first `only` services."""
    (root / "services").mkdir(parents=True, exist_ok=True)
    repos = [_repository(r) for r in range(shape.repositories)]
    (root / "registry.yaml").write_text("---\n".join(repos))
    clusters = [_cluster(cluster_name(c)) for c in range(shape.clusters)]
    (root / "clusters.yaml").write_text("---\n".join(clusters))
    for index, cluster in shape.placement():
        if only is not None and index >= only:
            break
        path = service_file(root, index, cluster)
        path.parent.mkdir(exist_ok=True)
        path.write_text(service_manifest(shape, index, cluster, network, image_tag=image_tag))
    return root


def service_manifest(
    shape: Fleet,
    index: int,
    cluster: str,
    network: Network,
    *,
    image_tag: str = "1.0",
    desired_count: int = 1,
) -> str:
    """The file of service `index`: its task definition and the service."""
    name, team = service_name(index), f"team{index % shape.repositories:02d}"
    return f"""apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: {name}}}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions:
    - name: app
      image: ghcr.io/acme/{team}/app:{image_tag}
      portMappings: [{{containerPort: 8080}}]
      environment: [{{name: TEAM, value: {team}}}]
---
apiVersion: ecsync/v1
kind: Service
metadata: {{name: {name}}}
spec:
  cluster: {cluster}
  taskDefinition: {name}
  desiredCount: {desired_count}
  launchType: FARGATE
  networkConfiguration:
    awsvpcConfiguration:
      subnets: [{network.subnet_id}]
      securityGroups: [{network.security_group_id}]
"""


def _repository(number: int) -> str:
    return f"""apiVersion: ecsync/v1
kind: Repository
metadata: {{name: team{number:02d}/app}}
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
