"""Leader election over a lease, in the manner of client-go's leaderelection.

One replica leads and writes; the others read, report and wait. The lease
store (`aws.leases`) only ever writes conditionally, so two replicas can
never both believe they won the same version of the lease.

Rules, all timed by this replica's own clock (`boot_clock`, which keeps counting
while the process is stopped and, on Linux, while the machine sleeps):

- **Acquire.** A standby takes the lease when there is none, when it was
  released, or when it has seen the *same version* of it, unchanged, for
  the holder's whole lease duration (client-go's `observedTime`). The
  stored expiry is never compared with our clock: the replicas' clocks need
  not agree.
- **Renew.** The leader renews every retry period. Every successful write
  (acquire or renew) keeps the lease valid until the time the write was
  *sent* plus the renew deadline.
- **Fence.** `is_leader()` is false the moment that validity runs out, even
  if the renew loop has not run since (a process that was paused, a loop
  stuck on a slow call). The daemon sets it as the `Aws.write_gate`, so every
  ECS/ECR write asks it before each attempt.
- **Why that is safe.** A standby takes over at least one lease duration
  after it first saw the holder's last version, so after that version was
  sent; by then the holder's validity (sent + renew deadline) has run out.
  The gap between lease duration and renew deadline is the margin for clocks
  that run at slightly different rates and for a write already on the wire.
- **Release.** On shutdown the leader closes its gate, then releases the
  lease, so a standby takes over within one retry period.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import structlog

from controller.aws.errors import AwsError
from controller.aws.leases import Lease

log = structlog.get_logger()

JITTER = 1.2
"""A standby's retry period is stretched by up to this factor, so standbys do not move in step."""


def boot_clock() -> float:
    """Seconds on a clock that never jumps, and that counts while the process is stopped.

    CLOCK_BOOTTIME also counts while the machine is suspended, which
    CLOCK_MONOTONIC does not on Linux: a leader that wakes up from a suspend
    must see that its lease ran out.
    """
    if hasattr(time, "CLOCK_BOOTTIME"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    return time.monotonic()


def default_identity() -> str:
    """This replica's name in the lease: host name, process id and a random suffix."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Timing:
    """Seconds; the defaults are controller-runtime's."""

    duration: float = 15.0
    """How long a standby waits, seeing the lease unchanged, before it takes over."""
    renew_deadline: float = 10.0
    """How long the leader's writes stay allowed after its last successful renew was sent."""
    retry_period: float = 2.0
    """How often the leader renews, and a standby looks at the lease."""

    def __post_init__(self) -> None:
        if not self.duration > self.renew_deadline > self.retry_period > 0:
            raise ValueError(
                "lease timings must satisfy duration > renew deadline > retry period > 0, not "
                f"{self.duration:g}s > {self.renew_deadline:g}s > {self.retry_period:g}s"
            )


class LeaseStore(Protocol):
    """What the election needs of a lease store (`aws.leases.LeaseTable`)."""

    def read(self, name: str) -> Lease | None: ...

    def acquire(
        self, name: str, holder: str, duration: float, seen: Lease | None
    ) -> Lease | None: ...

    def renew(self, lease: Lease) -> Lease | None: ...

    def release(self, lease: Lease) -> bool: ...


@dataclass(frozen=True)
class State:
    """Who leads, as this replica knows it."""

    identity: str
    """This replica."""
    leading: bool
    holder: str | None
    """The replica holding the lease when last seen; None when nobody (or not known yet)."""


class Elector:
    """Runs the election for one lease on a thread of its own.

    `on_change` is called (from that thread) whenever `leading` or the holder
    changes; `after_round` after every round.
    """

    def __init__(
        self,
        store: LeaseStore,
        name: str,
        identity: str,
        timing: Timing | None = None,
        *,
        on_change: Callable[[State], None] | None = None,
        after_round: Callable[[], None] | None = None,
        clock: Callable[[], float] = boot_clock,
        jitter: Callable[[], float] = lambda: random.uniform(1.0, JITTER),  # noqa: S311
    ) -> None:
        self.store = store
        self.name = name
        self.identity = identity
        self.timing = timing or Timing()
        self._on_change = on_change
        self._after_round = after_round
        self._clock = clock
        self._jitter = jitter
        self._lock = threading.Lock()
        self._lease: Lease | None = None
        """What this replica last wrote, while it leads."""
        self._leading = False
        self._valid_until = 0.0
        self._holder: str | None = None
        self._seen_version: str | None = None
        self._seen_at = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="leader-election", daemon=True)

    # -- what the daemon asks ----------------------------------------------
    def is_leader(self) -> bool:
        """The fencing check: this replica holds the lease and its validity has not run out."""
        with self._lock:
            return self._leading and self._clock() < self._valid_until

    def state(self) -> State:
        with self._lock:
            return State(self.identity, self._leading, self._holder)

    # -- the loop ----------------------------------------------------------
    def start(self) -> None:
        """Run the first round now (so a lone replica leads from its first pass), then loop."""
        self._round()
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop; a leader closes its gate, then releases the lease."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            lease = self._lease if self._leading else None
            self._leading, self._lease = False, None
            if lease is not None:
                self._holder = None
        if lease is None:
            return
        self._changed()
        try:
            released = self.store.release(lease)
        except AwsError as error:
            log.warning("leader_release_failed", identity=self.identity, error=str(error))
            return
        if released:
            log.info("leader_released", identity=self.identity, lease=self.name)

    def tick(self) -> None:
        """One round: renew while leading, else look at the lease and maybe take it."""
        with self._lock:
            leading, expired = self._leading, self._clock() >= self._valid_until
        if leading and expired:
            self._lose("the lease ran out before it was renewed")
            leading = False
        if leading:
            self._renew()
        else:
            self._try_acquire()

    def _loop(self) -> None:
        while not self._stop.wait(self._delay()):
            self._round()

    def _round(self) -> None:
        try:
            self.tick()
        except Exception:  # a bug here must not end the election silently
            log.exception("leader_election_error", identity=self.identity, lease=self.name)
        if self._after_round is not None:
            self._after_round()

    def _delay(self) -> float:
        with self._lock:
            leading = self._leading
        period = self.timing.retry_period
        return period if leading else period * self._jitter()

    # -- the rules ---------------------------------------------------------
    def _renew(self) -> None:
        with self._lock:
            lease = self._lease
        assert lease is not None
        sent = self._clock()
        try:
            renewed = self.store.renew(lease)
        except AwsError:
            return  # logged by `calls`; the validity runs out unless a later try succeeds
        if renewed is None:
            self._lose("the lease changed since this replica last wrote it")
            return
        with self._lock:
            if self._leading:
                self._lease, self._valid_until = renewed, sent + self.timing.renew_deadline

    def _try_acquire(self) -> None:
        now = self._clock()
        try:
            seen = self.store.read(self.name)
        except AwsError:
            return
        self._observe(seen, now)
        if not self._may_take(seen, now):
            return
        sent = self._clock()
        try:
            won = self.store.acquire(self.name, self.identity, self.timing.duration, seen)
        except AwsError:
            return
        if won is None:
            return  # another standby wrote first; the next round observes it
        with self._lock:
            self._lease, self._leading = won, True
            self._valid_until = sent + self.timing.renew_deadline
            self._holder = self.identity
            self._seen_version, self._seen_at = won.version, sent
        log.info(
            "leader_acquired",
            identity=self.identity,
            lease=self.name,
            previous=seen.holder if seen else None,
            transitions=won.transitions,
        )
        self._changed()

    def _observe(self, seen: Lease | None, now: float) -> None:
        """Note the version seen (and since when), and log a new holder."""
        version = seen.version if seen else None
        holder = seen.holder if seen else None
        with self._lock:
            if version != self._seen_version:
                self._seen_version, self._seen_at = version, now
            changed, self._holder = holder != self._holder, holder
        if not changed:
            return
        if holder is not None and holder != self.identity:
            log.info("leader_observed", identity=self.identity, lease=self.name, holder=holder)
        self._changed()

    def _may_take(self, seen: Lease | None, now: float) -> bool:
        if seen is None or seen.holder is None or seen.holder == self.identity:
            return True
        duration = seen.duration if seen.duration > 0 else self.timing.duration
        with self._lock:
            return now - self._seen_at >= duration

    def _lose(self, reason: str) -> None:
        with self._lock:
            if not self._leading:
                return
            self._leading, self._lease, self._holder = False, None, None
            self._seen_version = None
        log.warning("leader_lost", identity=self.identity, lease=self.name, reason=reason)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.state())
