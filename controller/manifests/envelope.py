"""Checking the Kubernetes-style envelope of a document: apiVersion, kind and metadata.

The spec is checked elsewhere, against the generated AWS models. Everything
here reports what it can and goes on, so that one pass lists every mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from controller.core.kinds import API_VERSION, Kind
from controller.core.resources import Annotations
from controller.manifests import switches
from controller.manifests.errors import ManifestError
from controller.manifests.suggest import clip, describe, did_you_mean, yaml_text
from controller.manifests.yamlload import Document

TOP_LEVEL = ("apiVersion", "kind", "metadata", "spec")
METADATA = ("name", "annotations", "labels")

REPOSITORY_NAME = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
ECS_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_ECS = r"[A-Za-z0-9_-]{1,255}"


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts as a kind's name (`metadata.name`), and how to say it."""

    pattern: re.Pattern[str]
    """Matched against the whole name, length bounds included."""
    rule: str


ECS_RULE = NameRule(ECS_NAME, "1-255 letters, digits, hyphens and underscores")
NAME_RULES: dict[Kind, NameRule] = {
    Kind.REPOSITORY: NameRule(
        re.compile(rf"(?=.{{2,256}}$)(?:{REPOSITORY_NAME.pattern})"),
        "2-256 lowercase letters, digits and '.', '_' or '-' between them, optionally "
        "in '/'-separated namespaces like 'team/web'",
    ),
    # CloudWatch Logs API Reference, CreateLogGroup: logGroupName.
    Kind.LOG_GROUP: NameRule(
        re.compile(r"[.\-_/#A-Za-z0-9]{1,512}"),
        "1-512 letters, digits and '.', '-', '_', '/' or '#', like '/ecs/web'",
    ),
    # EventBridge Scheduler API Reference, CreateSchedule: Name.
    Kind.SCHEDULE: NameRule(
        re.compile(r"[0-9A-Za-z_.-]{1,64}"), "1-64 letters, digits and '.', '-' or '_'"
    ),
    # controller/core/scaling.py: the scaled service, and a policy's PolicyName after it.
    Kind.SCALABLE_TARGET: NameRule(
        re.compile(rf"{_ECS}/{_ECS}"),
        "the scaled service as '<cluster>/<service>', like 'prod/web'",
    ),
    Kind.SCALING_POLICY: NameRule(
        re.compile(rf"{_ECS}/{_ECS}/[^\x00-\x1f\x7f]{{1,256}}"),
        "'<cluster>/<service>/<PolicyName>', like 'prod/web/cpu' (a PolicyName has "
        "1-256 printable characters)",
    ),
}
"""Name rules that differ from ECS's (`ECS_RULE`: clusters, families, services...)."""


@dataclass(frozen=True)
class Header:
    """What the envelope says; `kind` and `name` are None when they are missing or invalid."""

    kind: Kind | None
    name: str | None
    annotations: Annotations = field(default_factory=Annotations)

    @property
    def resource(self) -> str:
        """`Kind/name` for error messages, or "" until both are known."""
        return f"{self.kind}/{self.name}" if self.kind and self.name else ""


def read(document: Document) -> tuple[Header, list[ManifestError]]:
    """The header of a document (whose data must be a mapping), and every envelope error."""
    data: dict[str, Any] = document.data
    errors: list[ManifestError] = []
    for key in data:
        if key not in TOP_LEVEL:
            message = f"unknown top-level field '{key}'{did_you_mean(key, TOP_LEVEL)}"
            errors.append(document.error("", (key,), message, key=True))
    version = data.get("apiVersion")
    if version != API_VERSION:
        shown = f"'{clip(version)}'" if isinstance(version, str) else describe(version)
        problem = "missing apiVersion" if version is None else f"apiVersion is {shown}"
        message = f"{problem}; write 'apiVersion: {API_VERSION}'"
        errors.append(document.error("", ("apiVersion",), message))
    kind = _kind(document, data.get("kind"), errors)
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        problem = "missing metadata" if metadata is None else "metadata must be a mapping"
        message = f"{problem}; write 'metadata: {{name: ...}}' with the resource's AWS name"
        errors.append(document.error("", ("metadata",), message))
        return Header(kind, None), errors
    for key in metadata:
        if key not in METADATA:
            message = f"unknown metadata field '{key}'{did_you_mean(key, METADATA)}"
            errors.append(document.error("", ("metadata", key), message, key=True))
    name = _name(document, kind, metadata.get("name"), errors)
    header = Header(kind, name)
    _strings(document, header, metadata.get("labels"), "labels", errors)
    values = _strings(document, header, metadata.get("annotations"), "annotations", errors)
    if kind is None:
        return header, errors
    parsed, problems = switches.parse(kind, values)
    for key, message in problems:
        path = ("metadata", "annotations", key)
        at_key = key not in switches.KNOWN
        errors.append(document.error(header.resource, path, message, key=at_key))
    return Header(kind, name, parsed), errors


def _kind(document: Document, value: Any, errors: list[ManifestError]) -> Kind | None:
    kinds = [str(k) for k in Kind]
    if isinstance(value, str) and value in kinds:
        return Kind(value)
    if value is None:
        problem = "missing kind"
    elif isinstance(value, str):
        problem = f"unknown kind '{clip(value)}'{did_you_mean(value, kinds)}"
    else:
        problem = f"kind must be a string, not {describe(value)}"
    errors.append(document.error("", ("kind",), f"{problem}; kinds are {', '.join(kinds)}"))
    return None


def _name(
    document: Document, kind: Kind | None, value: Any, errors: list[ManifestError]
) -> str | None:
    path = ("metadata", "name")
    if not isinstance(value, str):
        problem = "missing metadata.name" if value is None else "metadata.name must be a string"
        errors.append(document.error("", path, f"{problem}; give the resource's AWS name"))
        return None
    rule = name_rule(kind)
    if rule.pattern.fullmatch(value) is None:
        what = f"a valid {kind} name" if kind else "a valid name"
        message = f"'{clip(value)}' is not {what}; use {rule.rule}"
        errors.append(document.error("", path, message))
        return None
    return value


def name_rule(kind: Kind | None) -> NameRule:
    """The rule `metadata.name` follows for `kind` (ECS's when the kind is unknown)."""
    return NAME_RULES.get(kind, ECS_RULE) if kind is not None else ECS_RULE


def _strings(
    document: Document, header: Header, values: Any, key: str, errors: list[ManifestError]
) -> dict[str, str]:
    """`metadata.labels` or `metadata.annotations`: a mapping of strings to strings."""
    if values is None:
        return {}
    path = ("metadata", key)
    if not isinstance(values, dict):
        message = f"{key} must be a mapping of strings to strings, not {describe(values)}"
        errors.append(document.error(header.resource, path, message))
        return {}
    good = {}
    for name, value in values.items():
        if isinstance(value, str):
            good[name] = value
            continue
        message = f"{key} values are strings, not {describe(value)}"
        if not isinstance(value, dict | list):
            message += f'; quote it: "{yaml_text(value)}"'
        errors.append(document.error(header.resource, (*path, name), message))
    return good
