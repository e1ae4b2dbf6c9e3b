"""Which images a task definition follows by tag, and the spec with them pinned."""

from __future__ import annotations

from typing import Any

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.core.preflight_facts import EcrImage
from controller.core.resources import Annotations, Desired
from controller.plan import image_pins

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


def family(*images: str, follow: bool = True) -> Desired:
    containers: list[dict[str, Any]] = [
        {"name": f"c{i}", "image": image, "memory": 128} for i, image in enumerate(images)
    ]
    return Desired(
        ResourceId(Kind.TASK_DEFINITION, "web"),
        {"containerDefinitions": containers},
        Annotations(image_update="digest" if follow else ""),
    )


def test_only_private_ecr_images_named_by_a_tag_are_followed() -> None:
    """ECR tags (and an ECR image with no tag: latest) are followed; an ECR image pinned by
    digest and images of other registries are registered as written."""
    d = family(
        f"{ECR}/shop/web:v1",
        f"{ECR}/shop/api",
        f"{ECR}/shop/web@{A}",
        "docker.io/library/nginx:1.27",
        "ghcr.io/acme/worker:2",
        "public.ecr.aws/nginx/nginx:1.27",
    )

    found = image_pins.followed(d)

    assert [(f.container, f.image.repository, f.image.tag) for f in found] == [
        ("c0", "shop/web", "v1"),
        ("c1", "shop/api", "latest"),
    ]


def test_without_the_annotation_nothing_is_followed() -> None:
    """A task definition without `ecsync/image-update: digest` follows no tag."""
    d = family(f"{ECR}/shop/web:v1", follow=False)

    assert not image_pins.follows(d)
    assert image_pins.followed(d) == []


@pytest.mark.parametrize(
    ("written", "pinned"),
    [
        (f"{ECR}/shop/web:v1", f"{ECR}/shop/web@{A}"),
        (f"{ECR}/shop/web", f"{ECR}/shop/web@{A}"),
        (f"{ECR}/web:1.2.3-rc", f"{ECR}/web@{A}"),
    ],
)
def test_a_pinned_image_is_the_repository_at_the_digest_without_the_tag(
    written: str, pinned: str
) -> None:
    """The registered image is `<repository>@<digest>`, the form ECS documents for ECR."""
    (followed,) = image_pins.followed(family(written))

    assert followed.pinned(A) == pinned


def test_pinning_replaces_only_the_named_containers_and_leaves_the_manifest_as_loaded() -> None:
    """The pinned spec is a new one; the manifest's own spec and containers are unchanged."""
    d = family(f"{ECR}/shop/web:v1", "nginx:1.27")

    pinned = image_pins.pinned(d, {"c0": f"{ECR}/shop/web@{A}"})

    assert [c["image"] for c in pinned.spec["containerDefinitions"]] == [
        f"{ECR}/shop/web@{A}",
        "nginx:1.27",
    ]
    assert d.spec["containerDefinitions"][0]["image"] == f"{ECR}/shop/web:v1"
    assert image_pins.pinned(d, {}) is d


def test_the_digest_of_a_live_image_counts_only_for_the_same_repository() -> None:
    """A live image pins a digest of the followed repository, or it pins nothing for it."""
    followed = EcrImage("123456789012", "us-east-1", "shop/web", tag="v1")

    assert image_pins.digest_of(f"{ECR}/shop/web@{A}", followed) == A
    assert image_pins.digest_of(f"{ECR}/shop/api@{B}", followed) == ""
    assert image_pins.digest_of(f"{ECR}/shop/web:v1", followed) == ""
    assert image_pins.digest_of(None, followed) == ""
