"""botocore's parameter validation, compiled per input shape, for the types JSON takes as they are.

botocore validates every call's parameters (`validate.ParamValidator`) by a
generic walk of the input shape, then serialises them by another
(`serialize.JSONSerializer`). For strings, integers, booleans, lists, maps and
structures whose members keep their names, the serialiser writes the value as
it is, so `json.dumps(params)` is botocore's body. `compile_input` turns an
input shape into one check that passes exactly when botocore's validator would
find no error (required members present, no unknown member, the type of each
value, each `min`) and the shape has only those types; any other case (a
timestamp, a blob, a float, a document, a renamed member...) fails the check,
and the read goes through botocore, which validates and raises as it does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

Check = Callable[[Any], bool]
"""Whether a parameter value passes botocore's validation and is dumped as it is."""


def compile_input(shape: Shape | None) -> Check:
    """The check of the parameters of an operation whose input shape is `shape`."""
    if shape is None:  # botocore then validates nothing and sends "{}"
        return lambda params: params == {}
    return _Checks().of(shape)


def _never(_: Any) -> bool:
    return False


class _Checks:
    """Compiles the checks of one input shape. A shape met again inside itself
    (recursion) gets a check that looks its own up by name when called."""

    def __init__(self) -> None:
        self.done: dict[str, Check] = {}

    def of(self, shape: Shape) -> Check:
        name = shape.name
        if name in self.done:
            return self.done[name]

        def recursive(value: Any) -> bool:
            return self.done[name](value)

        self.done[name] = recursive
        check = self._make(shape)
        self.done[name] = check
        return check

    def _make(self, shape: Shape) -> Check:
        least: int | None = shape.metadata.get("min")
        if isinstance(shape, StructureShape):
            return self._structure(shape)
        if isinstance(shape, ListShape):
            return _list(self.of(shape.member), least)
        if isinstance(shape, MapShape):
            return _map(self.of(shape.key), self.of(shape.value))
        scalar = _SCALARS.get(shape.type_name)
        # timestamps, blobs, floats: botocore converts them; leave those to botocore
        return _never if scalar is None else scalar(least)

    def _structure(self, shape: StructureShape) -> Check:
        if shape.is_document_type or shape.is_tagged_union:
            return _never
        members: dict[str, Check] = {}
        for member, ref in shape.members.items():
            traits = ref.serialization
            if traits.get("name", member) != member or traits.get("location"):
                return _never  # botocore renames or moves it
            if traits.get("hostLabel") or ref.metadata.get("idempotencyToken"):
                return _never
            members[member] = self.of(ref)
        required = tuple(shape.metadata.get("required", ()))

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return False
            for member in required:
                if member not in value:
                    return False
            for member, item in value.items():
                inner = members.get(member)
                if inner is None or not inner(item):
                    return False
            return True

        return check


def _string(least: int | None) -> Check:
    if least is None:
        return lambda value: isinstance(value, str)
    return lambda value: isinstance(value, str) and len(value) >= least


def _integer(least: int | None) -> Check:
    """botocore's type check is `isinstance(value, int)`: a bool passes, and is dumped
    as `true`/`false` on both paths."""
    if least is None:
        return lambda value: isinstance(value, int)
    return lambda value: isinstance(value, int) and value >= least


def _boolean(_: int | None) -> Check:
    return lambda value: isinstance(value, bool)


_SCALARS: dict[str, Callable[[int | None], Check]] = {
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "boolean": _boolean,
}


def _list(member: Check, least: int | None) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, (list, tuple)):
            return False
        if least is not None and len(value) < least:
            return False
        return all(member(item) for item in value)

    return check


def _map(key: Check, value_check: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        return all(key(k) and value_check(v) for k, v in value.items())

    return check
