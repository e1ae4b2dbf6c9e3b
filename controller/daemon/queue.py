"""A work queue of resource keys, in the manner of client-go's workqueue.

- A key is only an identity: adding it twice before it is processed means
  one reconcile (a burst of 50 file events for one service is one pass).
- A key being processed is never handed out again until it is done; if it
  was added meanwhile it comes back once, after.
- Failures back off per key, exponentially with jitter; success resets.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Backoff:
    base: float = 1.0
    factor: float = 2.0
    maximum: float = 300.0

    def delay(self, failures: int) -> float:
        """Full-jitter exponential delay after `failures` consecutive failures."""
        ceiling = min(self.maximum, self.base * self.factor ** max(failures - 1, 0))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


class WorkQueue(Generic[K]):
    def __init__(
        self, backoff: Backoff | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._cond = threading.Condition()
        self._order: list[K] = []
        self._dirty: set[K] = set()
        self._processing: set[K] = set()
        self._delayed: list[tuple[float, int, K]] = []
        self._sequence = itertools.count()
        self._failures: dict[K, int] = {}
        self._closed = False

    def add(self, key: K) -> None:
        with self._cond:
            self._add_locked(key)

    def add_after(self, key: K, delay: float) -> None:
        """Add `key` once `delay` seconds have passed (requeue_after)."""
        if delay <= 0:
            self.add(key)
            return
        with self._cond:
            heapq.heappush(self._delayed, (self._clock() + delay, next(self._sequence), key))
            self._cond.notify_all()

    def add_rate_limited(self, key: K) -> float:
        """Requeue after a failure, backing off per key; returns the delay chosen."""
        with self._cond:
            failures = self._failures.get(key, 0) + 1
            self._failures[key] = failures
        delay = self._backoff.delay(failures)
        self.add_after(key, delay)
        return delay

    def forget(self, key: K) -> None:
        """Reset the key's backoff (after a success)."""
        self.forget_all((key,))

    def forget_all(self, keys: Iterable[K]) -> None:
        """Reset the backoff of each of `keys` (a pass's successes, under one lock)."""
        with self._cond:
            if self._failures:
                for key in keys:
                    self._failures.pop(key, None)

    def failures(self, key: K) -> int:
        with self._cond:
            return self._failures.get(key, 0)

    def get_batch(self, timeout: float | None = None) -> list[K]:
        """Block until keys are ready (or `timeout`/shutdown); hand out every ready key.

        All of them, in the order they were added: one pass then reads them in
        one batched read, rather than several passes each repeating the reads
        of the whole account.
        """
        deadline = None if timeout is None else self._clock() + timeout
        with self._cond:
            while True:
                self._promote_due_locked()
                if self._order or self._closed:
                    break
                if deadline is not None and self._clock() >= deadline:
                    return []
                self._cond.wait(self._next_wake_locked(deadline))
            batch, self._order = self._order, []
            for key in batch:
                self._dirty.discard(key)
                self._processing.add(key)
            return batch

    def done(self, key: K) -> None:
        with self._cond:
            self._processing.discard(key)
            if key in self._dirty:
                self._order.append(key)
                self._cond.notify_all()

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._order) + len(self._delayed)

    def _add_locked(self, key: K) -> None:
        if self._closed or key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._order.append(key)
            self._cond.notify_all()

    def _promote_due_locked(self) -> None:
        now = self._clock()
        while self._delayed and self._delayed[0][0] <= now:
            _, _, key = heapq.heappop(self._delayed)
            self._add_locked(key)

    def _next_wake_locked(self, deadline: float | None) -> float | None:
        now = self._clock()
        due = self._delayed[0][0] if self._delayed else None
        wakes = [t for t in (deadline, due) if t is not None]
        return max(min(wakes) - now, 0.0) if wakes else None
