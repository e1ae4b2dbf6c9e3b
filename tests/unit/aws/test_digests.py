"""Reading DescribeImages answers: the digest each tag names, and what a failure means."""

from __future__ import annotations

from controller.aws import digests
from controller.aws.errors import PermanentAwsError, TransientAwsError
from controller.core.preflight_facts import EcrImage, Seen

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


def image(tag: str = "", digest: str = "") -> EcrImage:
    return EcrImage("123456789012", "us-east-1", "shop/web", tag=tag, digest=digest)


def test_each_tag_is_answered_with_the_digest_of_the_image_that_lists_it() -> None:
    """An image's `imageTags` all name its `imageDigest`; a tag no image lists is missing."""
    details = [
        {"imageDigest": A, "imageTags": ["v1", "latest"]},
        {"imageDigest": B, "imageTags": ["v2"]},
    ]

    found = digests.answered([image("v1"), image("latest"), image("v2"), image("v3")], details)

    assert found == {
        image("v1"): digests.Lookup(Seen.FOUND, A),
        image("latest"): digests.Lookup(Seen.FOUND, A),
        image("v2"): digests.Lookup(Seen.FOUND, B),
        image("v3"): digests.Lookup(Seen.MISSING),
    }


def test_an_image_asked_by_digest_is_found_only_under_that_digest() -> None:
    """An image asked by digest is found when an answer item has that digest, tags or not."""
    details = [{"imageDigest": A}]

    found = digests.answered([image(digest=A), image(digest=B)], details)

    assert found == {
        image(digest=A): digests.Lookup(Seen.FOUND, A),
        image(digest=B): digests.Lookup(Seen.MISSING),
    }


def test_access_denied_is_unchecked_and_throttling_is_a_retryable_failure() -> None:
    """ecsync may not look (unchecked, not retried); a throttled call fails and is retried."""
    denied = digests.failed(
        PermanentAwsError("DescribeImages", "Repository/shop/web", "AccessDeniedException", "no")
    )
    throttled = digests.failed(
        TransientAwsError("DescribeImages", "Repository/shop/web", "ThrottlingException", "slow")
    )

    assert (denied.seen, denied.retryable) == (Seen.UNCHECKED, False)
    assert "AccessDeniedException" in denied.error
    assert (throttled.seen, throttled.retryable) == (Seen.FAILED, True)
