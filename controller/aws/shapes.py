"""Projection of what AWS describes onto the members of a create request.

`Live.spec` is "manifest shape": the members of the kind's create call. The
botocore service model knows those members, so a described object is
projected with it instead of a hand-kept field list that would fall behind
the API. The model is read from botocore's data files, with no client and no
call, so parsing an AWS answer is a pure function (the fidelity corpus runs
it on recorded answers).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import botocore.session

_MEMBERS: dict[tuple[str, str], frozenset[str]] = {}
_LOCK = threading.Lock()


def request_members(service: str, operation: str) -> frozenset[str]:
    """The input member names of `operation` (API name, e.g. ``CreateService``)."""
    key = (service, operation)
    with _LOCK:
        if key not in _MEMBERS:
            model = botocore.session.get_session().get_service_model(service)
            shape = model.operation_model(operation).input_shape
            _MEMBERS[key] = frozenset(shape.members if shape is not None else ())
        return _MEMBERS[key]


def project(
    service: str,
    operation: str,
    described: Mapping[str, Any],
    exclude: Iterable[str] = (),
) -> dict[str, Any]:
    """The members of `described` that `operation` takes, minus `exclude` and `tags`.

    Tags are left out because every kind reshapes them into a mapping itself.
    """
    members = _projected(service, operation, tuple(exclude))
    return {k: v for k, v in described.items() if k in members}


@functools.lru_cache(maxsize=256)
def _projected(service: str, operation: str, exclude: tuple[str, ...]) -> frozenset[str]:
    """What `project` keeps, worked out once per call site (once per described item was a
    tenth of parsing a DescribeServices item)."""
    return request_members(service, operation) - {"tags", *exclude}
