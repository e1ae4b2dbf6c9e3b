"""KMS aliases as the stand-in's ListAliases answers them, through the same reader a pass uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from controller.aws import kms
from controller.aws.clients import Aws


def test_alias_targets_are_read_over_the_wire(aws: Aws, boto_client: Callable[[str], Any]) -> None:
    """Each alias maps to its target key id, AWS managed aliases included."""
    client = boto_client("kms")
    key = client.create_key(Description="ecr images")["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/ecr-images", TargetKeyId=key)
    targets = kms.read_alias_targets(aws)
    assert targets["alias/ecr-images"] == key
    assert all(name.startswith("alias/") for name in targets)
