"""Warnings about credentials written in plain text into container environments.

A value in `environment` is stored in the task definition for anyone with
`ecs:DescribeTaskDefinition` to read. ECS can inject it from Secrets Manager or
SSM Parameter Store instead (`secrets` with `valueFrom`). These are warnings,
not errors: the manifests still load, and ecsync redacts the value wherever it
shows it. The warning names the variable, never the value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from controller.core import credentials
from controller.core.kinds import Kind
from controller.manifests.errors import FieldPath, ManifestError
from controller.manifests.references import Entry

_ADVICE = (
    "store it in Secrets Manager or SSM Parameter Store and reference it under "
    "`secrets` with `valueFrom` (the value is not shown here)"
)


def check(entries: Sequence[Entry]) -> list[ManifestError]:
    """One warning per environment variable that looks like a plain-text credential."""
    warnings = []
    for entry in entries:
        for path, name, value in _environment(entry):
            reason = _reason(name, value)
            if reason:
                message = f"environment variable {name} {reason} in plain text; {_ADVICE}"
                warnings.append(entry.error((*path, "value"), message))
    return warnings


def _reason(name: str, value: str) -> str | None:
    shape = credentials.shape(value)
    if shape is not None:
        return f"holds what looks like {shape}"
    if credentials.is_secret_name(name) and credentials.is_high_entropy(value):
        return "has a secret's name and holds a random-looking value"
    return None


def _environment(entry: Entry) -> Iterator[tuple[FieldPath, str, str]]:
    """(path, name, value) of every plain-text variable the resource sets in a container."""
    if entry.id.kind is Kind.TASK_DEFINITION:
        containers: Any = entry.spec.get("containerDefinitions")
        prefix: FieldPath = ("spec", "containerDefinitions")
    elif entry.id.kind is Kind.TASK:
        overrides = entry.spec.get("overrides")
        containers = overrides.get("containerOverrides") if isinstance(overrides, dict) else None
        prefix = ("spec", "overrides", "containerOverrides")
    else:
        return
    for i, container in enumerate(containers if isinstance(containers, list) else []):
        variables = container.get("environment") if isinstance(container, dict) else None
        for j, variable in enumerate(variables if isinstance(variables, list) else []):
            if not isinstance(variable, dict):
                continue
            name, value = variable.get("name"), variable.get("value")
            if isinstance(name, str) and isinstance(value, str):
                yield (*prefix, i, "environment", j), name, value
