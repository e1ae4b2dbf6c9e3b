"""`ecsync status`: rendering a status document, and fetching one from a daemon."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from controller.cli.status import StatusUnavailable, fetch_status, render_status
from controller.core.kinds import Kind, ResourceId
from controller.daemon.http import HttpServer
from controller.daemon.metrics import Metrics
from controller.daemon.status import StatusBoard, SyncState
from controller.reconcile.health import Health

SAMPLE: dict[str, Any] = {
    "source": "https://git.example.com/ops/manifests.git",
    "revision": "4f2c1e9",
    "ready": True,
    "leader": {"identity": "ecsync-7d9f-abc12", "self": True},
    "summary": {
        "resources": 4,
        "sync": {"Synced": 2, "OutOfSync": 1, "Failed": 1, "Unknown": 0},
        "health": {"Healthy": 1, "Progressing": 0, "Degraded": 1, "Missing": 0, "Unknown": 0},
    },
    "resources": [
        {
            "kind": "Repository",
            "name": "web",
            "sync": "Synced",
            "health": None,
            "lastError": None,
            "message": None,
            "lastSynced": "2024-05-14T09:12:03Z",
            "lastTransition": "2024-05-14T09:12:03Z",
        },
        {
            "kind": "Cluster",
            "name": "prod",
            "sync": "Failed",
            "health": None,
            "lastError": "CreateCluster: AccessDeniedException\n  will retry",
            "message": None,
            "lastSynced": None,
            "lastTransition": "2024-05-14T09:12:03Z",
        },
        {
            "kind": "Service",
            "name": "api",
            "cluster": "prod",
            "sync": "OutOfSync",
            "health": "Degraded",
            "lastError": None,
            "message": "2 of 3 tasks running",
            "lastSynced": None,
            "lastTransition": "2024-05-14T09:12:03Z",
        },
        {
            "kind": "Service",
            "name": "web",
            "cluster": "prod",
            "sync": "Synced",
            "health": "Healthy",
            "lastError": None,
            "message": "3 of 3 tasks running",
            "lastSynced": "2024-05-14T09:12:03Z",
            "lastTransition": "2024-05-14T09:12:03Z",
        },
    ],
}


def test_render_sample() -> None:
    """A full document renders as a summary and an aligned KIND NAME SYNC HEALTH LAST-ERROR table;
    a Degraded resource without an error shows why it is Degraded."""
    assert render_status(SAMPLE) == "\n".join(
        [
            "source:    https://git.example.com/ops/manifests.git",
            "revision:  4f2c1e9",
            "ready:     yes",
            "leader:    ecsync-7d9f-abc12 (this replica)",
            "resources: 4 (2 Synced, 1 OutOfSync, 1 Failed); health: 1 Healthy, 1 Degraded",
            "",
            "KIND        NAME      SYNC       HEALTH    LAST-ERROR",
            "Repository  web       Synced     -         -",
            "Cluster     prod      Failed     -         CreateCluster: AccessDeniedException will retry",
            "Service     prod/api  OutOfSync  Degraded  2 of 3 tasks running",
            "Service     prod/web  Synced     Healthy   -",
        ]
    )


def test_render_before_first_sync() -> None:
    """A daemon that has nothing yet renders dashes, "no" and a note instead of an empty table."""
    text = render_status(StatusBoard().snapshot())
    assert text.splitlines() == [
        "source:    -",
        "revision:  -",
        "ready:     no",
        "leader:    none",
        "resources: 0",
        "",
        "no resources yet",
    ]


def test_render_standby_replica() -> None:
    """A standby names the leader and itself, so each replica's status says who writes."""
    doc = {**SAMPLE, "leader": {"identity": "host-a-1-9f", "self": False, "replica": "host-b-2-0c"}}
    assert "leader:    host-a-1-9f; this replica, host-b-2-0c, is on standby" in (
        render_status(doc).splitlines()
    )


def test_render_tolerates_missing_fields() -> None:
    """A sparse document (an older daemon) still renders, with dashes for what is absent."""
    text = render_status({"resources": [{"kind": "Cluster", "name": "prod"}]})
    assert text.splitlines()[-1] == "Cluster  prod  -     -       -"


@pytest.fixture
def daemon() -> Iterator[tuple[HttpServer, StatusBoard]]:
    """A daemon's HTTP server on a free port, and the status board it serves."""
    board = StatusBoard()
    server = HttpServer(
        "127.0.0.1:0", board=board, metrics=Metrics(), alive=lambda: True, ready=lambda: True
    )
    server.start()
    yield server, board
    server.stop()


def test_fetch_from_a_running_daemon(daemon: tuple[HttpServer, StatusBoard]) -> None:
    """fetch_status reads /status from a daemon given as host:port, with or without a slash."""
    server, board = daemon
    board.update(
        ResourceId(Kind.SERVICE, "web", "prod"), sync=SyncState.SYNCED, health=Health.HEALTHY
    )
    assert fetch_status(server.address) == board.snapshot()
    assert fetch_status(f"http://{server.address}/") == board.snapshot()


def test_fetch_unreachable_names_url_and_listen() -> None:
    """An unreachable daemon raises StatusUnavailable naming the URL and pointing at --listen."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StatusUnavailable, match=rf"http://127\.0\.0\.1:{port}/status.*--listen"):
        fetch_status(f"127.0.0.1:{port}", timeout=1)


def test_fetch_from_something_else(daemon: tuple[HttpServer, StatusBoard]) -> None:
    """A server that answers /status with an error status raises StatusUnavailable with the code."""
    server, _ = daemon
    with pytest.raises(StatusUnavailable, match="answered 404"):
        fetch_status(f"http://{server.address}/healthz")


def test_fetch_refuses_other_schemes() -> None:
    """Only http(s) URLs are fetched, so a file: URL cannot be read by mistake."""
    with pytest.raises(StatusUnavailable, match="not an http"):
        fetch_status("file:///etc/passwd")


def test_render_a_rollout_column_while_a_service_rolls_out() -> None:
    """With a service being rolled out, a ROLLOUT column shows strategy, stage, traffic share
    and deployment status ("-" for resources without one)."""
    web = {
        **SAMPLE["resources"][3],
        "health": "Progressing",
        "rollout": {
            "deployment": "arn:d",
            "status": "IN_PROGRESS",
            "strategy": "LINEAR",
            "stage": "PRODUCTION_TRAFFIC_SHIFT",
            "trafficPercent": 30.0,
        },
    }
    doc = {**SAMPLE, "resources": [SAMPLE["resources"][0], web]}
    table = render_status(doc).splitlines()[-3:]
    assert table == [
        "KIND        NAME      SYNC    HEALTH       ROLLOUT                                          LAST-ERROR",
        "Repository  web       Synced  -            -                                                -",
        "Service     prod/web  Synced  Progressing  LINEAR PRODUCTION_TRAFFIC_SHIFT 30% IN_PROGRESS  -",
    ]
