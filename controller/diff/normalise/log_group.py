"""CloudWatch Logs log groups: the defaults CreateLogGroup applies.

docs/fidelity.md names the source of each rule, and
tests/fidelity/cases/log-group/ holds the answers.
"""

from __future__ import annotations

from typing import Any

from controller.diff.normalise import common

DEFAULTS: dict[str, Any] = {
    # CreateLogGroup: "If you omit this parameter, the default of STANDARD is used."
    "logGroupClass": "STANDARD",
    # PutLogGroupDeletionProtection: deletion protection is off until it is enabled.
    "deletionProtectionEnabled": False,
}


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    for field, default in DEFAULTS.items():
        result.setdefault(field, default)
    return result
