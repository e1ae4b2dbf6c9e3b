"""Leader election: the state machine over a fake lease store and a fake clock."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace

import pytest
from structlog.testing import capture_logs

from controller.aws.errors import TransientAwsError
from controller.aws.leases import Lease
from controller.daemon.leader import Elector, State, Timing

TIMING = Timing(duration=15.0, renew_deadline=10.0, retry_period=2.0)
NAME = "ecsync-ecsync"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeStore:
    """One lease, with DynamoDB's conditional-write rules; `down` makes every call fail."""

    def __init__(self) -> None:
        self.lease: Lease | None = None
        self.down = False
        self.writes: list[str] = []
        self._versions = (f"v{n}" for n in itertools.count(1))

    def _check(self) -> None:
        if self.down:
            raise TransientAwsError("GetItem", NAME, "ServiceUnavailable", "down")

    def read(self, name: str) -> Lease | None:
        self._check()
        return self.lease

    def acquire(self, name: str, holder: str, duration: float, seen: Lease | None) -> Lease | None:
        self._check()
        current = self.lease.version if self.lease else None
        if current != (seen.version if seen else None):
            return None
        transitions = 0 if seen is None else seen.transitions + (seen.holder != holder)
        self.lease = Lease(name, holder, next(self._versions), duration, transitions)
        self.writes.append(f"acquire:{holder}")
        return self.lease

    def renew(self, lease: Lease) -> Lease | None:
        self._check()
        if self.lease is None or (self.lease.holder, self.lease.version) != (
            lease.holder,
            lease.version,
        ):
            return None
        self.lease = replace(lease, version=next(self._versions))
        self.writes.append(f"renew:{lease.holder}")
        return self.lease

    def release(self, lease: Lease) -> bool:
        self._check()
        if self.lease is None or self.lease.version != lease.version:
            return False
        self.lease = replace(lease, holder=None, version=next(self._versions))
        self.writes.append(f"release:{lease.holder}")
        return True

    @property
    def holder(self) -> str | None:
        return self.lease.holder if self.lease else None

    def take(self, holder: str) -> None:
        """Another replica writes the lease behind our back."""
        seen = self.lease
        transitions = seen.transitions + 1 if seen else 0
        self.lease = Lease(NAME, holder, next(self._versions), TIMING.duration, transitions)


def elector(
    store: FakeStore, clock: Clock, identity: str = "a", changes: list[State] | None = None
) -> Elector:
    return Elector(
        store,
        NAME,
        identity,
        TIMING,
        clock=clock,
        jitter=lambda: 1.0,
        on_change=changes.append if changes is not None else None,
    )


def test_first_replica_acquires_an_absent_lease() -> None:
    """With no lease item, one round takes the lease, opens the gate and reports the change."""
    store, clock = FakeStore(), Clock()
    changes: list[State] = []
    a = elector(store, clock, changes=changes)
    with capture_logs() as logs:
        a.tick()
    assert a.is_leader()
    assert store.holder == "a"
    assert changes == [State("a", leading=True, holder="a")]
    assert [e["event"] for e in logs] == ["leader_acquired"]
    assert logs[0]["transitions"] == 0


def test_leader_renews_and_stays_leader() -> None:
    """Each renew extends validity to send time + renew deadline; the gate stays open."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    a.tick()
    for _ in range(10):
        clock.advance(TIMING.retry_period)
        a.tick()
        assert a.is_leader()
    assert store.writes.count("renew:a") == 10


def test_standby_observes_and_does_not_take_a_live_lease() -> None:
    """A standby logs the holder it sees and never takes a lease whose version keeps changing."""
    store, clock = FakeStore(), Clock()
    changes: list[State] = []
    a = elector(store, clock)
    b = elector(store, clock, "b", changes)
    a.tick()
    with capture_logs() as logs:
        for _ in range(20):
            b.tick()
            clock.advance(TIMING.retry_period)
            a.tick()
    assert not b.is_leader()
    assert a.is_leader()
    assert [e["event"] for e in logs].count("leader_observed") == 1
    assert next(e for e in logs if e["event"] == "leader_observed")["holder"] == "a"
    assert changes == [State("b", leading=False, holder="a")]


def test_standby_takes_over_after_seeing_the_same_version_for_a_lease_duration() -> None:
    """Takeover needs the version unchanged for the whole lease duration on the standby's clock."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    b = elector(store, clock, "b")
    a.tick()
    b.tick()  # first sight of this version
    clock.advance(TIMING.duration - 0.1)
    b.tick()
    assert not b.is_leader()
    clock.advance(0.1)
    with capture_logs() as logs:
        b.tick()
    assert b.is_leader()
    assert store.holder == "b"
    assert store.lease is not None
    assert store.lease.transitions == 1
    acquired = next(e for e in logs if e["event"] == "leader_acquired")
    assert acquired["previous"] == "a"


def test_a_version_change_restarts_the_standbys_wait() -> None:
    """Seeing a new version (the leader renewed) restarts the full-duration wait."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    b = elector(store, clock, "b")
    a.tick()
    b.tick()
    clock.advance(TIMING.duration - 1)
    a.tick()  # renews: new version
    b.tick()
    clock.advance(TIMING.duration - 1)
    b.tick()
    assert not b.is_leader()
    clock.advance(1)
    b.tick()
    assert b.is_leader()


def test_stored_expiry_is_not_trusted_across_clocks() -> None:
    """A standby that first sees a lease waits a full duration, whatever the holder's clock said."""
    store, clock = FakeStore(), Clock()
    store.take("dead-replica")  # written long ago, by a clock we cannot compare with
    b = elector(store, clock, "b")
    b.tick()
    assert not b.is_leader()
    clock.advance(TIMING.duration)
    b.tick()
    assert b.is_leader()


def test_lost_lease_closes_the_gate_before_the_renew_loop_runs() -> None:
    """A leader whose last renew is older than the renew deadline is not leader, with no round run."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    a.tick()
    clock.advance(TIMING.renew_deadline - 0.01)
    assert a.is_leader()
    clock.advance(0.02)  # e.g. the process was stopped: no tick ran
    assert not a.is_leader()


def test_validity_counts_from_when_the_renew_was_sent() -> None:
    """A renew whose answer comes late extends validity from the send time, not the answer's."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    a.tick()
    slow = store.renew

    def renew_slowly(lease: Lease) -> Lease | None:
        clock.advance(4.0)  # the request took 4 s
        return slow(lease)

    store.renew = renew_slowly  # type: ignore[method-assign]
    sent = clock.now
    a.tick()
    clock.now = sent + TIMING.renew_deadline - 0.01
    assert a.is_leader()
    clock.now = sent + TIMING.renew_deadline
    assert not a.is_leader()


def test_renew_failures_end_leadership_at_the_deadline() -> None:
    """While the store is unreachable the leader keeps its gate until the deadline, then loses it."""
    store, clock = FakeStore(), Clock()
    changes: list[State] = []
    a = elector(store, clock, changes=changes)
    a.tick()
    store.down = True
    with capture_logs() as logs:
        for _ in range(4):
            clock.advance(TIMING.retry_period)
            a.tick()
            assert a.is_leader()
        clock.advance(TIMING.retry_period)
        a.tick()
    assert not a.is_leader()
    lost = [e for e in logs if e["event"] == "leader_lost"]
    assert len(lost) == 1
    assert "ran out" in lost[0]["reason"]
    assert changes[-1] == State("a", leading=False, holder=None)


def test_a_paused_leader_whose_lease_was_taken_becomes_standby() -> None:
    """After a pause longer than the lease, the old leader finds the new holder and stays out."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    b = elector(store, clock, "b")
    a.tick()
    b.tick()
    clock.advance(TIMING.duration)  # `a` is stopped all this time
    b.tick()
    assert b.is_leader()
    assert not a.is_leader()  # the gate is shut before `a` runs a round
    with capture_logs() as logs:
        a.tick()
    assert not a.is_leader()
    assert [e["event"] for e in logs] == ["leader_lost", "leader_observed"]
    assert a.state() == State("a", leading=False, holder="b")
    assert store.writes.count("acquire:a") == 1


def test_renew_that_finds_another_holder_loses_at_once() -> None:
    """A renew rejected by its condition (someone else wrote the lease) ends leadership now."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    a.tick()
    store.take("intruder")
    with capture_logs() as logs:
        a.tick()
    assert not a.is_leader()
    assert [e["event"] for e in logs] == ["leader_lost"]


def test_a_leader_that_expired_unopposed_takes_its_own_lease_back() -> None:
    """When nobody took the lease meanwhile, the woken leader's conditional write wins it back."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    a.tick()
    clock.advance(TIMING.duration * 2)
    assert not a.is_leader()
    with capture_logs() as logs:
        a.tick()
    assert a.is_leader()
    assert [e["event"] for e in logs] == ["leader_lost", "leader_acquired"]


def test_two_standbys_race_and_one_wins() -> None:
    """Two standbys that may both take over: the conditional write lets exactly one win."""
    store, clock = FakeStore(), Clock()
    store.take("dead")
    b, c = elector(store, clock, "b"), elector(store, clock, "c")
    b.tick()
    c.tick()
    clock.advance(TIMING.duration)
    seen = store.read(NAME)
    real_read = store.read
    store.read = lambda name: seen  # type: ignore[method-assign]  # both read before either writes
    b.tick()
    c.tick()
    store.read = real_read  # type: ignore[method-assign]
    assert [b.is_leader(), c.is_leader()] == [True, False]
    assert store.holder == "b"


def test_release_on_stop_closes_the_gate_and_frees_the_lease() -> None:
    """stop() shuts the gate first, then releases, so a standby takes over in one round."""
    store, clock = FakeStore(), Clock()
    changes: list[State] = []
    a = elector(store, clock, changes=changes)
    b = elector(store, clock, "b")
    a.tick()
    b.tick()
    with capture_logs() as logs:
        a.stop()
    assert not a.is_leader()
    assert changes[-1] == State("a", leading=False, holder=None)
    assert [e["event"] for e in logs] == ["leader_released"]
    assert store.holder is None
    b.tick()
    assert b.is_leader()


def test_a_standby_stops_without_writing() -> None:
    """stop() on a replica that does not lead releases nothing."""
    store, clock = FakeStore(), Clock()
    a = elector(store, clock)
    b = elector(store, clock, "b")
    a.tick()
    b.tick()
    b.stop()
    assert store.writes == ["acquire:a"]


def test_thread_runs_rounds_and_stops() -> None:
    """start() leads at once when the lease is free; the thread renews until stop()."""
    store = FakeStore()
    a = Elector(store, NAME, "a", Timing(duration=0.3, renew_deadline=0.2, retry_period=0.01))
    a.start()
    try:
        assert a.is_leader()
        for _ in range(200):
            if store.writes.count("renew:a") >= 3:
                break
            time.sleep(0.01)
        assert store.writes.count("renew:a") >= 3
    finally:
        a.stop()
    assert store.writes[-1] == "release:a"


@pytest.mark.parametrize(
    ("duration", "renew", "retry"),
    [(10.0, 10.0, 2.0), (15.0, 10.0, 10.0), (15.0, 10.0, 0.0), (5.0, 10.0, 2.0)],
)
def test_inconsistent_timings_are_refused(duration: float, renew: float, retry: float) -> None:
    """duration > renew deadline > retry period > 0, or a ValueError that names them."""
    with pytest.raises(ValueError, match="duration > renew deadline > retry period"):
        Timing(duration, renew, retry)
