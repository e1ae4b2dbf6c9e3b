"""CloudWatch Logs log groups: batched reads with their tags, and the writer.

A log group's spec is CreateLogGroup's request (kmsKeyId, tags,
logGroupClass, deletionProtectionEnabled) plus PutRetentionPolicy's
retentionInDays. What AWS reports for each comes from DescribeLogGroups; the
tags come from ListTagsForResource on the log group's ARN without the
trailing `:*` (CloudWatch Logs API Reference, LogGroup: `logGroupArn` is the
ARN "in the resourceArn field in tagging APIs").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, errors, tags
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

DESCRIBE_LOG_GROUPS = 50
"""DescribeLogGroups takes at most 50 `logGroupIdentifiers` (and pages at 50, its `limit`)."""

SPEC_FIELDS = ("kmsKeyId", "logGroupClass", "deletionProtectionEnabled", "retentionInDays")
"""The members of a DescribeLogGroups item that a LogGroup spec holds (tags aside)."""


def read_log_groups(aws: Aws, names: Sequence[str]) -> dict[str, Live]:
    """The live log groups among `names`, with their tags; missing ones are absent.

    Names go 50 to a DescribeLogGroups call (`logGroupIdentifiers`), the calls and
    then the tag reads side by side. Only exact names are kept: the answer is
    filtered by name, whatever else a batch returns.
    """
    wanted = sorted(set(names))
    requests = batching.batches(
        wanted, DESCRIBE_LOG_GROUPS, "LogGroup", "logGroupIdentifiers", limit=DESCRIBE_LOG_GROUPS
    )
    pages = batching.describe(aws, "logs", "describe_log_groups", "logGroups", requests)
    keep = set(wanted)
    found = [g for page in pages for g in page or [] if g.get("logGroupName") in keep]
    return _with_tags(aws, found)


def list_owned_log_groups(aws: Aws, instance: str) -> dict[str, Live]:
    """Every log group of the account (and region) tagged as owned by `instance`, for prune."""
    every = calls.paginate(
        aws, "logs", "describe_log_groups", "logGroups", limit=DESCRIBE_LOG_GROUPS
    )
    return {name: item for name, item in _with_tags(aws, every).items() if item.owner == instance}


def _with_tags(aws: Aws, groups: Iterable[Mapping[str, Any]]) -> dict[str, Live]:
    """Each described group with its tags, read side by side; one that vanished is absent."""

    def read(group: Mapping[str, Any]) -> Live | None:
        name = group["logGroupName"]
        try:
            listed = calls.call(
                aws,
                "logs",
                "list_tags_for_resource",
                f"LogGroup/{name}",
                resourceArn=tagging_arn(group),
            )
        except errors.NotFoundError:
            return None
        return parse_log_group(group, listed.get("tags"))

    unique = list({g["logGroupName"]: g for g in groups}.values())
    return {live.id.name: live for live in batching.each(read, unique) if live is not None}


def tagging_arn(group: Mapping[str, Any]) -> str:
    """The ARN the tagging APIs take: `logGroupArn`, or `arn` without its trailing `:*`."""
    arn = group.get("logGroupArn") or str(group.get("arn", "")).removesuffix(":*")
    return str(arn)


def parse_log_group(group: Mapping[str, Any], log_tags: Mapping[str, str] | None) -> Live:
    """A DescribeLogGroups `logGroups[]` item and its ListTagsForResource `tags` as live
    state. Pure: the fidelity corpus runs it on recorded AWS answers."""
    spec: dict[str, Any] = {k: group[k] for k in SPEC_FIELDS if k in group}
    spec["tags"] = {k: v for k, v in (log_tags or {}).items() if not tags.is_reserved(k)}
    return Live(
        id=ResourceId(Kind.LOG_GROUP, group["logGroupName"]),
        arn=tagging_arn(group),
        spec=spec,
        owner=spec["tags"].get(OWNER_TAG),
        status={
            k: group[k]
            for k in ("arn", "creationTime", "storedBytes", "retentionPolicyName")
            if k in group
        },
    )


_CREATE_FIELDS = frozenset({"kmsKeyId", "logGroupClass", "deletionProtectionEnabled"})
_UPDATABLE = frozenset({"kmsKeyId", "deletionProtectionEnabled", "retentionInDays", "tags"})
"""logGroupClass "can't be changed after a log group is created" (CreateLogGroup); the
planner reports such a change and never replaces a log group (its events would go)."""


class LogGroupWriter:
    """CreateLogGroup (+ PutRetentionPolicy), one call per changed part, DeleteLogGroup."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        params = {k: v for k, v in spec.items() if k in _CREATE_FIELDS}
        wanted = {k: v for k, v in (spec.get("tags") or {}).items() if not tags.is_reserved(k)}
        if wanted:
            params["tags"] = wanted
        owner = wanted.get(OWNER_TAG)

        def ours() -> dict[str, Any] | None:
            """An earlier attempt's log group: it exists and carries this create's owner."""
            live = read_log_groups(aws, [id.name]).get(id.name)
            return {} if live is not None and owner and live.owner == owner else None

        # CreateLogGroup fails with ResourceAlreadyExistsException when sent again.
        calls.create(aws, "logs", "create_log_group", str(id), ours, logGroupName=id.name, **params)
        if spec.get("retentionInDays") is not None:
            _put_retention(aws, id, spec["retentionInDays"])
        # CreateLogGroup answers nothing; the ARN is read back.
        live = read_log_groups(aws, [id.name]).get(id.name)
        return live.arn if live is not None else ""

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        resource = str(id)
        errors.refuse_update("UpdateLogGroup", resource, fields - _UPDATABLE)
        if "retentionInDays" in fields and spec.get("retentionInDays") is not None:
            _put_retention(aws, id, spec["retentionInDays"])
        if "kmsKeyId" in fields and spec.get("kmsKeyId"):
            calls.call(
                aws,
                "logs",
                "associate_kms_key",
                resource,
                logGroupName=id.name,
                kmsKeyId=spec["kmsKeyId"],
            )
        if "deletionProtectionEnabled" in fields and "deletionProtectionEnabled" in spec:
            calls.call(
                aws,
                "logs",
                "put_log_group_deletion_protection",
                resource,
                logGroupIdentifier=id.name,
                deletionProtectionEnabled=spec["deletionProtectionEnabled"],
            )
        if "tags" in fields:
            retag(aws, live.arn, resource, spec.get("tags", {}), live.spec.get("tags", {}))
        return live.arn

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """DeleteLogGroup: its log events go with it (prune deletes only owned groups)."""
        try:
            calls.call(aws, "logs", "delete_log_group", str(id), logGroupName=id.name)
        except errors.NotFoundError:
            return


def _put_retention(aws: Aws, id: ResourceId, days: int) -> None:
    calls.call(
        aws, "logs", "put_retention_policy", str(id), logGroupName=id.name, retentionInDays=days
    )


def retag(
    aws: Aws, arn: str, resource: str, desired: Mapping[str, str], live: Mapping[str, str]
) -> None:
    """TagResource / UntagResource (CloudWatch Logs takes tags as a mapping)."""
    to_set, to_remove = tags.changes(desired, live)
    if to_set:
        calls.call(aws, "logs", "tag_resource", resource, resourceArn=arn, tags=to_set)
    if to_remove:
        calls.call(aws, "logs", "untag_resource", resource, resourceArn=arn, tagKeys=to_remove)
