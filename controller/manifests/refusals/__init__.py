"""What AWS refuses at apply time, checked on a request before anything is sent.

`ecsync validate` runs these on every manifest (through `request_for`), and
the local AWS stand-in runs the same checks on the requests it receives, so
that both refuse what ECS, ECR and RunTask refuse. Pure: no I/O, no AWS SDK.

- `check(operation, request)`: the request alone, as boto3 takes it (name
  parameter included, tags in AWS's list form). Both botocore's model
  constraints (generated, `model`) and the hand-written rules (`taskdefs`,
  `containers`, `services`, `clusters`, `repositories`), each naming its AWS source.
- `check_against(operation, request, task_definition)`: the rules that need
  the RegisterTaskDefinition request of the task definition a Service or Task
  runs (`against`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from controller.manifests.refusals import (
    against,
    base,
    clusters,
    containers,
    logs,
    model,
    repositories,
    requests,
    scaling,
    services,
    taskdefs,
)
from controller.manifests.refusals.base import RULES, Refusal

__all__ = [
    "RULES",
    "Refusal",
    "check",
    "check_against",
    "request_for",
    "requests_for",
    "rule_ids",
    "spec_path",
]

_RULE_MODULES = (
    against,
    clusters,
    containers,
    logs,
    repositories,
    scaling,
    services,
    taskdefs,
)
"""Imported for the rules they register."""

request_for = requests.request_for
requests_for = requests.requests_for
spec_path = requests.spec_path


def check(operation: str, request: Mapping[str, Any]) -> list[Refusal]:
    """Everything AWS would refuse in `request` to `operation` (a botocore operation name)."""
    found = model.check(operation, request)
    for rule in _rules(operation):
        if rule.single is not None:
            found += [Refusal(path, rule.id, message) for path, message in rule.single(request)]
    return found


def check_against(
    operation: str, request: Mapping[str, Any], task_definition: Mapping[str, Any]
) -> list[Refusal]:
    """What AWS would refuse in `request` given the task definition it runs."""
    found = []
    for rule in _rules(operation):
        if rule.cross is not None:
            pairs = rule.cross(request, task_definition)
            found += [Refusal(path, rule.id, message) for path, message in pairs]
    return found


@cache
def _rules(operation: str) -> tuple[base.Rule, ...]:
    """The rules of one operation (the registry is complete once this package is imported)."""
    return tuple(rule for rule in RULES.values() if operation in rule.operations)


def rule_ids() -> list[str]:
    """Every rule id: the generated families, then the hand-written rules."""
    return [*model.FAMILIES, *RULES]
