"""Refusals as manifest errors: what AWS would refuse, at the file and line that says it.

`validate` only knows a spec once it fits the request model; this turns that
spec into the requests apply would send, asks `refusals` what AWS would
refuse in them, and points each refusal at the node of the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from controller.core.kinds import Kind
from controller.manifests import refusals
from controller.manifests.errors import ManifestError
from controller.manifests.yamlload import Document, Located


def errors(
    kind: Kind, name: str, spec: Mapping[str, Any], document: Document, resource: str
) -> list[ManifestError]:
    """Everything AWS would refuse in the requests that apply sends for one document."""
    found: dict[tuple[object, ...], ManifestError] = {}
    for operation, request in refusals.requests_for(kind, name, spec):
        for refusal in refusals.check(operation, request):
            path, key = refusals.spec_path(kind, spec, operation, refusal.path)
            # a policy call repeats the repository name: say each thing once
            found.setdefault(
                (path, refusal.message), document.error(resource, path, refusal.message, key=key)
            )
    return list(found.values())


def against(
    kind: Kind,
    name: str,
    spec: Mapping[str, Any],
    task_definition: Mapping[str, Any],
    *,
    family: str,
    document: Located,
    resource: str,
) -> list[ManifestError]:
    """What AWS would refuse in a Service's or Task's request given its task definition's spec."""
    operation, request = refusals.request_for(kind, name, spec)
    _, definition = refusals.request_for(Kind.TASK_DEFINITION, family, task_definition)
    found = []
    for refusal in refusals.check_against(operation, request, definition):
        path, key = refusals.spec_path(kind, spec, operation, refusal.path)
        message = f"{refusal.message} (TaskDefinition/{family})"
        found.append(document.error(resource, path, message, key=key))
    return found
