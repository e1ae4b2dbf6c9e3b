"""ECR repositories: batched reads with optional policies, and the writer."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, creating, errors, shapes, tags
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

LIFECYCLE_POLICY = "lifecyclePolicy"
REPOSITORY_POLICY = "repositoryPolicy"
OPTIONAL_PARTS = frozenset({LIFECYCLE_POLICY, REPOSITORY_POLICY})
"""Parts of a repository that cost one extra call each, read only when asked for."""

_LIST_PAGE = 1000


def read_repositories(aws: Aws, names: Mapping[str, frozenset[str]]) -> dict[str, Live]:
    """The live repositories among `names`; each value says which `OPTIONAL_PARTS` to read.

    Tags are always read. Missing repositories are absent from the result. The
    describe batches run side by side, and so do the per-repository reads.
    """
    described = _describe(aws, sorted(names))
    return _live_all(aws, [(repo, names[name]) for name, repo in described.items()])


def list_owned_repositories(aws: Aws, instance: str) -> dict[str, Live]:
    """Every repository tagged as owned by `instance` (without the optional parts)."""
    found = _live_all(aws, [(repo, frozenset()) for repo in _list_all(aws)])
    return {name: live for name, live in found.items() if live.owner == instance}


def _live_all(aws: Aws, repos: list[tuple[dict[str, Any], frozenset[str]]]) -> dict[str, Live]:
    """Each repository with its tags and the parts asked for, read side by side; one that
    vanished meanwhile is absent."""
    read = batching.each(lambda item: _live(aws, *item), repos)
    return {live.id.name: live for live in read if live is not None}


def _describe(aws: Aws, names: list[str]) -> dict[str, dict[str, Any]]:
    requests = batching.batches(
        names, batching.DESCRIBE_REPOSITORIES, "Repository", "repositoryNames"
    )
    # AWS fails a whole batch when any one name is missing: then list them all instead.
    pages = batching.describe(
        aws, "ecr", "describe_repositories", "repositories", requests, absent=lambda _: True
    )
    if any(page is None for page in pages):
        wanted = set(names)
        return {r["repositoryName"]: r for r in _list_all(aws) if r["repositoryName"] in wanted}
    return {r["repositoryName"]: r for page in pages for r in page or []}


def _list_all(aws: Aws) -> list[dict[str, Any]]:
    return calls.paginate(
        aws, "ecr", "describe_repositories", "repositories", maxResults=_LIST_PAGE
    )


def _live(aws: Aws, repo: Mapping[str, Any], parts: frozenset[str]) -> Live | None:
    """`repo` in manifest shape, or None when it vanished while being read."""
    name = repo["repositoryName"]
    resource = f"Repository/{name}"
    try:
        listed = calls.call(
            aws, "ecr", "list_tags_for_resource", resource, resourceArn=repo["repositoryArn"]
        )
        lifecycle = _policy_text(aws, name, LIFECYCLE_POLICY) if LIFECYCLE_POLICY in parts else None
        policy = _policy_text(aws, name, REPOSITORY_POLICY) if REPOSITORY_POLICY in parts else None
    except errors.NotFoundError as exc:
        if exc.code != "RepositoryNotFoundException":
            raise
        return None
    return parse_repository(repo, listed.get("tags"), lifecycle, policy)


def parse_repository(
    repo: Mapping[str, Any],
    ecr_tags: Any,
    lifecycle_policy_text: str | None = None,
    policy_text: str | None = None,
) -> Live:
    """A DescribeRepositories `repositories[]` item, its ListTagsForResource `tags`, and the
    policy texts of GetLifecyclePolicy / GetRepositoryPolicy (None: absent or not read) as
    live state. Pure: the fidelity corpus runs it on recorded AWS answers."""
    spec = shapes.project("ecr", "CreateRepository", repo, exclude=("repositoryName", "registryId"))
    spec["tags"] = tags.from_ecr(ecr_tags)
    _add_policy(spec, LIFECYCLE_POLICY, lifecycle_policy_text)
    _add_policy(spec, REPOSITORY_POLICY, policy_text)
    name = repo["repositoryName"]
    return Live(
        id=ResourceId(Kind.REPOSITORY, name),
        arn=repo["repositoryArn"],
        spec=spec,
        owner=spec["tags"].get(OWNER_TAG),
        status={"repositoryUri": repo.get("repositoryUri"), "registryId": repo.get("registryId")},
    )


def _add_policy(spec: dict[str, Any], field: str, text: str | None) -> None:
    if text is not None:
        spec[field] = json.loads(text)


def _policy_text(aws: Aws, name: str, part: str) -> str | None:
    """The text of one of the repository's `OPTIONAL_PARTS`, or None when it has none."""
    operation, absent_code, text_key = _POLICY_READS[part]
    try:
        got = calls.call(aws, "ecr", operation, f"Repository/{name}", repositoryName=name)
    except errors.NotFoundError as exc:
        if exc.code != absent_code:
            raise
        return None
    text: str | None = got.get(text_key)
    return text


_POLICY_READS = {
    LIFECYCLE_POLICY: (
        "get_lifecycle_policy",
        "LifecyclePolicyNotFoundException",
        "lifecyclePolicyText",
    ),
    REPOSITORY_POLICY: ("get_repository_policy", "RepositoryPolicyNotFoundException", "policyText"),
}
"""Per optional part: the call that reads it, the error code that means it is not set, and
the answer's member holding the text (ECR API Reference)."""


_MUTABILITY = frozenset({"imageTagMutability", "imageTagMutabilityExclusionFilters"})
_UPDATABLE = _MUTABILITY | {"imageScanningConfiguration", "tags"} | OPTIONAL_PARTS


class RepositoryWriter:
    """CreateRepository / Put* / TagResource / DeleteRepository, one call per changed part."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        params = {k: v for k, v in spec.items() if k not in OPTIONAL_PARTS and k != "tags"}
        if spec.get("tags"):
            params["tags"] = tags.to_ecr(spec["tags"])
        created = creating.create_owned(
            aws,
            "ecr",
            "create_repository",
            id,
            spec,
            read_back=lambda: read_repositories(aws, {id.name: frozenset()}).get(id.name),
            answer=("repository", "repositoryArn"),
            repositoryName=id.name,
            **params,
        )
        for part in sorted(OPTIONAL_PARTS):
            if spec.get(part) is not None:
                _write_policy(aws, id, part, spec[part])
        return str(created["repository"]["repositoryArn"])

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        resource = str(id)
        if "encryptionConfiguration" in fields:
            raise errors.PermanentAwsError(
                "UpdateRepository",
                resource,
                "ImmutableField",
                "encryptionConfiguration cannot change once a repository exists; recreate the "
                "repository by hand (its images go with it), or set the spec back to "
                f"{json.dumps(live.spec.get('encryptionConfiguration'))}",
            )
        errors.refuse_update("UpdateRepository", resource, fields - _UPDATABLE)
        if fields & _MUTABILITY:
            mutability = spec.get("imageTagMutability", live.spec.get("imageTagMutability"))
            extra = {k: spec[k] for k in ("imageTagMutabilityExclusionFilters",) if k in spec}
            calls.call(
                aws,
                "ecr",
                "put_image_tag_mutability",
                resource,
                repositoryName=id.name,
                imageTagMutability=mutability,
                **extra,
            )
        if "imageScanningConfiguration" in fields and "imageScanningConfiguration" in spec:
            calls.call(
                aws,
                "ecr",
                "put_image_scanning_configuration",
                resource,
                repositoryName=id.name,
                imageScanningConfiguration=spec["imageScanningConfiguration"],
            )
        for part in sorted(fields & OPTIONAL_PARTS):
            _write_policy(aws, id, part, spec.get(part))
        if "tags" in fields:
            tags.retag_ecr(aws, live.arn, resource, spec.get("tags", {}), live.spec.get("tags", {}))
        return live.arn

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """DeleteRepository without force: a repository that still holds images stays."""
        try:
            calls.call(aws, "ecr", "delete_repository", str(id), repositoryName=id.name)
        except errors.NotFoundError:
            return
        except errors.PermanentAwsError as exc:
            if exc.code != "RepositoryNotEmptyException":
                raise
            raise errors.PermanentAwsError(
                exc.operation,
                exc.resource,
                exc.code,
                "the repository still holds images and ecsync never deletes images: delete "
                "them (or the repository) by hand, or annotate the manifest with "
                'ecsync/prune: "false"',
            ) from exc


def _write_policy(aws: Aws, id: ResourceId, part: str, policy: Any) -> None:
    """Put `policy` (an object, sent as JSON), or delete it when it is absent."""
    put, delete, text_param = _POLICY_WRITES[part]
    if policy is None:
        with contextlib.suppress(errors.NotFoundError):
            calls.call(aws, "ecr", delete, str(id), repositoryName=id.name)
    else:
        params = {text_param: json.dumps(policy)}
        calls.call(aws, "ecr", put, str(id), repositoryName=id.name, **params)


_POLICY_WRITES = {
    LIFECYCLE_POLICY: ("put_lifecycle_policy", "delete_lifecycle_policy", "lifecyclePolicyText"),
    REPOSITORY_POLICY: ("set_repository_policy", "delete_repository_policy", "policyText"),
}
"""Per optional part: the call that sets it, the one that removes it, and the request
member holding the text (ECR API Reference)."""
