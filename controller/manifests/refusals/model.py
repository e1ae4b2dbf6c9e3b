"""The constraints of botocore's service model, checked on any request.

The data is generated (`controller/manifests/specs/constraints.py`, by
tools/gen_constraints.py); this module only walks a request along it. botocore
itself checks some of it in the client (`min`, types, required members), AWS
checks all of it ("1 validation error detected: Value ... at 'repositoryName'
failed to satisfy constraint: Member must satisfy regular expression pattern",
the ValidationException text of every AWS JSON API). Five families, each one
rule id: lengths of strings, sizes of lists and maps, ranges of numbers,
patterns and enums. Values are not echoed: a pattern failure may be a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from controller.manifests.refusals.base import Path, Refusal
from controller.manifests.specs import constraints
from controller.manifests.specs.constraints import Shape

LENGTH, SIZE, RANGE, PATTERN, ENUM = (
    "model-length",
    "model-size",
    "model-range",
    "model-pattern",
    "model-enum",
)
FAMILIES = {
    LENGTH: "a string longer or shorter than botocore's model allows",
    SIZE: "a list or map with more or fewer items than botocore's model allows",
    RANGE: "a number outside botocore's model's min/max",
    PATTERN: "a string that does not match botocore's model's pattern",
    ENUM: "a value that is not one of botocore's model's enum values",
}
"""The generated rule families, by id."""


def check(operation: str, request: Mapping[str, Any]) -> list[Refusal]:
    """Every model constraint `request` breaks; [] for an operation without constraints."""
    key = constraints.OPERATIONS.get(operation)
    if key is None:
        return []
    return list(_walk(key, request, ()))


def _walk(key: str, value: Any, path: Path) -> Iterator[Refusal]:
    shape = constraints.SHAPES[key]
    yield from _limits(shape, value, path)
    if shape.members and isinstance(value, Mapping):
        for name, child in shape.members:
            if value.get(name) is not None:
                yield from _walk(child, value[name], (*path, name))
    elif shape.member and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(shape.member, item, (*path, index))
    elif isinstance(value, Mapping):
        for name, item in value.items():
            if shape.key is not None:
                yield from _walk(shape.key, name, (*path, name))
            if shape.value is not None:
                yield from _walk(shape.value, item, (*path, name))


def _limits(shape: Shape, value: Any, path: Path) -> Iterator[Refusal]:
    if isinstance(value, str):
        yield from _bounds(LENGTH, "characters long", shape, len(value), path)
        if shape.pattern is not None and not _regex(shape.pattern).fullmatch(value):
            message = f"must match AWS's pattern {shape.pattern}; it does not"
            yield Refusal(path, PATTERN, message)
        if shape.enum and value not in shape.enum:
            message = f"must be one of {', '.join(shape.enum)}"
            yield Refusal(path, ENUM, message)
    elif isinstance(value, list | Mapping):
        yield from _bounds(SIZE, "items", shape, len(value), path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield from _bounds(RANGE, "", shape, value, path)


def _bounds(rule: str, unit: str, shape: Shape, measured: float, path: Path) -> Iterator[Refusal]:
    low, high = shape.min, shape.max
    if (low is None or measured >= low) and (high is None or measured <= high):
        return
    if low is not None and high is not None:
        limit = f"between {low} and {high}"
    elif low is not None:
        limit = f"at least {low}"
    else:
        limit = f"at most {high}"
    what = f"{limit} {unit}".strip()
    got = f"{measured:g} {unit}".strip()
    yield Refusal(path, rule, f"must be {what} (AWS's model limit); it is {got}")


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(constraints.PYTHON_PATTERNS.get(pattern, pattern))
