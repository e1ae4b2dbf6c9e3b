"""The leader lease: one DynamoDB item per lease, written only with conditional writes.

The table has the partition key `name` (S). The item of a lease holds:

- `holder` (S): the identity of the replica that holds it; absent once released;
- `version` (S): a random token, new on every write, which every later write
  is conditional on (optimistic concurrency: whoever wrote last wins, anyone
  who read an older version fails);
- `duration` (N): the holder's lease duration in seconds. A standby takes
  over only after seeing the same `version` for that long;
- `acquired`, `renewed`, `expires` (N): epoch seconds by the holder's clock.
  They are for people and dashboards: no replica's decision reads them,
  because the replicas' clocks need not agree;
- `transitions` (N): how many times the lease changed hands.

IAM: dynamodb:DescribeTable, GetItem, PutItem and UpdateItem on the table.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from controller.aws import calls, errors

if TYPE_CHECKING:
    from controller.aws.clients import Aws

KEY = "name"

_NAMES = {
    "#name": KEY,
    "#holder": "holder",
    "#version": "version",
    "#renewed": "renewed",
    "#expires": "expires",
}
"""Attribute name placeholders: `name` is a DynamoDB reserved word."""


@dataclass(frozen=True)
class Lease:
    """One lease item as read or written."""

    name: str
    holder: str | None
    """None when the lease was released (or never held)."""
    version: str
    duration: float
    transitions: int
    acquired: float = 0.0
    renewed: float = 0.0
    expires: float = 0.0


class LeaseTable:
    """The leases in one DynamoDB table, through `aws` (a connection without a write gate).

    `acquire`, `renew` and `release` answer None/False when their condition
    fails, meaning that another replica wrote first; other failures raise
    `errors.AwsError`.
    """

    def __init__(self, aws: Aws, table: str, clock: Callable[[], float] = time.time) -> None:
        self.aws = aws
        self.table = table
        self._clock = clock

    def check(self) -> None:
        """Raise `errors.PermanentAwsError`, with the fix, unless the table is usable."""
        resource = f"Table/{self.table}"
        create = (
            f"aws dynamodb create-table --table-name {self.table} "
            f"--attribute-definitions AttributeName={KEY},AttributeType=S "
            f"--key-schema AttributeName={KEY},KeyType=HASH --billing-mode PAY_PER_REQUEST"
        )
        try:
            found = calls.call(
                self.aws, "dynamodb", "describe_table", resource, TableName=self.table
            )
        except errors.NotFoundError as error:
            raise errors.PermanentAwsError(
                error.operation,
                resource,
                error.code,
                f"the leader election table does not exist; create it: {create}",
            ) from error
        table = found["Table"]
        types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
        if table["KeySchema"] != [{"AttributeName": KEY, "KeyType": "HASH"}] or types != {KEY: "S"}:
            raise errors.PermanentAwsError(
                "DescribeTable",
                resource,
                "InvalidTable",
                f"a leader election table needs the partition key {KEY!r} (S) and no sort key; "
                f"create one: {create}",
            )

    def read(self, name: str) -> Lease | None:
        """The lease as stored now (a strongly consistent read), or None when there is none."""
        found = calls.call(
            self.aws,
            "dynamodb",
            "get_item",
            self._resource(name),
            TableName=self.table,
            Key={KEY: {"S": name}},
            ConsistentRead=True,
        )
        item = found.get("Item")
        return _lease(item) if item else None

    def acquire(self, name: str, holder: str, duration: float, seen: Lease | None) -> Lease | None:
        """Take the lease for `holder`, provided it is still as `seen` (None: no item)."""
        now = self._clock()
        transitions = 0 if seen is None else seen.transitions + (seen.holder != holder)
        lease = Lease(
            name=name,
            holder=holder,
            version=_token(),
            duration=duration,
            transitions=transitions,
            acquired=now,
            renewed=now,
            expires=now + duration,
        )
        if seen is None:
            condition: dict[str, Any] = {
                "ConditionExpression": "attribute_not_exists(#name)",
                "ExpressionAttributeNames": {"#name": KEY},
            }
        elif not seen.version:  # an item made by hand
            condition = {
                "ConditionExpression": "attribute_not_exists(#version)",
                "ExpressionAttributeNames": {"#version": "version"},
            }
        else:
            condition = {
                "ConditionExpression": "#version = :seen",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":seen": {"S": seen.version}},
            }
        try:
            calls.call(
                self.aws,
                "dynamodb",
                "put_item",
                self._resource(name),
                TableName=self.table,
                Item=_item(lease),
                **condition,
            )
        except errors.ConditionFailedError:
            return None
        return lease

    def renew(self, lease: Lease) -> Lease | None:
        """Extend `lease`, provided it is still held as written; the renewed lease, or None."""
        now = self._clock()
        renewed = Lease(
            name=lease.name,
            holder=lease.holder,
            version=_token(),
            duration=lease.duration,
            transitions=lease.transitions,
            acquired=lease.acquired,
            renewed=now,
            expires=now + lease.duration,
        )
        written = self._update(
            lease,
            "SET #version = :new, #renewed = :now, #expires = :expires",
            {
                ":new": {"S": renewed.version},
                ":now": _number(now),
                ":expires": _number(renewed.expires),
            },
        )
        return renewed if written else None

    def release(self, lease: Lease) -> bool:
        """Give `lease` up, provided it is still held as written, so a standby takes it at once."""
        now = self._clock()
        return self._update(
            lease,
            "SET #version = :new, #expires = :now REMOVE #holder",
            {":new": {"S": _token()}, ":now": _number(now)},
        )

    def _update(self, lease: Lease, expression: str, values: dict[str, Any]) -> bool:
        assert lease.holder is not None
        condition = "#holder = :holder AND #version = :version"
        used = {k: v for k, v in _NAMES.items() if k in f"{expression} {condition}"}
        try:
            calls.call(
                self.aws,
                "dynamodb",
                "update_item",
                self._resource(lease.name),
                TableName=self.table,
                Key={KEY: {"S": lease.name}},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=used,
                ExpressionAttributeValues={
                    **values,
                    ":holder": {"S": lease.holder},
                    ":version": {"S": lease.version},
                },
            )
        except errors.ConditionFailedError:
            return False
        return True

    def _resource(self, name: str) -> str:
        return f"Lease/{self.table}/{name}"


def _token() -> str:
    return secrets.token_hex(8)


def _number(value: float) -> dict[str, str]:
    return {"N": f"{value:.3f}"}


def _item(lease: Lease) -> dict[str, Any]:
    item: dict[str, Any] = {
        KEY: {"S": lease.name},
        "version": {"S": lease.version},
        "duration": _number(lease.duration),
        "transitions": {"N": str(lease.transitions)},
        "acquired": _number(lease.acquired),
        "renewed": _number(lease.renewed),
        "expires": _number(lease.expires),
    }
    if lease.holder is not None:
        item["holder"] = {"S": lease.holder}
    return item


def _lease(item: dict[str, Any]) -> Lease:
    def number(attribute: str) -> float:
        return float(item[attribute]["N"]) if attribute in item else 0.0

    holder = item.get("holder", {}).get("S") or None
    return Lease(
        name=item[KEY]["S"],
        holder=holder,
        version=item.get("version", {}).get("S", ""),
        duration=number("duration"),
        transitions=int(number("transitions")),
        acquired=number("acquired"),
        renewed=number("renewed"),
        expires=number("expires"),
    )
