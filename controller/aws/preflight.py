"""The AWS lookups of preflight: images in ECR, subnets and security groups in EC2.

Each lookup is batched at the API's limits and answers per item (found,
missing, or why it could not tell); it never raises. Access denied means
ecsync may not look, which is not held against the resource (`Seen.UNCHECKED`):
preflight is a safety net, and the write itself is what AWS authorises.

- Images are looked up with DescribeImages, one call per repository and 100
  images (`digests.look_up`, which says what it relies on).
- DescribeSubnets and DescribeSecurityGroups are asked with a filter on the
  ids (up to 200 values per filter): the answer lists the ones that exist,
  where asking by id would fail the whole call at the first missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from controller.aws import batching, calls, digests, errors
from controller.core.preflight_facts import Answer, EcrImage, Seen

if TYPE_CHECKING:
    from controller.aws.clients import Aws

FILTER_VALUES = 200
"""Values per EC2 filter."""


def describe_images(aws: Aws, images: Iterable[EcrImage]) -> dict[EcrImage, Answer]:
    """Whether each image exists, one DescribeImages per repository (and 100 images)."""
    return {
        image: Answer(lookup.seen, lookup.error, lookup.retryable)
        for image, lookup in digests.look_up(aws, images).items()
    }


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
    if error.code in digests.DENIED:
        return Answer(Seen.UNCHECKED, str(error))
    return Answer(Seen.FAILED, str(error), error.retryable)
