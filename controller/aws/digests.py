"""Images in private ECR registries: whether each exists, and the digest each tag names now.

One reader serves both preflight (does the image exist?) and task definitions
that follow their tags (`ecsync/image-update: digest`: which digest does the
tag name?). What it relies on, from the ECR API Reference, DescribeImages:

- One repository (and registry: `registryId`, the account ID in the image's
  host name) per call, and up to 100 `imageIds`; the ids of one repository go
  out in batches of 100, and the batches of every repository side by side.
- `maxResults` and `nextToken` cannot be used with `imageIds`: an answer about
  named images is whole, there is no page to follow.
- An image id that does not exist fails the whole call
  (`ImageNotFoundException`), so such a batch is asked again one image at a
  time, to tell the missing ones from the rest.
- Each `imageDetails` item is one image: its `imageDigest` (the sha256 digest
  of its manifest) and `imageTags`, every tag that names it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, errors
from controller.core.preflight_facts import EcrImage, Seen

if TYPE_CHECKING:
    from controller.aws.clients import Aws

DESCRIBE_IMAGES = 100
"""Image ids per DescribeImages call (ImageIdentifierList: at most 100 items)."""

DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


@dataclass(frozen=True)
class Lookup:
    """What DescribeImages said about one image."""

    seen: Seen
    digest: str = ""
    """When found: the digest the image's tag names now (or the digest it was asked by)."""
    error: str = ""
    """When the lookup itself failed (`Seen.FAILED`, `Seen.UNCHECKED`): why."""
    retryable: bool = False


def look_up(aws: Aws, images: Iterable[EcrImage]) -> dict[EcrImage, Lookup]:
    """Each of `images` as ECR has it: one DescribeImages per repository and 100 images.

    Never raises: a failed call is the answer of each image it asked about
    (`Seen.UNCHECKED` when ecsync may not look, `Seen.FAILED` otherwise).
    """
    by_repository: dict[tuple[str, str], list[EcrImage]] = defaultdict(list)
    for image in sorted(set(images)):
        by_repository[(image.registry, image.repository)].append(image)
    requests = [
        batch
        for _, wanted in sorted(by_repository.items())
        for batch in batching.chunks(wanted, DESCRIBE_IMAGES)
    ]
    answers: dict[EcrImage, Lookup] = {}
    for found in batching.each(lambda batch: _describe(aws, batch), requests):
        answers.update(found)
    return answers


def _describe(aws: Aws, batch: Sequence[EcrImage]) -> dict[EcrImage, Lookup]:
    """One DescribeImages for `batch` (images of one repository); again one by one when
    some image is missing."""
    first = batch[0]
    try:
        found = calls.call(
            aws,
            "ecr",
            "describe_images",
            f"Repository/{first.repository}",
            registryId=first.registry,
            repositoryName=first.repository,
            imageIds=[image.image_id for image in batch],
        )
    except errors.NotFoundError as error:
        if error.code == "RepositoryNotFoundException":
            return dict.fromkeys(batch, Lookup(Seen.NO_REPOSITORY))
        if error.code != "ImageNotFoundException":
            return dict.fromkeys(batch, failed(error))
        if len(batch) == 1:
            return {first: Lookup(Seen.MISSING)}
        answers: dict[EcrImage, Lookup] = {}
        for image in batch:
            answers.update(_describe(aws, [image]))
        return answers
    except errors.AwsError as error:
        return dict.fromkeys(batch, failed(error))
    return answered(batch, found.get("imageDetails") or [])


def answered(
    images: Iterable[EcrImage], details: Sequence[Mapping[str, Any]]
) -> dict[EcrImage, Lookup]:
    """DescribeImages' `imageDetails` as an answer about each of `images` (asked by tag or
    by digest). Pure: the fidelity corpus runs it on recorded answers."""
    by_tag: dict[str, str] = {}
    digests: set[str] = set()
    for detail in details:
        digest = detail.get("imageDigest")
        if not isinstance(digest, str) or not digest:
            continue
        digests.add(digest)
        for tag in detail.get("imageTags") or []:
            by_tag[str(tag)] = digest
    answers: dict[EcrImage, Lookup] = {}
    for image in images:
        if image.digest:
            digest = image.digest if image.digest in digests else ""
        else:
            digest = by_tag.get(image.tag, "")
        answers[image] = Lookup(Seen.FOUND, digest) if digest else Lookup(Seen.MISSING)
    return answers


def failed(error: errors.AwsError) -> Lookup:
    """The answer about an image whose lookup failed with `error`."""
    if error.code in DENIED:
        return Lookup(Seen.UNCHECKED, error=str(error))
    return Lookup(Seen.FAILED, error=str(error), retryable=error.retryable)
