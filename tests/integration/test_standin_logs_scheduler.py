"""The local AWS answers CloudWatch Logs and EventBridge Scheduler as AWS does."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from controller.aws import loggroups
from controller.aws.clients import Aws
from tests.support.counting import CallCounter

TARGET = {
    "Arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
    "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
    "EcsParameters": {
        "TaskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/r:1"
    },
}


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_describe_by_identifiers_returns_only_those_groups(logs: Any) -> None:
    """logGroupIdentifiers filters by exact name, and cannot go with a prefix."""
    for name in ("/a", "/ab", "/b"):
        logs.create_log_group(logGroupName=name)

    answer = logs.describe_log_groups(logGroupIdentifiers=["/a", "/missing"])
    assert [g["logGroupName"] for g in answer["logGroups"]] == ["/a"]
    with pytest.raises(ClientError) as refused:
        logs.describe_log_groups(logGroupIdentifiers=["/a"], logGroupNamePrefix="/a")
    assert error_code(refused) == "InvalidParameterException"


def test_a_group_reports_its_class_and_deletion_protection(logs: Any) -> None:
    """STANDARD unless created otherwise; protection as last put."""
    logs.create_log_group(logGroupName="/std")
    logs.create_log_group(logGroupName="/ia", logGroupClass="INFREQUENT_ACCESS")
    logs.put_log_group_deletion_protection(
        logGroupIdentifier="/std", deletionProtectionEnabled=True
    )

    groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
    assert (groups["/std"]["logGroupClass"], groups["/std"]["deletionProtectionEnabled"]) == (
        "STANDARD",
        True,
    )
    assert (groups["/ia"]["logGroupClass"], groups["/ia"]["deletionProtectionEnabled"]) == (
        "INFREQUENT_ACCESS",
        False,
    )


def test_kms_keys_are_associated_and_disassociated(logs: Any) -> None:
    """AssociateKmsKey sets the key DescribeLogGroups reports; DisassociateKmsKey clears it."""
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    logs.create_log_group(logGroupName="/k")
    logs.associate_kms_key(logGroupName="/k", kmsKeyId=key)
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"] == key
    logs.disassociate_kms_key(logGroupName="/k")
    assert "kmsKeyId" not in logs.describe_log_groups()["logGroups"][0]
    with pytest.raises(ClientError) as missing:
        logs.associate_kms_key(logGroupName="/none", kmsKeyId=key)
    assert error_code(missing) == "ResourceNotFoundException"


def test_retention_takes_only_the_documented_days(logs: Any) -> None:
    """30 is a retention AWS offers; 2 is refused."""
    logs.create_log_group(logGroupName="/r")
    logs.put_retention_policy(logGroupName="/r", retentionInDays=30)
    with pytest.raises(ClientError) as refused:
        logs.put_retention_policy(logGroupName="/r", retentionInDays=2)
    assert error_code(refused) == "InvalidParameterException"


def test_the_reader_asks_for_fifty_names_a_call(
    aws: Aws, logs: Any, calls_sent: CallCounter
) -> None:
    """60 wanted groups among 70 are two DescribeLogGroups calls, and exactly those 60."""
    names = [f"/g/{i:03}" for i in range(70)]
    for name in names:
        logs.create_log_group(logGroupName=name)

    found = loggroups.read_log_groups(aws, names[:60])

    assert sorted(found) == names[:60]
    assert calls_sent["DescribeLogGroups"] == 2
    assert sorted(
        len(p["logGroupIdentifiers"]) for p in calls_sent.params("DescribeLogGroups")
    ) == [
        10,
        50,
    ]


def test_a_schedule_needs_an_existing_group(scheduler: Any) -> None:
    """CreateSchedule into a group that does not exist is ResourceNotFoundException."""
    with pytest.raises(ClientError) as refused:
        scheduler.create_schedule(
            Name="n",
            GroupName="nowhere",
            ScheduleExpression="rate(1 hour)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target=TARGET,
        )
    assert error_code(refused) == "ResourceNotFoundException"


def test_an_update_without_state_enables_the_schedule(scheduler: Any) -> None:
    """UpdateSchedule sets what it is not given to its default: State ENABLED."""
    common = {"ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": {"Mode": "OFF"}}
    scheduler.create_schedule(Name="n", State="DISABLED", Target=TARGET, **common)
    scheduler.update_schedule(Name="n", Target=TARGET, **common)

    answer = scheduler.get_schedule(Name="n")
    assert (answer["State"], answer["ActionAfterCompletion"]) == ("ENABLED", "NONE")
