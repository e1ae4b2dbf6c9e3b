"""CloudWatch Logs log groups through the local AWS: the reader's shape, the writer's calls."""

from __future__ import annotations

from typing import Any

from controller.aws import loggroups
from controller.aws.clients import Aws
from controller.aws.writers import WRITERS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG
from tests.support.counting import CallCounter

WEB = ResourceId(Kind.LOG_GROUP, "/ecs/web")
WRITER = WRITERS[Kind.LOG_GROUP]
SPEC: dict[str, Any] = {"retentionInDays": 30, "tags": {OWNER_TAG: "ecsync", "team": "web"}}
REPORTED = {"logGroupClass": "STANDARD", "deletionProtectionEnabled": False}
"""What DescribeLogGroups reports for a group created without them."""


def test_create_then_read_back_in_manifest_shape(aws: Aws, calls_sent: CallCounter) -> None:
    """A created group reads back with its retention, its tags and its owner."""
    arn = WRITER.create(aws, WEB, SPEC)
    live = loggroups.read_log_groups(aws, ["/ecs/web"])["/ecs/web"]

    assert arn == live.arn == "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web"
    assert live.spec == {**SPEC, **REPORTED}
    assert live.owner == "ecsync"
    (create,) = calls_sent.params("CreateLogGroup")
    assert create == {"logGroupName": "/ecs/web", "tags": SPEC["tags"]}
    assert calls_sent.params("PutRetentionPolicy") == [
        {"logGroupName": "/ecs/web", "retentionInDays": 30}
    ]


def test_the_reader_keeps_exact_names_and_skips_missing_ones(aws: Aws, logs: Any) -> None:
    """`/ecs/web` does not bring `/ecs/web2` along, and an absent name is simply absent."""
    logs.create_log_group(logGroupName="/ecs/web")
    logs.create_log_group(logGroupName="/ecs/web2")

    found = loggroups.read_log_groups(aws, ["/ecs/web", "/ecs/none"])

    assert list(found) == ["/ecs/web"]
    assert found["/ecs/web"].owner is None


def test_an_update_writes_only_the_changed_parts(aws: Aws, calls_sent: CallCounter) -> None:
    """Retention and tags each take their own call, and only when they changed."""
    WRITER.create(aws, WEB, SPEC)
    live = loggroups.read_log_groups(aws, ["/ecs/web"])["/ecs/web"]
    calls_sent.clear()

    desired = {"retentionInDays": 7, "tags": {OWNER_TAG: "ecsync", "owner": "ops"}}
    WRITER.update(aws, WEB, desired, live, frozenset({"retentionInDays", "tags"}))

    assert calls_sent.params("PutRetentionPolicy") == [
        {"logGroupName": "/ecs/web", "retentionInDays": 7}
    ]
    assert calls_sent.params("TagResource") == [{"resourceArn": live.arn, "tags": {"owner": "ops"}}]
    assert calls_sent.params("UntagResource") == [{"resourceArn": live.arn, "tagKeys": ["team"]}]
    assert loggroups.read_log_groups(aws, ["/ecs/web"])["/ecs/web"].spec == {**desired, **REPORTED}


def test_only_owned_groups_are_listed_for_prune(aws: Aws, logs: Any) -> None:
    """Groups without this instance's tag are never prune candidates."""
    WRITER.create(aws, WEB, SPEC)
    logs.create_log_group(logGroupName="/theirs", tags={OWNER_TAG: "other"})
    logs.create_log_group(logGroupName="/untagged")

    assert list(loggroups.list_owned_log_groups(aws, "ecsync")) == ["/ecs/web"]


def test_delete_removes_the_group_and_a_gone_group_is_no_error(aws: Aws) -> None:
    """DeleteLogGroup; deleting again finds nothing and is not an error."""
    WRITER.create(aws, WEB, SPEC)
    live = loggroups.read_log_groups(aws, ["/ecs/web"])["/ecs/web"]

    WRITER.delete(aws, WEB, live)
    WRITER.delete(aws, WEB, live)

    assert loggroups.read_log_groups(aws, ["/ecs/web"]) == {}
