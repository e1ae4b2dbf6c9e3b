"""What CloudWatch Logs refuses in CreateLogGroup and PutRetentionPolicy.

Sources: the CloudWatch Logs API Reference text of each field, as botocore's
model documents it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from controller.manifests.refusals.base import Found, rule

CREATE, RETENTION = "CreateLogGroup", "PutRetentionPolicy"
RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545),
    *(731, 1096, 1827, 2192, 2557, 2922, 3288, 3653),
)
"""PutRetentionPolicy.retentionInDays: "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90,
120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653.\""""


# PutRetentionPolicy.retentionInDays (above); "To set a log group so that its log events
# do not expire, use DeleteRetentionPolicy."
@rule("log-retention-days", RETENTION)
def _retention(request: Mapping[str, Any]) -> Found:
    days = request.get("retentionInDays")
    if isinstance(days, int) and not isinstance(days, bool) and days not in RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_DAYS)
        yield ("retentionInDays",), f"retention is one of {allowed} days, not {days}"


# CreateLogGroup: "Log group names can't start with the string aws/".
@rule("log-group-name-aws-prefix", CREATE)
def _aws_prefix(request: Mapping[str, Any]) -> Found:
    name = request.get("logGroupName")
    if isinstance(name, str) and name.startswith("aws/"):
        yield ("logGroupName",), "a log group name cannot start with 'aws/' (AWS keeps those)"
