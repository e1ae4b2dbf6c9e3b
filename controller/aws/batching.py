"""Splitting names into AWS-sized batches, and naming a batch in errors and logs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

DESCRIBE_SERVICES = 10
DESCRIBE_CLUSTERS = 100
DESCRIBE_CAPACITY_PROVIDERS = 100
DESCRIBE_REPOSITORIES = 100


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive lists of at most `size` (itertools.batched is 3.12+)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def label(prefix: str, names: Sequence[str]) -> str:
    """`Service/prod/web`, or `Service/prod/web (+9 more)` for a batch."""
    if not names:
        return ""
    more = f" (+{len(names) - 1} more)" if len(names) > 1 else ""
    return f"{prefix}/{names[0]}{more}"
