"""Drift memory: what converged, which alerts were sent, and who keeps fighting.

Pure bookkeeping with an injectable clock, so each rule is tested directly:
- a difference on a resource whose manifests did not change since it last
  converged is drift (a new commit is a sync, not drift);
- in alert-only mode the same drift is logged again only when it changes, or
  when the re-alert interval has passed;
- the same drift corrected `flap_count` times within `flap_window` means some
  other system keeps writing: stop fighting and back off.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from controller.core.kinds import ResourceId
from controller.diff.compare import FieldChange


@dataclass(frozen=True)
class DriftPolicy:
    realert: float = 3600.0
    flap_count: int = 3
    flap_window: float = 600.0


def signature(changes: Sequence[FieldChange]) -> str:
    """Identity of one drift: which fields, with which values."""
    encoded = json.dumps([c.to_dict() for c in changes], sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


@dataclass
class _Memory:
    converged: str | None = None
    alerted: str | None = None
    alerted_at: float = 0.0
    corrections: deque[tuple[float, str]] = field(default_factory=deque)


class DriftTracker:
    def __init__(
        self, policy: DriftPolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._policy = policy or DriftPolicy()
        self._clock = clock
        self._memory: dict[ResourceId, _Memory] = {}

    def converged(self, rid: ResourceId, fingerprint: str) -> None:
        """`rid` now matches manifests whose fingerprint is `fingerprint`."""
        memory = self._memory.setdefault(rid, _Memory())
        memory.converged = fingerprint
        memory.alerted = None

    def is_drift(self, rid: ResourceId, fingerprint: str) -> bool:
        """True when the manifests did not change since `rid` last converged."""
        memory = self._memory.get(rid)
        return memory is not None and memory.converged == fingerprint

    def should_alert(self, rid: ResourceId, drift: str) -> bool:
        """Alert-only: is this drift new, changed, or due for a reminder?"""
        memory = self._memory.setdefault(rid, _Memory())
        now = self._clock()
        if memory.alerted == drift and now - memory.alerted_at < self._policy.realert:
            return False
        memory.alerted, memory.alerted_at = drift, now
        return True

    def record_correction(self, rid: ResourceId, drift: str) -> bool:
        """Note a correction; True when the same drift keeps coming back (flapping)."""
        memory = self._memory.setdefault(rid, _Memory())
        now = self._clock()
        memory.corrections.append((now, drift))
        while memory.corrections and now - memory.corrections[0][0] > self._policy.flap_window:
            memory.corrections.popleft()
        same = sum(1 for _, seen in memory.corrections if seen == drift)
        return same >= self._policy.flap_count

    def forget(self, rid: ResourceId) -> None:
        self._memory.pop(rid, None)

    @property
    def flap_window(self) -> float:
        return self._policy.flap_window
