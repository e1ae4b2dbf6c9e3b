"""Arranging ECS state by hand with a plain boto3 client, as a user or another tool would."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from controller.core.resources import OWNER_TAG

INSTANCE = "ecsync"
OWNED = [{"key": OWNER_TAG, "value": INSTANCE}]


def container(image: str = "nginx:1.27", name: str = "app") -> list[dict[str, Any]]:
    return [{"name": name, "image": image, "memory": 128}]


FARGATE = {
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
}
"""What a task definition needs to run on Fargate (AWS refuses a Fargate service otherwise)."""


def register(
    ecs: Any,
    family: str,
    *,
    owner: str | None = INSTANCE,
    image: str = "nginx:1.27",
    fargate: bool = False,
) -> str:
    """Register one revision of `family` (for EC2, or for Fargate) and return its ARN."""
    extra: dict[str, Any] = {"tags": [{"key": OWNER_TAG, "value": owner}]} if owner else {}
    extra |= FARGATE if fargate else {}
    registered = ecs.register_task_definition(
        family=family, containerDefinitions=container(image), **extra
    )
    arn: str = registered["taskDefinition"]["taskDefinitionArn"]
    return arn


def services(ecs: Any, cluster: str, names: list[str], *, owner: str | None = INSTANCE) -> None:
    """Create `cluster` (if needed) and a service for each of `names` in it."""
    ecs.create_cluster(clusterName=cluster)
    task_definition = register(ecs, f"{cluster}-task")
    extra = {"tags": [{"key": OWNER_TAG, "value": owner}]} if owner else {}
    for name in names:
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition=task_definition,
            desiredCount=1,
            **extra,
        )


def push_image(ecr: Any, repository: str, tag: str, *, build: str = "") -> str:
    """Put an image tagged `tag` into ECR `repository` (as CI would); returns its digest.
    Another `build` is another image (another digest) under the same tag."""
    layer = hashlib.sha256(f"{repository}:{tag}{build}".encode()).hexdigest()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1,
            "digest": f"sha256:{layer}",
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 1,
                "digest": f"sha256:{layer}",
            }
        ],
    }
    pushed = ecr.put_image(
        repositoryName=repository, imageTag=tag, imageManifest=json.dumps(manifest)
    )
    digest: str = pushed["image"]["imageId"]["imageDigest"]
    return digest
