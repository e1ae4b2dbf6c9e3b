"""The daemon with `ecsync/image-update: digest`: a push to a followed tag is one deployment."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ecsync_local as local
from tests.support import arrange
from tests.support.daemon import Daemon, Daemons
from tests.support.shop import service, stack, write

REPOSITORY = "shop/web"
IMAGE = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{REPOSITORY}"
FOLLOW = "metadata: {name: shop-web, annotations: {ecsync/image-update: digest}}"


def shop(sandbox: local.Sandbox, folder: Path, *, follow: bool) -> Path:
    """The shop, its web container on `IMAGE:v1`, following the tag or not."""
    files = stack(sandbox, image=f"{IMAGE}:v1")
    if follow:
        files["web.yaml"] = files["web.yaml"].replace("metadata: {name: shop-web}", FOLLOW)
    return write(folder, files)


def running(daemon: Daemon, ecr: Any) -> str:
    """Once the daemon created the repository, push image A under `v1` (as CI would) and
    wait for the service that runs it; returns digest A."""
    daemon.wait_for("repository_created")
    digest = arrange.push_image(ecr, REPOSITORY, "v1", build="A")
    daemon.wait_for("service_created", timeout=60)
    daemon.wait_http("/readyz")
    return digest


def service_image(boto_client: Callable[[str], Any]) -> str:
    """The image of the revision the shop's web service runs."""
    running = service(boto_client)["taskDefinition"]
    revision = boto_client("ecs").describe_task_definition(taskDefinition=running)
    image: str = revision["taskDefinition"]["containerDefinitions"][0]["image"]
    return image


def test_a_push_to_a_followed_tag_is_exactly_one_new_deployment(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """Image B pushed under the followed tag is noticed at a resync: one new revision, one
    service update and one `image_updated` with digests A and B; further resyncs write
    nothing."""
    folder = shop(sandbox, tmp_path / "manifests", follow=True)
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s")
    ecr = boto_client("ecr")
    old = running(daemon, ecr)
    assert service_image(boto_client) == f"{IMAGE}@{old}"
    assert daemon.named("image_updated") == []

    new = arrange.push_image(ecr, REPOSITORY, "v1", build="B")
    event = daemon.wait_for("image_updated", timeout=30)
    daemon.wait_for("service_updated", timeout=30)
    time.sleep(3)  # six resyncs more

    assert (event["kind"], event["name"], event["container"]) == (
        "TaskDefinition",
        "shop-web",
        "web",
    )
    assert (event["image"], event["old_digest"], event["new_digest"]) == (
        f"{IMAGE}:v1",
        old,
        new,
    )
    assert len(daemon.named("image_updated")) == 1
    assert len(daemon.named("service_updated")) == 1
    assert len(daemon.named("task_definition_registered")) == 2
    assert daemon.named("drift_detected") == []
    assert service_image(boto_client) == f"{IMAGE}@{new}"
    assert daemon.stop() == 0


def test_without_the_annotation_a_push_to_the_tag_changes_nothing(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """The same shop without the annotation keeps its tag through a push and several
    resyncs: no new revision, no service update, no `image_updated`."""
    folder = shop(sandbox, tmp_path / "manifests", follow=False)
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s")
    ecr = boto_client("ecr")
    running(daemon, ecr)

    arrange.push_image(ecr, REPOSITORY, "v1", build="B")
    time.sleep(3)  # six resyncs

    assert daemon.named("image_updated") == []
    assert daemon.named("service_updated") == []
    assert len(daemon.named("task_definition_registered")) == 1
    assert service_image(boto_client) == f"{IMAGE}:v1"
    assert daemon.stop() == 0
