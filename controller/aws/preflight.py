"""The AWS lookups of preflight: images in ECR, subnets and security groups in EC2.

Each lookup is batched at the API's limits and answers per item (found,
missing, or why it could not tell); it never raises. Access denied means
ecsync may not look, which is not held against the resource (`Seen.UNCHECKED`):
preflight is a safety net, and the write itself is what AWS authorises.

- DescribeImages takes one repository and up to 100 image ids per call. AWS
  fails the whole call when any one image is missing, so a batch that fails
  that way is asked again one image at a time, to name the missing ones.
- DescribeSubnets and DescribeSecurityGroups are asked with a filter on the
  ids (up to 200 values per filter): the answer lists the ones that exist,
  where asking by id would fail the whole call at the first missing one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, errors
from controller.core.preflight_facts import Answer, EcrImage, Seen

if TYPE_CHECKING:
    from controller.aws.clients import Aws

DESCRIBE_IMAGES = 100
"""Image ids per DescribeImages call."""
FILTER_VALUES = 200
"""Values per EC2 filter."""

_DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


def describe_images(aws: Aws, images: Iterable[EcrImage]) -> dict[EcrImage, Answer]:
    """Whether each image exists, one DescribeImages per repository (and 100 images)."""
    by_repository: dict[tuple[str, str], list[EcrImage]] = defaultdict(list)
    for image in sorted(set(images)):
        by_repository[(image.registry, image.repository)].append(image)
    answers: dict[EcrImage, Answer] = {}
    for (registry, repository), wanted in sorted(by_repository.items()):
        for batch in batching.chunks(wanted, DESCRIBE_IMAGES):
            answers.update(_images(aws, registry, repository, batch))
    return answers


def _images(
    aws: Aws, registry: str, repository: str, batch: list[EcrImage]
) -> dict[EcrImage, Answer]:
    try:
        found = calls.call(
            aws,
            "ecr",
            "describe_images",
            f"Repository/{repository}",
            registryId=registry,
            repositoryName=repository,
            imageIds=[image.image_id for image in batch],
        )
    except errors.NotFoundError as error:
        if error.code == "RepositoryNotFoundException":
            return dict.fromkeys(batch, Answer(Seen.NO_REPOSITORY))
        if error.code != "ImageNotFoundException":
            return dict.fromkeys(batch, _unanswered(error))
        if len(batch) == 1:
            return {batch[0]: Answer(Seen.MISSING)}
        answers: dict[EcrImage, Answer] = {}
        for image in batch:
            answers.update(_images(aws, registry, repository, [image]))
        return answers
    except errors.AwsError as error:
        return dict.fromkeys(batch, _unanswered(error))
    details = found.get("imageDetails", [])
    return {
        image: Answer(Seen.FOUND if _listed(image, details) else Seen.MISSING) for image in batch
    }


def _listed(image: EcrImage, details: list[dict[str, Any]]) -> bool:
    if image.digest:
        return any(d.get("imageDigest") == image.digest for d in details)
    return any(image.tag in (d.get("imageTags") or []) for d in details)


def existing_subnets(aws: Aws, ids: Iterable[str]) -> dict[str, Answer]:
    """Whether each subnet exists (DescribeSubnets, filtered on `subnet-id`)."""
    return _existing(aws, ids, "describe_subnets", ("Subnets", "SubnetId"), "subnet-id")


def existing_security_groups(aws: Aws, ids: Iterable[str]) -> dict[str, Answer]:
    """Whether each security group exists (DescribeSecurityGroups, filtered on `group-id`)."""
    return _existing(
        aws, ids, "describe_security_groups", ("SecurityGroups", "GroupId"), "group-id"
    )


def _existing(
    aws: Aws, ids: Iterable[str], operation: str, keys: tuple[str, str], filter_name: str
) -> dict[str, Answer]:
    """`keys` are the response's list and the id field of its items."""
    result_key, id_key = keys
    answers: dict[str, Answer] = {}
    for batch in batching.chunks(sorted(set(ids)), FILTER_VALUES):
        label = batching.label(result_key.rstrip("s"), batch)
        found: set[str] = set()
        token: str | None = None
        try:
            while True:
                page = calls.call(
                    aws,
                    "ec2",
                    operation,
                    label,
                    Filters=[{"Name": filter_name, "Values": batch}],
                    **({"NextToken": token} if token else {}),
                )
                found.update(item[id_key] for item in page.get(result_key, []))
                token = page.get("NextToken")
                if not token:
                    break
        except errors.AwsError as error:
            answers.update(dict.fromkeys(batch, _unanswered(error)))
            continue
        answers.update({i: Answer(Seen.FOUND if i in found else Seen.MISSING) for i in batch})
    return answers


def _unanswered(error: errors.AwsError) -> Answer:
    if error.code in _DENIED:
        return Answer(Seen.UNCHECKED, str(error))
    return Answer(Seen.FAILED, str(error), error.retryable)
