"""ECR repositories: ECR's defaults, KMS keys and policy documents in canonical form.

docs/fidelity.md names the source of each rule, and
tests/fidelity/cases/repository/ holds the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from controller.diff import pointer
from controller.diff.normalise import common

KMS_KEY = "/encryptionConfiguration/kmsKey"
"""Where a repository names its KMS key: by alias, key id or ARN; ECR reports the ARN."""

DEFAULTS: dict[str, Any] = {
    "imageTagMutability": "MUTABLE",
    "imageScanningConfiguration": {"scanOnPush": False},
    "encryptionConfiguration": {"encryptionType": "AES256"},
}


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    for field, default in DEFAULTS.items():
        if field in ("imageScanningConfiguration", "encryptionConfiguration"):
            result[field] = common.with_defaults(result.get(field, {}), default)
        else:
            result.setdefault(field, default)
    result["encryptionConfiguration"] = _encryption(result["encryptionConfiguration"])
    if "imageTagMutabilityExclusionFilters" in result:
        result["imageTagMutabilityExclusionFilters"] = common.sorted_by(
            result["imageTagMutabilityExclusionFilters"], repr
        )
    if "lifecyclePolicy" in result:
        result["lifecyclePolicy"] = lifecycle_policy(result["lifecyclePolicy"])
    if "repositoryPolicy" in result:
        result["repositoryPolicy"] = iam_policy(result["repositoryPolicy"])
    return result


def key_id(value: Any) -> Any:
    """`arn:aws:kms:<region>:<account>:key/<id>` -> `<id>`: ECR reports the full key ARN
    for a key given by its id. Aliases (`alias/<name>`) stay as they are."""
    return common.arn_tail(value, ":key/")


def alias_name(value: Any) -> str | None:
    """`alias/<name>` for a KMS alias given by name or alias ARN; None for anything else."""
    if not isinstance(value, str):
        return None
    if value.startswith("alias/"):
        return value
    if value.startswith("arn:") and ":alias/" in value:
        return "alias/" + value.split(":alias/", 1)[1]
    return None


def alias_of_live_key(
    desired: Mapping[str, Any], live: Mapping[str, Any], targets: Mapping[str, str]
) -> str | None:
    """The alias `desired` names for its KMS key, when that alias targets the key `live`
    reports (`targets`: alias name -> key id, from KMS ListAliases); None otherwise, so a
    real change of key still shows."""
    wanted, found = pointer.get(desired, KMS_KEY), pointer.get(live, KMS_KEY)
    alias = alias_name(wanted)
    if alias is None or not isinstance(found, str) or alias not in targets:
        return None
    return str(wanted) if targets[alias] == key_id(found) else None


def names_kms_alias(spec: Mapping[str, Any]) -> bool:
    """Whether a repository spec names its KMS key by alias (then ListAliases is needed)."""
    return alias_name(pointer.get(spec, KMS_KEY)) is not None


def _encryption(config: Any) -> Any:
    if isinstance(config, dict) and "kmsKey" in config:
        return {**config, "kmsKey": key_id(config["kmsKey"])}
    return config


_TAG_LISTS = ("tagPrefixList", "tagPatternList")


def lifecycle_policy(policy: Any) -> Any:
    """Rules are identified by priority; their order in the document does not matter,
    nor does the order of a rule's tag prefixes and patterns (each list is a set)."""
    if isinstance(policy, dict) and isinstance(policy.get("rules"), list):
        rules = [_lifecycle_rule(r) for r in policy["rules"]]
        return {**policy, "rules": common.sorted_by(rules, common.field_of("rulePriority"))}
    return policy


def _lifecycle_rule(rule: Any) -> Any:
    selection = rule.get("selection") if isinstance(rule, dict) else None
    if not isinstance(selection, dict):
        return rule
    ordered = {
        k: sorted(v) if k in _TAG_LISTS and isinstance(v, list) else v for k, v in selection.items()
    }
    return {**rule, "selection": ordered}


_LISTY = ("Action", "NotAction", "Resource", "NotResource")


def iam_policy(policy: Any) -> Any:
    """IAM accepts a single statement or string where it means a one-item list."""
    if not isinstance(policy, dict):
        return policy
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    canonical = [_statement(s) for s in statements]
    result = {**policy, "Statement": common.sorted_by(canonical, lambda s: s.get("Sid", repr(s)))}
    result.setdefault("Version", "2012-10-17")
    return result


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    result = dict(statement)
    for key in _LISTY:
        if isinstance(result.get(key), str):
            result[key] = [result[key]]
        if isinstance(result.get(key), list):
            result[key] = sorted(result[key])
    principal = result.get("Principal")
    if isinstance(principal, dict):
        result["Principal"] = {
            k: sorted([v] if isinstance(v, str) else v) for k, v in principal.items()
        }
    return result
