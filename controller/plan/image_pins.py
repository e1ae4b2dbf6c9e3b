"""Task definitions that follow their image tags (`ecsync/image-update: digest`), as data.

With the annotation, every container image of the family that names a
private-ECR repository by a tag (`<account>.dkr.ecr.<region>.amazonaws.com/
<repository>:<tag>`, or no tag: `latest`) is registered as the digest the tag
names at each pass, `<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:…`.

Why the digest form, and without the tag: the ECS API Reference
(ContainerDefinition.image) gives ECR images as `registry/repository:tag` or
`registry/repository@digest`, and ECS keeps the image string of a revision as
it was registered. A revision that names the digest is what the service runs
(no tag can move under it), and it compares equal, string for string, with
the next pass's resolution while the tag does not move: no perpetual diff,
and a push to the tag is a new revision, so one new deployment.

Pure: `controller.aws.digests` looks the tags up, and
`controller.reconcile.image_updates` ties the two together in a pass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from controller.core.kinds import Kind
from controller.core.preflight_facts import EcrImage
from controller.core.resources import Desired
from controller.plan.preflight import ecr_image

FOLLOW_DIGEST = "digest"
"""The `ecsync/image-update` value that follows tags."""


@dataclass(frozen=True)
class Followed:
    """One container image a task definition follows by its tag."""

    container: str
    written: str
    """The image as the manifest writes it (`…/web:v1`)."""
    image: EcrImage
    """The tag to look up."""

    def pinned(self, digest: str) -> str:
        """The image as registered: the repository at `digest`, the tag left out."""
        return f"{_without_tag(self.written)}@{digest}"


def follows(d: Desired) -> bool:
    """Whether `d` is a TaskDefinition whose images follow their tags."""
    return d.id.kind is Kind.TASK_DEFINITION and d.annotations.image_update == FOLLOW_DIGEST


def followed(d: Desired) -> list[Followed]:
    """The images of `d` it follows by tag, in container order (none without the annotation).

    Images pinned by digest already, and images of any other registry (Docker
    Hub, GHCR, ECR Public, a self-hosted one), are registered as written.
    """
    if not follows(d):
        return []
    found: list[Followed] = []
    for container in d.spec.get("containerDefinitions") or []:
        written = container.get("image") if isinstance(container, dict) else None
        image = ecr_image(written) if isinstance(written, str) else None
        if image is not None and not image.digest and isinstance(written, str):
            found.append(Followed(str(container.get("name", "")), written, image))
    return found


def pinned(d: Desired, images: Mapping[str, str]) -> Desired:
    """`d` with the image of each container named in `images` (container -> image) replaced.

    The manifest's own spec is not changed: the result holds a new spec, and
    new container entries where an image changed.
    """
    if not images:
        return d
    containers: list[Any] = []
    for container in d.spec.get("containerDefinitions") or []:
        name = container.get("name") if isinstance(container, dict) else None
        if isinstance(name, str) and name in images:
            container = {**container, "image": images[name]}  # noqa: PLW2901
        containers.append(container)
    return dataclasses.replace(d, spec={**d.spec, "containerDefinitions": containers})


def digest_of(image: Any, repository: EcrImage) -> str:
    """The digest `image` (a live container's image string) pins in the repository of
    `repository`, or "" when it names none (a tag, another repository, another registry)."""
    parsed = ecr_image(image) if isinstance(image, str) else None
    if parsed is None or not parsed.digest:
        return ""
    same = (parsed.registry, parsed.region, parsed.repository) == (
        repository.registry,
        repository.region,
        repository.repository,
    )
    return parsed.digest if same else ""


def live_images(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Container name -> image of a task definition spec (a live revision's)."""
    return {
        str(c.get("name")): c.get("image")
        for c in spec.get("containerDefinitions") or []
        if isinstance(c, dict)
    }


def _without_tag(written: str) -> str:
    """`…/repo:tag` -> `…/repo`; a reference without a tag is returned as it is (a colon
    before the last `/` belongs to the host, not to a tag)."""
    head, _, last = written.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}"
