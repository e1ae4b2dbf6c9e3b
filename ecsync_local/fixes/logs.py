"""CloudWatch Logs log groups: identifiers, class, KMS keys and deletion protection.

Stock moto ignores DescribeLogGroups' `logGroupIdentifiers` (it lists every
group), drops CreateLogGroup's `logGroupClass` and `deletionProtectionEnabled`
and reports neither, has no AssociateKmsKey, DisassociateKmsKey or
PutLogGroupDeletionProtection (HTTP 500). A `retentionInDays` AWS refuses is
refused by `refusing.py`, with `ecsync validate`'s rule. Sources: CloudWatch
Logs API Reference, the operations named below.
"""

from __future__ import annotations

import json
from typing import Any

from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.models import LogGroup, LogsBackend
from moto.logs.responses import LogsResponse

from ecsync_local.fixes.patching import Fix, Method, patch

MOST_IDENTIFIERS = 50
"""DescribeLogGroups.logGroupIdentifiers: "Maximum number of 50 items"."""


def _group(backend: LogsBackend, name: Any) -> LogGroup:
    group = backend.groups.get(name) if isinstance(name, str) else None
    if group is None:
        raise ResourceNotFoundException()
    return group


@patch(LogsResponse, "create_log_group")
def keep_class_and_protection(original: Method) -> Method:
    """AWS keeps CreateLogGroup's `logGroupClass` (STANDARD when left out: "If you omit this
    parameter, the default of STANDARD is used") and `deletionProtectionEnabled`."""

    def create_log_group(self: LogsResponse) -> Any:
        answer = original(self)
        group = _group(self.logs_backend, self._get_param("logGroupName"))
        group.ecsync_class = self._get_param("logGroupClass") or "STANDARD"  # type: ignore[attr-defined]
        protected = bool(self._get_param("deletionProtectionEnabled"))
        group.ecsync_protected = protected  # type: ignore[attr-defined]
        return answer

    return create_log_group


@patch(LogGroup, "to_describe_dict")
def describe_class_and_protection(original: Method) -> Method:
    """AWS reports a log group's class and deletion protection (LogGroup.logGroupClass,
    LogGroup.deletionProtectionEnabled)."""

    def to_describe_dict(self: LogGroup) -> dict[str, Any]:
        item: dict[str, Any] = original(self)
        item["logGroupClass"] = getattr(self, "ecsync_class", "STANDARD")
        item["deletionProtectionEnabled"] = getattr(self, "ecsync_protected", False)
        return item

    return to_describe_dict


@patch(LogsResponse, "describe_log_groups")
def describe_by_identifiers(original: Method) -> Method:
    """AWS answers `logGroupIdentifiers` (up to 50 names) with only those groups, and "the
    only other filter that you can choose to specify is includeLinkedAccounts"."""

    def describe_log_groups(self: LogsResponse) -> Any:
        names = self._get_param("logGroupIdentifiers")
        if names is None:
            return original(self)
        if not 1 <= len(names) <= MOST_IDENTIFIERS:
            raise InvalidParameterException(
                constraint=f"Member must have length between 1 and {MOST_IDENTIFIERS}",
                parameter="logGroupIdentifiers",
                value=len(names),
            )
        if self._get_param("logGroupNamePrefix") or self._get_param("logGroupNamePattern"):
            raise InvalidParameterException(
                "logGroupIdentifiers cannot be combined with logGroupNamePrefix or "
                "logGroupNamePattern"
            )
        groups = self.logs_backend.groups
        found = [groups[n].to_describe_dict() for n in sorted(set(names)) if n in groups]
        return json.dumps({"logGroups": found})

    return describe_log_groups


def answer_kms_and_protection() -> None:
    """AWS's AssociateKmsKey / DisassociateKmsKey on a log group ("Associating a KMS key with a log
    group overrides any existing associations") and PutLogGroupDeletionProtection, which
    moto lacks; a group that does not exist is ResourceNotFoundException."""

    def associate_kms_key(self: LogsResponse) -> str:
        group = _group(self.logs_backend, self._get_param("logGroupName"))
        group.kms_key_id = self._get_param("kmsKeyId")
        return ""

    def disassociate_kms_key(self: LogsResponse) -> str:
        group = _group(self.logs_backend, self._get_param("logGroupName"))
        group.kms_key_id = None
        return ""

    def put_log_group_deletion_protection(self: LogsResponse) -> str:
        name = str(self._get_param("logGroupIdentifier") or "").rsplit(":log-group:", 1)[-1]
        group = _group(self.logs_backend, name.removesuffix(":*"))
        group.ecsync_protected = bool(self._get_param("deletionProtectionEnabled"))  # type: ignore[attr-defined]
        return ""

    for handler in (associate_kms_key, disassociate_kms_key, put_log_group_deletion_protection):
        setattr(LogsResponse, handler.__name__, handler)


FIXES: tuple[Fix, ...] = (
    keep_class_and_protection,
    describe_class_and_protection,
    describe_by_identifiers,
    answer_kms_and_protection,
)
