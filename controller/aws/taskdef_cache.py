"""Task definition revisions by ARN.

A revision's content never changes once registered, so a described revision
is kept for as long as it stays active. ecsync's own tags on a revision are
set at registration and not rewritten, so they are cached with it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Revision:
    """One described task definition revision."""

    arn: str
    family: str
    number: int
    definition: dict[str, Any]
    """DescribeTaskDefinition's `taskDefinition`, as AWS returned it."""
    tags: dict[str, str]


class TaskDefinitionCache:
    """Thread-safe ARN -> `Revision` map; a warm cache makes no DescribeTaskDefinition call."""

    def __init__(self) -> None:
        self._revisions: dict[str, Revision] = {}
        self._lock = threading.Lock()

    def get(self, arn: str) -> Revision | None:
        with self._lock:
            return self._revisions.get(arn)

    def put(self, revision: Revision) -> None:
        with self._lock:
            self._revisions[revision.arn] = revision

    def discard(self, arn: str) -> None:
        with self._lock:
            self._revisions.pop(arn, None)

    def retain(self, arns: Iterable[str]) -> None:
        """Forget every revision not in `arns` (the active ones), so the cache stays bounded."""
        keep = set(arns)
        with self._lock:
            self._revisions = {a: r for a, r in self._revisions.items() if a in keep}

    def __len__(self) -> int:
        with self._lock:
            return len(self._revisions)
