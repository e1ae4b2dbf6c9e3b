"""Task definition revisions by ARN.

A revision's content never changes once registered, so a described revision
is kept for as long as it stays active. ecsync's own tags on a revision are
set at registration and not rewritten, so they are cached with it. Only what a
plan compares is kept: the members RegisterTaskDefinition takes, not what ECS
adds to describe a revision (its ARN, status, compatibilities, required
attributes, registration time and principal), since a daemon keeps one entry
per active revision of every family it manages.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Revision:
    """One described task definition revision."""

    arn: str
    family: str
    number: int
    content: str
    """DescribeTaskDefinition's `taskDefinition` as compact JSON, only the members
    RegisterTaskDefinition takes, `family` left out: one string, a tenth of the memory
    the same members take as Python objects (see `spec`)."""
    tags: dict[str, str]

    @classmethod
    def of(
        cls, arn: str, family: str, number: int, spec: dict[str, Any], tags: dict[str, str]
    ) -> Revision:
        return cls(arn, family, number, json.dumps(spec, separators=(",", ":")), tags)

    @property
    def spec(self) -> dict[str, Any]:
        """The members RegisterTaskDefinition takes, a fresh copy on every call."""
        spec: dict[str, Any] = json.loads(self.content)
        return spec


class TaskDefinitionCache:
    """Thread-safe ARN -> `Revision` map; a warm cache makes no DescribeTaskDefinition call."""

    def __init__(self) -> None:
        self._revisions: dict[str, Revision] = {}
        self._by_family: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self.account_revisions: int | None = None
        """How many ACTIVE revisions the last account-wide listing found (None: not listed
        yet); `taskdefs` weighs one listing per family against it."""

    def get(self, arn: str) -> Revision | None:
        with self._lock:
            return self._revisions.get(arn)

    def put(self, revision: Revision) -> None:
        with self._lock:
            self._revisions[revision.arn] = revision
            self._by_family.setdefault(revision.family, set()).add(revision.arn)

    def discard(self, arn: str) -> None:
        with self._lock:
            revision = self._revisions.pop(arn, None)
            if revision is not None:
                self._by_family[revision.family].discard(arn)

    def retain(self, arns: Iterable[str]) -> None:
        """Forget every revision not in `arns` (the active ones), so the cache stays bounded."""
        keep = set(arns)
        with self._lock:
            self._revisions = {a: r for a, r in self._revisions.items() if a in keep}
            self._by_family = {}
            for arn, revision in self._revisions.items():
                self._by_family.setdefault(revision.family, set()).add(arn)
            self.account_revisions = len(keep)

    def retain_family(self, family: str, arns: Iterable[str]) -> None:
        """Forget every revision of `family` not in `arns` (its active ones)."""
        keep = set(arns)
        with self._lock:
            cached = self._by_family.get(family, set())
            for arn in cached - keep:
                del self._revisions[arn]
            cached &= keep

    def __len__(self) -> int:
        with self._lock:
            return len(self._revisions)
