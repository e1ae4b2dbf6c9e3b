"""The leader lease in DynamoDB (moto over HTTP), and the write gate on an `Aws` connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from structlog.testing import capture_logs

from controller.aws import calls, errors, leases
from controller.aws.clients import Aws
from tests.support import faults
from tests.support.counting import CallCounter

TABLE = "ecsync-leases"
NAME = "ecsync-ecsync"


def create_table(dynamodb: Any, name: str = TABLE, key: str = leases.KEY) -> None:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def dynamodb(boto_client: Callable[[str], Any]) -> Any:
    """A plain DynamoDB client, with the lease table created."""
    client = boto_client("dynamodb")
    create_table(client)
    return client


@pytest.fixture
def table(aws: Aws, dynamodb: Any) -> leases.LeaseTable:
    """The lease table as ecsync uses it, on a clock that stands still."""
    return leases.LeaseTable(aws, TABLE, clock=lambda: 1_700_000_000.0)


def stored(dynamodb: Any) -> dict[str, Any]:
    item: dict[str, Any] = dynamodb.get_item(TableName=TABLE, Key={"name": {"S": NAME}})["Item"]
    return item


def test_check_accepts_the_documented_table(table: leases.LeaseTable) -> None:
    """A table keyed by `name` (S) passes the start-up check."""
    table.check()


def test_check_names_the_fix_for_a_missing_table(aws: Aws, dynamodb: Any) -> None:
    """A missing table is a permanent error whose message says how to create it."""
    with pytest.raises(errors.PermanentAwsError) as raised:
        leases.LeaseTable(aws, "absent").check()
    assert "does not exist" in raised.value.message
    assert "create-table --table-name absent" in raised.value.message
    assert "AttributeName=name,AttributeType=S" in raised.value.message


def test_check_refuses_a_table_with_another_key(aws: Aws, dynamodb: Any) -> None:
    """A table keyed by anything but `name` is refused before any lease is written."""
    create_table(dynamodb, "wrong", key="id")
    with pytest.raises(errors.PermanentAwsError) as raised:
        leases.LeaseTable(aws, "wrong").check()
    assert raised.value.code == "InvalidTable"


def test_two_contenders_for_an_absent_lease_only_one_wins(
    table: leases.LeaseTable, dynamodb: Any
) -> None:
    """Both saw no item; the first conditional put wins and the second is told it lost."""
    first = table.acquire(NAME, "replica-a", 15.0, None)
    second = table.acquire(NAME, "replica-b", 15.0, None)
    assert first is not None
    assert second is None
    item = stored(dynamodb)
    assert item["holder"] == {"S": "replica-a"}
    assert item["expires"] == {"N": "1700000015.000"}
    assert item["renewed"] == {"N": "1700000000.000"}
    assert item["transitions"] == {"N": "0"}
    assert item["duration"] == {"N": "15.000"}
    assert table.read(NAME) == first


def test_two_standbys_taking_over_the_same_version_only_one_wins(
    table: leases.LeaseTable,
) -> None:
    """Takeovers are conditional on the version both standbys saw: exactly one succeeds."""
    table.acquire(NAME, "replica-a", 15.0, None)
    seen = table.read(NAME)
    assert seen is not None
    b = table.acquire(NAME, "replica-b", 15.0, seen)
    c = table.acquire(NAME, "replica-c", 15.0, seen)
    assert b is not None
    assert b.transitions == 1
    assert c is None
    now = table.read(NAME)
    assert now is not None
    assert now.holder == "replica-b"


def test_a_stale_holders_renew_and_release_fail(table: leases.LeaseTable) -> None:
    """After a takeover, the old holder can neither renew nor release the lease."""
    old = table.acquire(NAME, "replica-a", 15.0, None)
    assert old is not None
    renewed = table.renew(old)
    assert renewed is not None
    assert renewed.version != old.version
    assert table.renew(old) is None  # a version it no longer holds
    new = table.acquire(NAME, "replica-b", 15.0, table.read(NAME))
    assert new is not None
    assert table.renew(renewed) is None
    assert table.release(renewed) is False
    current = table.read(NAME)
    assert current is not None
    assert current.holder == "replica-b"


def test_release_clears_the_holder_and_keeps_the_history(
    table: leases.LeaseTable, dynamodb: Any
) -> None:
    """A released lease has no holder, keeps its transitions, and is free to take at once."""
    table.acquire(NAME, "replica-a", 15.0, None)
    b = table.acquire(NAME, "replica-b", 15.0, table.read(NAME))
    assert b is not None
    assert table.release(b) is True
    item = stored(dynamodb)
    assert "holder" not in item
    assert item["transitions"] == {"N": "1"}
    released = table.read(NAME)
    assert released is not None
    assert released.holder is None
    again = table.acquire(NAME, "replica-a", 15.0, released)
    assert again is not None
    assert again.transitions == 2


def test_lost_races_are_not_logged_as_errors(table: leases.LeaseTable) -> None:
    """A conditional write that loses is an ordinary answer: logged at debug, never error."""
    table.acquire(NAME, "replica-a", 15.0, None)
    with capture_logs() as logs:
        assert table.acquire(NAME, "replica-b", 15.0, None) is None
    assert [e["log_level"] for e in logs] == ["debug"]
    assert logs[0]["reason"] == "condition not met"


def test_closed_gate_refuses_writes_without_sending_them(aws: Aws, calls_sent: CallCounter) -> None:
    """With the gate closed a write raises NotLeaderError and sends nothing; reads still go."""
    aws.write_gate = lambda: False
    with capture_logs() as logs, pytest.raises(errors.NotLeaderError) as raised:
        calls.call(aws, "ecs", "create_cluster", "Cluster/prod", clusterName="prod")
    assert raised.value.code == "NotLeader"
    assert not raised.value.retryable
    assert calls_sent["CreateCluster"] == 0
    assert logs[-1]["reason"] == "not leader"
    assert calls.call(aws, "ecs", "list_clusters")["clusterArns"] == []
    aws.write_gate = lambda: True
    calls.call(aws, "ecs", "create_cluster", "Cluster/prod", clusterName="prod")
    assert calls_sent["CreateCluster"] == 1


def test_gate_closing_between_retries_stops_the_retries(aws: Aws, calls_sent: CallCounter) -> None:
    """A write that failed transiently is not retried once the gate has closed meanwhile."""
    gate = {"open": True}
    aws.write_gate = lambda: gate["open"]

    def fail_and_lose_the_lease(_request: Any) -> Any:
        gate["open"] = False  # e.g. the lease ran out while this attempt was in flight
        return faults.error_response(500, "ServerException")

    faults.answer(aws.ecs, "CreateCluster", fail_and_lose_the_lease)
    with pytest.raises(errors.NotLeaderError):
        calls.call(aws, "ecs", "create_cluster", "Cluster/prod", clusterName="prod")
    assert calls_sent["CreateCluster"] == 1


@pytest.mark.parametrize(
    ("operation", "write"),
    [
        ("DescribeServices", False),
        ("ListTagsForResource", False),
        ("GetLifecyclePolicy", False),
        ("BatchGetImage", False),
        ("UpdateService", True),
        ("TagResource", True),
        ("RunTask", True),
        ("PutLifecyclePolicy", True),
        ("RegisterTaskDefinition", True),
        ("BatchDeleteImage", True),
    ],
)
def test_what_counts_as_a_write(operation: str, write: bool) -> None:
    """Only Describe*, List*, Get* and BatchGet* are reads; everything else passes the gate."""
    assert calls.is_write(operation) is write
