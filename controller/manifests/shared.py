"""One object for each part of a spec that many documents repeat.

A fleet's manifests repeat themselves: the same network configuration in every
service of a cluster, the same port mappings, log configuration and
compatibilities in every task definition. Parsed, each copy is a tree of dicts
and lists of its own; at 10,000 services those copies took more memory than
what differs between the documents. A `Sharer` gives every part of a spec
(below its top level) that equals a part it has seen, with the same types
throughout, the very object it saw, so that the documents of one load share it.

Sharing is safe because nothing changes a manifest's spec once loaded: the
planner deep-copies what it sends (`controller.plan.planner._own`), the
normalisers build new values, and the daemon's bookkeeping relies on the
specs staying as loaded. The top level is never shared, so a resource's own
spec is always its own object.
"""

from __future__ import annotations

import marshal
from typing import Any

_MARSHAL_VERSION = 2
"""Writes no back-references: equal bytes mean equal values of the same types (1, 1.0 and
True differ; so does the order of a mapping's keys, which a spec's output keeps)."""


class Sharer:
    """The parts seen so far, by value; one per load (it holds them until dropped)."""

    def __init__(self) -> None:
        self._seen: dict[bytes, Any] = {}

    def spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        """`spec`, its parts replaced by equal ones seen before (it is changed in place: call
        it on a spec that nothing else holds yet)."""
        for key, value in spec.items():
            if isinstance(value, dict | list):
                spec[key] = self._part(value)
        return spec

    def _part(self, value: dict[str, Any] | list[Any]) -> Any:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, dict | list):
                value[key] = self._part(item)  # type: ignore[index]
        try:
            encoded = marshal.dumps(value, _MARSHAL_VERSION)
        except ValueError:  # not plain data: kept as it is
            return value
        return self._seen.setdefault(encoded, value)
