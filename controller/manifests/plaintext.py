"""Warnings about credentials written in plain text into containers.

A value in `environment`, `command` or `entryPoint` is stored in the task
definition (or the task) for anyone with `ecs:DescribeTaskDefinition` to
read. ECS can inject it from Secrets Manager or SSM Parameter Store instead
(`secrets` with `valueFrom`). These are warnings, not errors: the manifests
still load, and ecsync redacts the value wherever it shows it. The warning
names the container and the field (and the variable or flag), never the value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from controller.core import credentials, inline
from controller.core.kinds import Kind
from controller.manifests.errors import FieldPath, ManifestError
from controller.manifests.references import Entry

_ADVICE = (
    "store it in Secrets Manager or SSM Parameter Store and reference it under "
    "`secrets` with `valueFrom` (the value is not shown here)"
)
_COMMAND_ADVICE = (
    "store it in Secrets Manager or SSM Parameter Store, give it to the container as an "
    "environment variable under `secrets` with `valueFrom`, and read that variable instead "
    "(the value is not shown here)"
)


def check(entries: Sequence[Entry]) -> list[ManifestError]:
    """One warning per environment variable or command-line argument that holds a
    plain-text credential."""
    warnings = []
    for entry in entries:
        for path, name, value in _environment(entry):
            reason = _reason(name, value)
            if reason:
                message = f"environment variable {name} {reason} in plain text; {_ADVICE}"
                warnings.append(entry.error((*path, "value"), message))
        for path, container, field, what in _arguments(entry):
            message = f"{field} of container {container} holds {what} in plain text; "
            warnings.append(entry.error(path, message + _COMMAND_ADVICE))
    return warnings


def _reason(name: str, value: str) -> str | None:
    shape = credentials.shape(value)
    if shape is not None:
        return f"holds what looks like {shape}"
    if credentials.is_secret_name(name) and credentials.is_high_entropy(value):
        return "has a secret's name and holds a random-looking value"
    found = inline.find(value)
    if found:
        return f"holds {found[0].what}"
    return None


def _containers(entry: Entry) -> tuple[FieldPath, list[Any]]:
    """The path and items of the containers a resource defines or overrides."""
    if entry.id.kind is Kind.TASK_DEFINITION:
        containers: Any = entry.spec.get("containerDefinitions")
        prefix: FieldPath = ("spec", "containerDefinitions")
    elif entry.id.kind is Kind.TASK:
        overrides = entry.spec.get("overrides")
        containers = overrides.get("containerOverrides") if isinstance(overrides, dict) else None
        prefix = ("spec", "overrides", "containerOverrides")
    else:
        return (), []
    return prefix, containers if isinstance(containers, list) else []


def _arguments(entry: Entry) -> Iterator[tuple[FieldPath, str, str, str]]:
    """(path, container, field, what) of each argument that holds a secret: `entryPoint`,
    `command` (read after the entryPoint, as it runs) and `healthCheck.command`."""
    prefix, containers = _containers(entry)
    for i, container in enumerate(containers):
        if not isinstance(container, dict):
            continue
        name = str(container.get("name", i))
        health = container.get("healthCheck")
        lists: list[tuple[tuple[str, ...], Any, Any]] = [
            (("entryPoint",), container.get("entryPoint"), ()),
            (("command",), container.get("command"), container.get("entryPoint")),
            (
                ("healthCheck", "command"),
                health.get("command") if isinstance(health, dict) else None,
                (),
            ),
        ]
        for field, arguments, before in lists:
            if not isinstance(arguments, list):
                continue
            context = before if isinstance(before, list) else ()
            for j, secrets in enumerate(inline.find_in_args(arguments, context)):
                if secrets:
                    what = secrets[0].what
                    yield (*prefix, i, *field, j), name, ".".join(field), what


def _environment(entry: Entry) -> Iterator[tuple[FieldPath, str, str]]:
    """(path, name, value) of every plain-text variable the resource sets in a container."""
    prefix, containers = _containers(entry)
    for i, container in enumerate(containers):
        variables = container.get("environment") if isinstance(container, dict) else None
        for j, variable in enumerate(variables if isinstance(variables, list) else []):
            if not isinstance(variable, dict):
                continue
            name, value = variable.get("name"), variable.get("value")
            if isinstance(name, str) and isinstance(value, str):
                yield (*prefix, i, "environment", j), name, value
