"""Keeping secret values out of plans, logs and status pages.

ECS `secrets` hold references (`valueFrom` ARNs), which are safe to show. The
danger is plain-text `environment` values and a few credential fields, so
values are hidden by the name of the variable or field that holds them.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "*****"

SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|_KEY$|^KEY$|DSN|AUTH)",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """True for names that conventionally hold credentials (`DB_PASSWORD`, `API_KEY`...)."""
    return bool(SECRET_NAME.search(name))


def redact(value: Any) -> Any:
    """Return a copy of `value` with secret-looking environment values replaced.

    Walks any JSON-like structure; a mapping with `name` and `value` keys whose
    name looks secret (the ECS `environment` shape) gets its value hidden.
    """
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str) and "value" in value and is_secret_name(name):
            return {**{k: redact(v) for k, v in value.items() if k != "value"}, "value": REDACTED}
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value
