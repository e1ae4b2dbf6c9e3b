"""The work queue: deduplication, in-flight exclusivity, per-key backoff."""

from __future__ import annotations

import threading
import time

from controller.daemon.queue import Backoff, WorkQueue


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_duplicate_keys_are_one_item() -> None:
    """Fifty adds of one key before processing hand it out once."""
    queue: WorkQueue[str] = WorkQueue()
    for _ in range(50):
        queue.add("Service/prod/web")
    queue.add("Cluster/prod")
    assert queue.get_batch(timeout=0) == ["Service/prod/web", "Cluster/prod"]
    assert queue.get_batch(timeout=0) == []


def test_key_added_while_processing_comes_back_once_after_done() -> None:
    """A key re-added during its reconcile is not handed out until done, then exactly once."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    assert queue.get_batch(timeout=0) == ["a"]
    queue.add("a")
    queue.add("a")
    assert queue.get_batch(timeout=0) == []
    queue.done("a")
    assert queue.get_batch(timeout=0) == ["a"]


def test_a_batch_holds_every_ready_key_in_order() -> None:
    """get_batch hands out every ready key at once, so that one pass reads them together."""
    queue: WorkQueue[int] = WorkQueue()
    for i in range(5000):
        queue.add(i)
    assert queue.get_batch(timeout=0) == list(range(5000))
    assert queue.get_batch(timeout=0) == []


def test_failures_back_off_exponentially_and_success_resets() -> None:
    """Each failure doubles the delay ceiling; forget() starts again from the base."""
    clock = FakeClock()
    queue: WorkQueue[str] = WorkQueue(Backoff(base=1.0, factor=2.0, maximum=8.0), clock=clock)
    delays = [queue.add_rate_limited("k") for _ in range(5)]
    ceilings = [1.0, 2.0, 4.0, 8.0, 8.0]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert queue.failures("k") == 5
    queue.forget("k")
    assert queue.failures("k") == 0
    assert queue.add_rate_limited("k") <= 1.0


def test_forget_all_resets_only_the_keys_named() -> None:
    """forget_all() resets the backoff of each key it names, and of no other."""
    queue: WorkQueue[str] = WorkQueue(clock=FakeClock())
    for key in ("a", "b", "c"):
        queue.add_rate_limited(key)
    queue.forget_all(["a", "c", "never-failed"])
    assert [queue.failures(k) for k in ("a", "b", "c")] == [0, 1, 0]


def test_delayed_key_is_not_ready_before_its_time() -> None:
    """add_after holds a key until its delay has passed."""
    clock = FakeClock()
    queue: WorkQueue[str] = WorkQueue(clock=clock)
    queue.add_after("k", 10)
    assert queue.get_batch(timeout=0) == []
    clock.now += 10
    assert queue.get_batch(timeout=0) == ["k"]


def test_get_batch_wakes_up_for_a_key_added_from_another_thread() -> None:
    """A blocked get_batch returns as soon as another thread adds a key."""
    queue: WorkQueue[str] = WorkQueue()
    threading.Timer(0.05, queue.add, args=("k",)).start()
    started = time.monotonic()
    assert queue.get_batch(timeout=5) == ["k"]
    assert time.monotonic() - started < 2


def test_shutdown_releases_waiters() -> None:
    """shutdown() makes a blocked get_batch return empty at once."""
    queue: WorkQueue[str] = WorkQueue()
    threading.Timer(0.05, queue.shutdown).start()
    started = time.monotonic()
    assert queue.get_batch() == []
    assert time.monotonic() - started < 2
    queue.add("ignored")
    assert len(queue) == 0
