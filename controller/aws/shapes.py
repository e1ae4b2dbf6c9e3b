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
import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import botocore.loaders

_MEMBERS: dict[str, dict[str, frozenset[str]]] = {}
"""Service -> operation -> the input member names: all a projection keeps of a model."""
_LOCK = threading.Lock()


def request_members(service: str, operation: str) -> frozenset[str]:
    """The input member names of `operation` (API name, e.g. ``CreateService``)."""
    with _LOCK:
        members = _MEMBERS.get(service)
        if members is None:
            members = _MEMBERS[service] = _input_members(service)
    found = members.get(operation)
    if found is None:
        raise KeyError(f"the {service} service model has no operation {operation!r}")
    return found


def _input_members(service: str) -> dict[str, frozenset[str]]:
    """Each operation's input member names, from the service model as a botocore session
    loads it (its data files, `AWS_DATA_PATH` first), read once and then dropped.

    A session is not used for it: each one is a web of reference cycles, so its
    parsed model (megabytes) would stay in memory until the cyclic collector ran.
    """
    loader = botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))
    model = loader.load_service_model(service, "service-2")
    shapes = model["shapes"]
    return {
        name: frozenset(shapes[operation["input"]["shape"]]["members"])
        if "input" in operation
        else frozenset()
        for name, operation in model["operations"].items()
    }


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
