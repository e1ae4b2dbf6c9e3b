"""What the preflight lookups ask about and answer: shared by `plan` (which judges) and
`aws` (which looks up), so that neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, order=True)
class EcrImage:
    """A container image in a private ECR registry."""

    registry: str
    """The registry's AWS account ID."""
    region: str
    repository: str
    tag: str = ""
    digest: str = ""
    """When both are written, the digest is what is pulled, so only it is checked."""

    @property
    def image_id(self) -> dict[str, str]:
        """The ECR `ImageIdentifier` of this image."""
        return {"imageDigest": self.digest} if self.digest else {"imageTag": self.tag}

    @property
    def wanted(self) -> str:
        return f"image {self.digest}" if self.digest else f"tag {self.tag}"


class Seen(StrEnum):
    """What a lookup found out about one image, subnet or security group."""

    FOUND = "found"
    MISSING = "missing"
    NO_REPOSITORY = "no_repository"
    """(Images) the repository itself does not exist."""
    UNCHECKED = "unchecked"
    """ecsync may not look (access denied): not held against the resource."""
    FAILED = "failed"
    """The lookup itself failed (throttling, an outage...); `Answer.error` says why."""


@dataclass(frozen=True)
class Answer:
    """One lookup's answer about one item."""

    seen: Seen
    error: str = ""
    retryable: bool = False
