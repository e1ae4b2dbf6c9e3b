"""Placeholder images in the embedded ECR, standing for the images CI would push.

No CI pushes images to the embedded ECR, so `put_placeholder_images` puts a
minimal image under each private-ECR tag a task definition is about to need,
in the repositories this instance owns: the image preflight then finds it
exists, and an edited tag rolls out as it would once CI had pushed it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection
from typing import TYPE_CHECKING

import structlog

from controller.aws import calls, errors, repositories
from controller.aws import preflight as lookups
from controller.core.preflight_facts import EcrImage, Seen

if TYPE_CHECKING:
    from controller.aws.clients import Aws

log = structlog.get_logger()

_CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json"
_MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
_PLACEHOLDER_CONFIG = (
    b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
)
PLACEHOLDER_MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": _MANIFEST_MEDIA_TYPE,
        "config": {
            "mediaType": _CONFIG_MEDIA_TYPE,
            "size": len(_PLACEHOLDER_CONFIG),
            "digest": f"sha256:{hashlib.sha256(_PLACEHOLDER_CONFIG).hexdigest()}",
        },
        "layers": [],
    },
    separators=(",", ":"),
)
"""A Docker image manifest (schema 2) of an empty image: what PutImage stores as a placeholder.

The same bytes for every tag, so a repository holds one placeholder image with many
tags, as ECR does when one manifest is pushed under several tags."""


def put_placeholder_images(aws: Aws, instance: str, images: Collection[EcrImage]) -> None:
    """Put a placeholder image under each missing tag of `images` whose repository `instance`
    owns (tag `ecsync:managed-by`), and log `local_image_placeholder` for each.

    Images pinned by digest are left alone: ECR stores an image under the digest of its
    manifest, so no placeholder can have a digest written in a manifest. Images in
    repositories someone else made stay missing, as they would on AWS. Never raises: a
    failure is logged, and preflight then reports the image as missing.
    """
    if not aws.config.endpoint_url:
        raise ValueError("placeholder images are for an embedded AWS endpoint only")
    by_repository: dict[str, list[EcrImage]] = defaultdict(list)
    for image in images:
        if image.tag and not image.digest:
            by_repository[image.repository].append(image)
    if not by_repository:
        return
    try:
        live = repositories.read_repositories(aws, dict.fromkeys(by_repository, frozenset()))
        for name, wanted in sorted(by_repository.items()):
            repository = live.get(name)
            if repository is None or repository.owner != instance:
                continue
            registry = repository.status.get("registryId")
            mine = [image for image in wanted if image.registry == registry]
            answers = lookups.describe_images(aws, mine) if mine else {}
            for image in sorted(i for i, a in answers.items() if a.seen is Seen.MISSING):
                _put_placeholder(aws, image)
    except errors.AwsError as error:
        log.warning("local_image_placeholder_failed", error=str(error))


def _put_placeholder(aws: Aws, image: EcrImage) -> None:
    calls.call(
        aws,
        "ecr",
        "put_image",
        f"Repository/{image.repository}",
        registryId=image.registry,
        repositoryName=image.repository,
        imageTag=image.tag,
        imageManifest=PLACEHOLDER_MANIFEST,
        imageManifestMediaType=_MANIFEST_MEDIA_TYPE,
    )
    log.info(
        "local_image_placeholder",
        repository=image.repository,
        tag=image.tag,
        registry=image.registry,
        message="an empty placeholder image in the embedded ECR, standing for the image CI "
        "would push",
    )
