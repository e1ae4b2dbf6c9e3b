"""Two real `ecsync run` replicas on one folder, electing a leader through DynamoDB (moto).

Each replica talks to moto through an `AwsProxy` of its own, so that every
request it sent, and when, is on record: "only the leader writes" is checked
on the wire, not only in the logs.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller.cli.status import fetch_status, render_status
from tests.support.awsproxy import AwsProxy, Fault, FaultPlan, is_write
from tests.support.daemon import Daemon, Event
from tests.support.shop import service, stack, write

TABLE = "ecsync-leases"
LEASE = ("--lease-duration", "3s", "--lease-renew", "2s")
"""Short leases; the retry period follows as 0.4 s (a fifth of the renew deadline)."""
WRITES = ("_created", "_updated", "_registered", "_replaced", "_deleted", "_deregistered")


@pytest.fixture
def lease_table(boto_client: Callable[[str], Any]) -> str:
    """The DynamoDB table the replicas hold their lease in, created empty."""
    boto_client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return TABLE


@pytest.fixture
def folder(tmp_path: Path, sandbox: local.Sandbox) -> Path:
    """The shop's manifests, which both replicas watch."""
    return write(tmp_path / "manifests", stack(sandbox))


class Replica:
    """One daemon and the proxy that records what it sent."""

    def __init__(self, name: str, daemon: Daemon, proxy: AwsProxy) -> None:
        self.name, self.daemon, self.proxy = name, daemon, proxy

    def write_events(self, since: int = 0) -> list[Event]:
        """The daemon's log events that report a write, from event `since` on."""
        return [e for e in self.daemon.events[since:] if str(e.get("event", "")).endswith(WRITES)]

    def ecs_writes(self, since: float = 0.0) -> list[str]:
        """ECS and ECR write requests that arrived after `since` (time.monotonic())."""
        return [
            r.operation
            for r in self.proxy.requests
            if r.service in ("ecs", "ecr") and is_write(r.operation) and r.started >= since
        ]

    def status(self) -> dict[str, Any]:
        """The daemon's /status document."""
        doc: dict[str, Any] = json.loads(self.daemon.get("/status")[1])
        return doc


@pytest.fixture
def start(
    moto_endpoint: str, tmp_path: Path, folder: Path, lease_table: str
) -> Iterator[Callable[..., Replica]]:
    """Starts replica NAME (`ecsync run` behind a proxy of its own) with more ARGS; every
    replica is woken, killed and its proxy stopped at the end."""
    started: list[Replica] = []

    def make(name: str, *args: str) -> Replica:
        proxy = AwsProxy(moto_endpoint, limits=False).start()
        daemon = Daemon(
            proxy.endpoint,
            [
                "--source",
                str(folder),
                "--leader-election-table",
                lease_table,
                "--leader-id",
                name,
                *LEASE,
                *args,
            ],
            tmp_path / f"cache-{name}",
        )
        replica = Replica(name, daemon, proxy)
        started.append(replica)
        return replica

    yield make
    for replica in started:
        if replica.daemon.process.poll() is None:
            replica.daemon.process.send_signal(signal.SIGCONT)
        replica.daemon.kill()
        replica.proxy.stop()


def pair(start: Callable[..., Replica]) -> tuple[Replica, Replica]:
    """Two replicas started together, once both are ready: (the leader, the standby)."""
    one, two = start("replica-a"), start("replica-b")
    deadline = time.monotonic() + 30
    while not (one.daemon.named("leader_acquired") or two.daemon.named("leader_acquired")):
        assert time.monotonic() < deadline, "no replica became the leader"
        time.sleep(0.05)
    leader, standby = (one, two) if one.daemon.named("leader_acquired") else (two, one)
    standby.daemon.wait_for("leader_observed", lambda e: e["holder"] == leader.name)
    leader.daemon.wait_http("/readyz")
    standby.daemon.wait_http("/readyz")
    return leader, standby


def test_only_the_leader_writes_and_status_shows_it(
    start: Callable[..., Replica], boto_client: Callable[[str], Any]
) -> None:
    """Of two replicas only the leader writes; both report it; SIGTERM hands over at once."""
    a, b = pair(start)
    a.daemon.wait_for("service_created")

    assert a.write_events()
    assert a.ecs_writes()
    assert not b.write_events()
    assert not b.ecs_writes()
    assert not b.daemon.named("leader_acquired")
    assert a.status()["leader"] == {"identity": a.name, "self": True, "replica": a.name}
    assert b.status()["leader"] == {"identity": a.name, "self": False, "replica": b.name}
    assert "ecsync_leader 1.0" in a.daemon.get("/metrics")[1].decode()
    assert "ecsync_leader 0.0" in b.daemon.get("/metrics")[1].decode()
    shown = render_status(fetch_status(b.daemon.url))  # what `ecsync status` prints
    assert f"leader:    {a.name}; this replica, {b.name}, is on standby" in shown.splitlines()

    stopping = time.monotonic()
    assert a.daemon.stop() == 0
    assert a.daemon.named("leader_released")
    acquired = b.daemon.wait_for("leader_acquired", timeout=5)
    assert acquired["previous"] is None  # taken because it was released, not because it lapsed
    assert time.monotonic() - stopping < 3.0
    assert b.status()["leader"]["self"] is True
    assert service(boto_client)["desiredCount"] == 2


def test_a_killed_leader_is_replaced_within_the_lease(
    start: Callable[..., Replica],
    folder: Path,
    sandbox: local.Sandbox,
    boto_client: Callable[[str], Any],
) -> None:
    """kill -9 of the leader: the standby takes over within the lease time and applies a change."""
    a, b = pair(start)

    a.daemon.kill()
    killed = time.monotonic()
    write(folder, {"web.yaml": stack(sandbox, count=3)["web.yaml"]})
    acquired = b.daemon.wait_for("leader_acquired", timeout=10)
    assert time.monotonic() - killed < 3.0 + 2.0  # the lease, one retry period and slack
    assert acquired["previous"] == a.name
    updated = b.daemon.wait_for("service_updated", timeout=10)
    assert updated["fields"] == [{"path": "/desiredCount", "desired": 3, "live": 2}]
    assert service(boto_client)["desiredCount"] == 3
    assert b.status()["leader"] == {"identity": b.name, "self": True, "replica": b.name}


def test_a_paused_leader_writes_nothing_after_it_wakes(
    start: Callable[..., Replica],
    folder: Path,
    sandbox: local.Sandbox,
    boto_client: Callable[[str], Any],
) -> None:
    """SIGSTOP past the lease, a change while stopped, SIGCONT: the old leader writes nothing."""
    a, b = pair(start)
    # The new leader's write lands 3 s late, so the woken replica still sees the change
    # as pending work when it looks: it must leave it alone.
    b.proxy.faults = FaultPlan(
        rate=1.0,
        kinds=(Fault.SLOW,),
        operations=frozenset({"UpdateService"}),
        slow=(3.0, 3.0),
    )

    paused, seen = time.monotonic(), len(a.daemon.events)
    a.daemon.process.send_signal(signal.SIGSTOP)
    try:
        write(folder, {"web.yaml": stack(sandbox, count=3)["web.yaml"]})
        b.daemon.wait_for("leader_acquired", timeout=10)
        time.sleep(0.3)  # the new leader's pass is under way: its UpdateService is held
    finally:
        a.daemon.process.send_signal(signal.SIGCONT)

    lost = a.daemon.wait_for("leader_lost", timeout=5)
    assert "ran out" in lost["reason"]
    a.daemon.wait_for("revision_loaded", lambda e: e["changed"] >= 1, timeout=5)
    b.daemon.wait_for("service_updated", timeout=10)
    held = next(r for r in a.status()["resources"] if r["kind"] == "Service")
    assert held["sync"] == "OutOfSync"  # it saw the change as pending work, and left it
    assert "standby" in held["message"]
    time.sleep(0.5)  # a few more rounds and passes of the woken replica

    assert not a.write_events(since=seen)
    assert not a.ecs_writes(since=paused)
    assert b.ecs_writes() == ["UpdateService"]
    assert service(boto_client)["desiredCount"] == 3
    assert a.status()["leader"] == {"identity": b.name, "self": False, "replica": a.name}
    web = next(r for r in b.status()["resources"] if r["kind"] == "Service")
    assert web["sync"] == "Synced"
