"""ECR repositories: the reader's shape and the writer's minimal changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from controller.aws import errors, repositories
from controller.aws.clients import Aws
from controller.aws.writers import WRITERS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live
from tests.support.counting import CallCounter
from tests.support.shop import LIFECYCLE

WEB = ResourceId(Kind.REPOSITORY, "web")
WRITER = WRITERS[Kind.REPOSITORY]
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
    ],
}
SPEC: dict[str, Any] = {
    "imageTagMutability": "IMMUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    "lifecyclePolicy": LIFECYCLE,
    "repositoryPolicy": POLICY,
    "tags": {OWNER_TAG: "ecsync", "team": "web"},
}
BOTH_PARTS = frozenset({"lifecyclePolicy", "repositoryPolicy"})
WRITES = (
    "PutImageTagMutability",
    "PutImageScanningConfiguration",
    "PutLifecyclePolicy",
    "DeleteLifecyclePolicy",
    "SetRepositoryPolicy",
    "DeleteRepositoryPolicy",
    "TagResource",
    "UntagResource",
)


def read(aws: Aws, parts: frozenset[str] = BOTH_PARTS) -> Live:
    return repositories.read_repositories(aws, {"web": parts})["web"]


def writes(calls_sent: CallCounter) -> dict[str, int]:
    return {op: calls_sent[op] for op in WRITES if calls_sent[op]}


def test_create_then_read_back_in_manifest_shape(aws: Aws) -> None:
    """A created repository reads back with its spec, policies as objects, owner and status."""
    arn = WRITER.create(aws, WEB, SPEC)
    live = read(aws)

    assert live.arn == arn
    assert live.owner == "ecsync"
    assert {k: live.spec[k] for k in SPEC} == SPEC
    assert live.spec["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert "repositoryName" not in live.spec
    assert "registryId" not in live.spec
    assert live.status["repositoryUri"].endswith("/web")
    assert live.status["registryId"] == "123456789012"


def test_optional_parts_are_read_only_when_asked(aws: Aws, calls_sent: CallCounter) -> None:
    """Without parts no policy is fetched; a requested but absent policy is simply missing."""
    WRITER.create(aws, WEB, {"tags": {OWNER_TAG: "ecsync"}})
    bare = read(aws, frozenset())
    assert calls_sent["GetLifecyclePolicy"] == calls_sent["GetRepositoryPolicy"] == 0

    asked = read(aws)

    assert "lifecyclePolicy" not in bare.spec
    assert "lifecyclePolicy" not in asked.spec
    assert "repositoryPolicy" not in asked.spec
    assert calls_sent["GetLifecyclePolicy"] == calls_sent["GetRepositoryPolicy"] == 1


def test_update_sends_only_the_changed_fields(aws: Aws, calls_sent: CallCounter) -> None:
    """Changing the tag mutability sends PutImageTagMutability and nothing else."""
    WRITER.create(aws, WEB, SPEC)
    calls_sent.clear()
    desired = {**SPEC, "imageTagMutability": "MUTABLE"}

    WRITER.update(aws, WEB, desired, read(aws), frozenset({"imageTagMutability"}))

    assert writes(calls_sent) == {"PutImageTagMutability": 1}
    assert read(aws).spec["imageTagMutability"] == "MUTABLE"


def test_scanning_and_policies_are_put_and_deleted(aws: Aws, calls_sent: CallCounter) -> None:
    """A changed scanning config is put; absent policies are deleted, not left behind."""
    WRITER.create(aws, WEB, SPEC)
    calls_sent.clear()
    desired = {k: v for k, v in SPEC.items() if k not in ("lifecyclePolicy", "repositoryPolicy")}
    desired["imageScanningConfiguration"] = {"scanOnPush": False}

    WRITER.update(
        aws,
        WEB,
        desired,
        read(aws),
        frozenset({"imageScanningConfiguration", "lifecyclePolicy", "repositoryPolicy"}),
    )

    assert writes(calls_sent) == {
        "PutImageScanningConfiguration": 1,
        "DeleteLifecyclePolicy": 1,
        "DeleteRepositoryPolicy": 1,
    }
    live = read(aws)
    assert live.spec["imageScanningConfiguration"] == {"scanOnPush": False}
    assert "lifecyclePolicy" not in live.spec
    assert "repositoryPolicy" not in live.spec


def test_changed_policy_is_written_as_json(aws: Aws) -> None:
    """A changed lifecycle policy round-trips: written with json.dumps, read back as an object."""
    WRITER.create(aws, WEB, SPEC)
    rules = json.loads(json.dumps(LIFECYCLE))
    rules["rules"][0]["selection"]["countNumber"] = 10

    WRITER.update(
        aws, WEB, {**SPEC, "lifecyclePolicy": rules}, read(aws), frozenset({"lifecyclePolicy"})
    )

    assert read(aws).spec["lifecyclePolicy"] == rules


def test_tags_are_added_changed_and_removed_individually(aws: Aws, calls_sent: CallCounter) -> None:
    """Added/changed tags go in one TagResource, removed keys in one UntagResource."""
    WRITER.create(aws, WEB, {**SPEC, "tags": {OWNER_TAG: "ecsync", "team": "web", "old": "x"}})
    calls_sent.clear()
    desired = {**SPEC, "tags": {OWNER_TAG: "ecsync", "team": "platform", "new": "y"}}

    WRITER.update(aws, WEB, desired, read(aws), frozenset({"tags"}))

    assert writes(calls_sent) == {"TagResource": 1, "UntagResource": 1}
    assert calls_sent.params("TagResource")[0]["tags"] == [
        {"Key": "new", "Value": "y"},
        {"Key": "team", "Value": "platform"},
    ]
    assert calls_sent.params("UntagResource")[0]["tagKeys"] == ["old"]
    assert read(aws).spec["tags"] == desired["tags"]


def test_encryption_cannot_change_in_place(aws: Aws, calls_sent: CallCounter) -> None:
    """A changed encryptionConfiguration is refused up front, with nothing written."""
    WRITER.create(aws, WEB, SPEC)
    calls_sent.clear()
    desired = {**SPEC, "encryptionConfiguration": {"encryptionType": "KMS"}, "tags": {}}

    with pytest.raises(errors.PermanentAwsError, match="recreate the repository by hand"):
        WRITER.update(aws, WEB, desired, read(aws), frozenset({"encryptionConfiguration", "tags"}))

    assert writes(calls_sent) == {}


def test_delete_removes_an_empty_repository(aws: Aws) -> None:
    """An empty repository is deleted; deleting it again is not an error."""
    WRITER.create(aws, WEB, SPEC)
    live = read(aws)

    WRITER.delete(aws, WEB, live)
    WRITER.delete(aws, WEB, live)

    assert repositories.read_repositories(aws, {"web": frozenset()}) == {}


def test_delete_never_forces_out_images(aws: Aws, ecr: Any, calls_sent: CallCounter) -> None:
    """A repository holding images is not deleted, and the error says why."""
    WRITER.create(aws, WEB, SPEC)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"digest": "sha256:" + "0" * 64, "size": 1},
        "layers": [],
    }
    ecr.put_image(repositoryName="web", imageManifest=json.dumps(manifest), imageTag="v1")

    with pytest.raises(errors.PermanentAwsError, match="still holds images"):
        WRITER.delete(aws, WEB, read(aws))

    assert calls_sent.params("DeleteRepository") == [{"repositoryName": "web"}]
    assert "web" in repositories.read_repositories(aws, {"web": frozenset()})


def test_list_owned_repositories_filters_on_the_owner_tag(aws: Aws, ecr: Any) -> None:
    """Only repositories tagged with this instance's name are listed as owned."""
    WRITER.create(aws, WEB, SPEC)
    WRITER.create(aws, ResourceId(Kind.REPOSITORY, "theirs"), {"tags": {OWNER_TAG: "other"}})
    ecr.create_repository(repositoryName="untagged")

    assert list(repositories.list_owned_repositories(aws, "ecsync")) == ["web"]
