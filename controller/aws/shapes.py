"""Projection of what AWS describes onto the members of a create request.

`Live.spec` is "manifest shape": the members of the kind's create call. The
botocore service model knows those members, so a described object is
projected with it instead of a hand-kept field list that would fall behind
the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from controller.aws.clients import Aws


_MEMBERS: dict[tuple[str, str], frozenset[str]] = {}


def request_members(aws: Aws, service: str, operation: str) -> frozenset[str]:
    """The input member names of `operation` (API name, e.g. ``CreateService``)."""
    key = (service, operation)
    if key not in _MEMBERS:
        model = aws.client(service).meta.service_model.operation_model(operation)
        _MEMBERS[key] = frozenset(model.input_shape.members)
    return _MEMBERS[key]


def project(
    aws: Aws,
    service: str,
    operation: str,
    described: Mapping[str, Any],
    exclude: Iterable[str] = (),
) -> dict[str, Any]:
    """The members of `described` that `operation` takes, minus `exclude` and `tags`.

    Tags are left out because every kind reshapes them into a mapping itself.
    """
    members = request_members(aws, service, operation) - {"tags", *exclude}
    return {k: v for k, v in described.items() if k in members}
