"""KMS aliases: the keys that an ECR repository's `kmsKey` names by alias.

ECR takes a KMS key by alias, key id or ARN and reports the key's ARN (ECR
API Reference, EncryptionConfiguration.kmsKey; cloudposse/terraform-aws-ecr#85:
a key given by alias shows a change on every plan until the alias's target
key ARN is written instead). A pass whose manifests name a key by alias lists
the aliases once: ListAliases, paged by `Marker` while `Truncated`, up to 100
per page (KMS API Reference, ListAliases).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from controller.aws import calls

if TYPE_CHECKING:
    from controller.aws.clients import Aws

PAGE_SIZE = 100
"""ListAliases' maximum Limit."""


def read_alias_targets(aws: Aws) -> dict[str, str]:
    """Every alias of the account and region, as alias name -> target key id
    (one paged ListAliases)."""
    aliases: list[Any] = []
    marker: str | None = None
    while True:
        paging = {"Marker": marker} if marker else {}
        page = calls.call(aws, "kms", "list_aliases", "Alias", Limit=PAGE_SIZE, **paging)
        aliases.extend(page.get("Aliases", []))
        marker = page.get("NextMarker")
        if not page.get("Truncated") or not marker:
            return alias_targets(aliases)


def alias_targets(aliases: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """ListAliases' `Aliases` items as alias name (`alias/...`) -> target key id. An alias
    with no target (an AWS managed key not created yet) is left out."""
    return {
        str(a["AliasName"]): str(a["TargetKeyId"])
        for a in aliases
        if a.get("AliasName") and a.get("TargetKeyId")
    }
