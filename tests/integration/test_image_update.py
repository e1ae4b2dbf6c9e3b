"""`ecsync/image-update: digest` against the moto server: tags followed to their digests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

import ecsync_local as local
from controller.apply.outcomes import Outcome
from controller.aws import digests
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.preflight_facts import EcrImage, Seen
from controller.core.settings import defaults
from controller.reconcile.sync import sync
from tests.support import arrange
from tests.support.counting import CallCounter
from tests.support.shop import stack, write

REPOSITORY = "shop/web"
IMAGE = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{REPOSITORY}"
FAMILY = ResourceId(Kind.TASK_DEFINITION, "shop-web")
FOLLOW = "metadata: {name: shop-web, annotations: {ecsync/image-update: digest}}"
READS = ("Describe", "List", "Get", "BatchGet")


def shop(sandbox: local.Sandbox, folder: Path, *, follow: bool = True, tag: str = "v1") -> Path:
    """The shop, its web container on `IMAGE:tag`, following the tag or not."""
    files = stack(sandbox, image=f"{IMAGE}:{tag}")
    if follow:
        files["web.yaml"] = files["web.yaml"].replace("metadata: {name: shop-web}", FOLLOW)
    return write(folder, files)


def registered_image(ecs: Any) -> str:
    """The image of the newest revision of the shop's family."""
    found = ecs.describe_task_definition(taskDefinition="shop-web")["taskDefinition"]
    image: str = found["containerDefinitions"][0]["image"]
    return image


def writes(counter: CallCounter) -> dict[str, int]:
    return {op: n for op, n in counter.counts.items() if not op.startswith(READS)}


@pytest.fixture
def converged(
    aws: Aws, calls_sent: CallCounter, sandbox: local.Sandbox, ecr: Any, tmp_path: Path
) -> tuple[Path, str]:
    """The shop applied once with its tag followed, image A pushed under `v1` before the
    second apply (the first creates the repository): (manifests, digest A). `calls_sent`
    is attached before `aws` makes its first client, so that it hears every call."""
    root = shop(sandbox, tmp_path / "shop")
    sync(aws, root, defaults(), apply=True)  # the repository is created; the tag is not there
    digest = arrange.push_image(ecr, REPOSITORY, "v1", build="A")
    assert sync(aws, root, defaults(), apply=True).converged
    return root, digest


def test_a_followed_tag_is_registered_at_its_digest_and_then_stays_in_sync(
    aws: Aws, converged: tuple[Path, str], ecs: Any, calls_sent: CallCounter
) -> None:
    """The revision names the digest the tag named, not the tag; the next plan is empty and
    costs one DescribeImages for the repository."""
    root, digest = converged
    assert registered_image(ecs) == f"{IMAGE}@{digest}"

    calls_sent.clear()
    planned = sync(aws, root, defaults(), apply=False).plan

    assert planned is not None
    assert (planned.actions, planned.problems) == ((), ())
    assert calls_sent["DescribeImages"] == 1


def test_a_push_to_the_tag_is_one_new_revision_and_one_service_update(
    aws: Aws, converged: tuple[Path, str], ecs: Any, ecr: Any, calls_sent: CallCounter
) -> None:
    """Image B pushed under the same tag registers one revision and updates the service
    once, logging `image_updated` with both digests; the next apply writes nothing."""
    root, old = converged
    new = arrange.push_image(ecr, REPOSITORY, "v1", build="B")
    calls_sent.clear()

    with capture_logs() as logs:
        assert sync(aws, root, defaults(), apply=True, revision="abc123").converged

    assert writes(calls_sent) == {"RegisterTaskDefinition": 1, "UpdateService": 1}
    assert registered_image(ecs) == f"{IMAGE}@{new}"
    (event,) = [e for e in logs if e["event"] == "image_updated"]
    assert {k: event[k] for k in ("kind", "name", "container", "image", "revision")} == {
        "kind": "TaskDefinition",
        "name": "shop-web",
        "container": "web",
        "image": f"{IMAGE}:v1",
        "revision": "abc123",
    }
    assert (event["old_digest"], event["new_digest"]) == (old, new)
    assert event["task_definition"].endswith(":task-definition/shop-web:2")

    calls_sent.clear()
    with capture_logs() as again:
        assert sync(aws, root, defaults(), apply=True).converged
    assert writes(calls_sent) == {}
    assert [e for e in again if e["event"] == "image_updated"] == []


def test_a_tag_moved_back_puts_the_older_revision_back(
    aws: Aws, converged: tuple[Path, str], ecs: Any, ecr: Any, calls_sent: CallCounter
) -> None:
    """When the tag names image A again after B, the revision that holds A serves again:
    nothing is registered, the service is updated once, and `image_updated` says B -> A."""
    root, first = converged
    second = arrange.push_image(ecr, REPOSITORY, "v1", build="B")
    assert sync(aws, root, defaults(), apply=True).converged
    assert arrange.push_image(ecr, REPOSITORY, "v1", build="A") == first
    calls_sent.clear()

    with capture_logs() as logs:
        assert sync(aws, root, defaults(), apply=True).converged

    assert writes(calls_sent) == {"UpdateService": 1}
    (params,) = calls_sent.params("UpdateService")
    assert params["taskDefinition"].endswith(":task-definition/shop-web:1")
    (event,) = [e for e in logs if e["event"] == "image_updated"]
    assert (event["old_digest"], event["new_digest"]) == (second, first)


def test_without_the_annotation_a_push_changes_nothing(
    calls_sent: CallCounter, aws: Aws, sandbox: local.Sandbox, ecs: Any, ecr: Any, tmp_path: Path
) -> None:
    """A task definition without the annotation keeps its tag: a push to it is no change,
    and no DescribeImages is sent for it."""
    root = shop(sandbox, tmp_path / "shop", follow=False)
    sync(aws, root, defaults(), apply=True)
    arrange.push_image(ecr, REPOSITORY, "v1", build="A")
    assert sync(aws, root, defaults(), apply=True).converged
    arrange.push_image(ecr, REPOSITORY, "v1", build="B")
    calls_sent.clear()

    with capture_logs() as logs:
        assert sync(aws, root, defaults(), apply=True).converged

    assert writes(calls_sent) == {}
    assert calls_sent["DescribeImages"] == 0
    assert registered_image(ecs) == f"{IMAGE}:v1"
    assert [e for e in logs if e["event"] == "image_updated"] == []


def test_a_missing_tag_is_a_problem_of_its_task_definition_alone(
    aws: Aws, sandbox: local.Sandbox, ecs: Any, ecr: Any, tmp_path: Path
) -> None:
    """A followed tag that is not in the repository fails its task definition with a problem
    that says so; nothing is registered from the tag and every other resource converges."""
    root = shop(sandbox, tmp_path / "shop", tag="v9")
    (root / "other.yaml").write_text(
        """
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: other, annotations: {ecsync/image-update: digest}}
spec:
  containerDefinitions: [{name: app, image: "IMAGE:v1", memory: 128}]
""".replace("IMAGE", IMAGE)
    )
    sync(aws, root, defaults(), apply=True)
    digest = arrange.push_image(ecr, REPOSITORY, "v1", build="A")

    report = sync(aws, root, defaults(), apply=True)

    assert report.result is not None
    assert report.plan is not None
    (problem,) = report.plan.problems
    assert problem.id == FAMILY
    assert "tag 'v9' is not in ECR repository 'shop/web'" in problem.message
    assert "push it" in problem.message
    assert report.result.keys[FAMILY].outcome is Outcome.FAILED
    other = ecs.describe_task_definition(taskDefinition="other")["taskDefinition"]
    assert other["containerDefinitions"][0]["image"] == f"{IMAGE}@{digest}"
    assert ecs.list_task_definitions(familyPrefix="shop-web")["taskDefinitionArns"] == []
    assert ecs.describe_clusters(clusters=["shop"])["clusters"][0]["status"] == "ACTIVE"


def test_the_tags_of_every_repository_are_read_with_one_call_each(
    calls_sent: CallCounter, aws: Aws, ecr: Any
) -> None:
    """Three tags in two repositories are two DescribeImages; a missing tag among them makes
    its repository's call be asked again tag by tag, and only that tag is missing."""
    ecr.create_repository(repositoryName="shop/web")
    ecr.create_repository(repositoryName="shop/api")
    web = arrange.push_image(ecr, "shop/web", "v1")
    latest = arrange.push_image(ecr, "shop/web", "latest")
    api = arrange.push_image(ecr, "shop/api", "v2")

    def tag(repository: str, name: str) -> EcrImage:
        return EcrImage("123456789012", "us-east-1", repository, tag=name)

    calls_sent.clear()
    found = digests.look_up(
        aws, [tag("shop/web", "v1"), tag("shop/web", "latest"), tag("shop/api", "v2")]
    )
    assert calls_sent["DescribeImages"] == 2
    assert {image.tag: lookup.digest for image, lookup in found.items()} == {
        "v1": web,
        "latest": latest,
        "v2": api,
    }

    calls_sent.clear()
    found = digests.look_up(aws, [tag("shop/web", "v1"), tag("shop/web", "v9")])
    assert calls_sent["DescribeImages"] == 3
    assert found[tag("shop/web", "v1")] == digests.Lookup(Seen.FOUND, web)
    assert found[tag("shop/web", "v9")] == digests.Lookup(Seen.MISSING)


def test_more_than_a_hundred_tags_of_one_repository_go_out_in_calls_of_a_hundred(
    calls_sent: CallCounter, aws: Aws, ecr: Any
) -> None:
    """101 tags of one repository are two DescribeImages (imageIds holds at most 100)."""
    ecr.create_repository(repositoryName="shop/web")
    pushed = {f"v{i}": arrange.push_image(ecr, "shop/web", f"v{i}") for i in range(101)}
    wanted = [EcrImage("123456789012", "us-east-1", "shop/web", tag=tag) for tag in pushed]

    calls_sent.clear()
    found = digests.look_up(aws, wanted)

    assert calls_sent["DescribeImages"] == 2
    assert sorted(len(p["imageIds"]) for p in calls_sent.params("DescribeImages")) == [1, 100]
    assert {image.tag: lookup.digest for image, lookup in found.items()} == pushed
