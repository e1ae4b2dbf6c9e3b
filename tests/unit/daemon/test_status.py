"""The status board: transitions, counts and the snapshot the HTTP endpoint serves."""

from __future__ import annotations

import json
import threading

from controller.core.kinds import Kind, ResourceId
from controller.daemon.status import Row, StatusBoard, SyncState
from controller.reconcile.health import Health, RolloutProgress

WEB = ResourceId(Kind.SERVICE, "web", "prod")
API = ResourceId(Kind.SERVICE, "api", "prod")
CLUSTER = ResourceId(Kind.CLUSTER, "prod")
REPO = ResourceId(Kind.REPOSITORY, "web")
T0 = 1_715_677_923.0  # 2024-05-14T09:12:03Z


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def entry(board: StatusBoard, rid: ResourceId) -> dict[str, object]:
    found = [
        r
        for r in board.snapshot()["resources"]
        if (r["kind"], r["name"], r.get("cluster", "")) == (rid.kind, rid.name, rid.cluster)
    ]
    assert len(found) == 1
    return dict(found[0])


def test_empty_snapshot_shape() -> None:
    """A fresh board snapshots to the documented shape with nulls, zeros and no resources."""
    assert StatusBoard().snapshot() == {
        "source": None,
        "revision": None,
        "ready": False,
        "leader": {"identity": None, "self": False, "replica": None},
        "summary": {
            "resources": 0,
            "sync": {"Synced": 0, "OutOfSync": 0, "Failed": 0, "Unknown": 0},
            "health": {"Healthy": 0, "Progressing": 0, "Degraded": 0, "Missing": 0, "Unknown": 0},
        },
        "resources": [],
    }


def test_snapshot_fields_and_json() -> None:
    """Source, readiness, leader and each resource's fields appear in the JSON-able snapshot."""
    clock = Clock()
    board = StatusBoard(clock)
    board.set_source("https://git.example.com/ops/manifests.git", "4f2c1e9")
    board.set_ready(True)
    board.set_leader("ecsync-7d9f-abc12", is_self=True)
    board.update(WEB, sync=SyncState.SYNCED, health=Health.HEALTHY, message="3 of 3 tasks running")
    board.update(CLUSTER, sync=SyncState.FAILED, error="CreateCluster: AccessDenied; will retry")
    snapshot = board.snapshot()
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["source"] == "https://git.example.com/ops/manifests.git"
    assert snapshot["revision"] == "4f2c1e9"
    assert snapshot["ready"] is True
    assert snapshot["leader"] == {"identity": "ecsync-7d9f-abc12", "self": True, "replica": None}
    assert entry(board, WEB) == {
        "kind": "Service",
        "name": "web",
        "cluster": "prod",
        "sync": "Synced",
        "health": "Healthy",
        "lastError": None,
        "message": "3 of 3 tasks running",
        "lastSynced": "2024-05-14T09:12:03Z",
        "lastTransition": "2024-05-14T09:12:03Z",
    }
    assert entry(board, CLUSTER) == {
        "kind": "Cluster",
        "name": "prod",
        "sync": "Failed",
        "health": None,
        "lastError": "CreateCluster: AccessDenied; will retry",
        "message": None,
        "lastSynced": None,
        "lastTransition": "2024-05-14T09:12:03Z",
    }


def test_resources_sorted_by_kind_rank_then_name() -> None:
    """Resources are listed in sync order: kind rank first, then name."""
    board = StatusBoard()
    for rid in (WEB, API, CLUSTER, REPO):
        board.update(rid, sync=SyncState.SYNCED)
    listed = [(r["kind"], r["name"]) for r in board.snapshot()["resources"]]
    assert listed == [
        ("Repository", "web"),
        ("Cluster", "prod"),
        ("Service", "api"),
        ("Service", "web"),
    ]


def test_transition_moves_only_when_sync_changes() -> None:
    """lastTransition changes when the sync state changes, not on a repeated state."""
    clock = Clock()
    board = StatusBoard(clock)
    board.update(WEB, sync=SyncState.OUT_OF_SYNC)
    clock.now += 60
    board.update(WEB, sync=SyncState.OUT_OF_SYNC, message="still drifting")
    assert entry(board, WEB)["lastTransition"] == "2024-05-14T09:12:03Z"
    clock.now += 60
    board.update(WEB, sync=SyncState.SYNCED)
    assert entry(board, WEB)["lastTransition"] == "2024-05-14T09:14:03Z"


def test_last_synced_tracks_the_latest_synced_report() -> None:
    """lastSynced is the last time the resource was reported Synced, and survives a failure."""
    clock = Clock()
    board = StatusBoard(clock)
    board.update(WEB, sync=SyncState.SYNCED)
    clock.now += 30
    board.update(WEB, sync=SyncState.SYNCED)
    clock.now += 30
    board.update(WEB, sync=SyncState.FAILED, error="UpdateService: throttled; will retry")
    found = entry(board, WEB)
    assert found["lastSynced"] == "2024-05-14T09:12:33Z"
    assert found["lastTransition"] == "2024-05-14T09:13:03Z"


def test_update_replaces_error_and_message() -> None:
    """Each update is the whole status: an error not repeated is cleared."""
    board = StatusBoard()
    board.update(
        WEB, sync=SyncState.FAILED, error="boom", message="retrying", health=Health.DEGRADED
    )
    board.update(WEB, sync=SyncState.SYNCED)
    found = entry(board, WEB)
    assert (found["lastError"], found["message"], found["health"]) == (None, None, None)


def test_counts_and_summary() -> None:
    """counts() and the snapshot summary tally resources by sync state and by health."""
    board = StatusBoard()
    board.update(WEB, sync=SyncState.SYNCED, health=Health.HEALTHY)
    board.update(API, sync=SyncState.OUT_OF_SYNC, health=Health.DEGRADED)
    board.update(CLUSTER, sync=SyncState.SYNCED)
    board.update(REPO, sync=SyncState.FAILED)
    assert board.counts() == {"Synced": 2, "OutOfSync": 1, "Failed": 1, "Unknown": 0}
    summary = board.snapshot()["summary"]
    assert summary["resources"] == 4
    assert summary["health"] == {
        "Healthy": 1,
        "Progressing": 0,
        "Degraded": 1,
        "Missing": 0,
        "Unknown": 0,
    }


def test_remove_forgets_the_resource() -> None:
    """remove() drops a resource from snapshot and counts; removing twice is harmless."""
    board = StatusBoard()
    board.update(WEB, sync=SyncState.SYNCED)
    board.remove(WEB)
    board.remove(WEB)
    assert board.snapshot()["resources"] == []
    assert board.counts()["Synced"] == 0


def test_same_name_in_two_clusters_is_two_resources() -> None:
    """Services called web in two clusters are tracked separately."""
    board = StatusBoard()
    board.update(WEB, sync=SyncState.SYNCED)
    board.update(ResourceId(Kind.SERVICE, "web", "staging"), sync=SyncState.FAILED)
    assert board.counts() == {"Synced": 1, "OutOfSync": 0, "Failed": 1, "Unknown": 0}


def test_ready_and_leader_flags() -> None:
    """set_ready and set_leader are reflected in the board and its snapshot."""
    board = StatusBoard()
    board.set_ready(True)
    assert board.ready is True
    board.set_ready(False)
    board.set_leader("replica-b", is_self=False, replica="replica-a")
    snapshot = board.snapshot()
    assert snapshot["ready"] is False
    assert snapshot["leader"] == {
        "identity": "replica-b",
        "self": False,
        "replica": "replica-a",
    }


def test_concurrent_updates_and_snapshots() -> None:
    """Writers and readers on many threads never corrupt the board or raise."""
    board = StatusBoard()
    errors: list[BaseException] = []

    def write(n: int) -> None:
        for i in range(200):
            rid = ResourceId(Kind.SERVICE, f"svc-{n}-{i % 20}", "prod")
            board.update(rid, sync=SyncState.SYNCED if i % 2 else SyncState.OUT_OF_SYNC)

    def read() -> None:
        try:
            for _ in range(200):
                snapshot = board.snapshot()
                assert snapshot["summary"]["resources"] == len(snapshot["resources"])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(board.counts().values()) == 80


def test_a_service_being_rolled_out_shows_its_deployment() -> None:
    """A service with a followed deployment carries `rollout` (strategy, stage, traffic %,
    status); the next update without one drops it, and other resources never have the key."""
    board = StatusBoard(Clock())
    progress = RolloutProgress("arn:d", "IN_PROGRESS", "LINEAR", "PRODUCTION_TRAFFIC_SHIFT", 30.0)
    board.update(WEB, sync=SyncState.SYNCED, health=Health.PROGRESSING, rollout=progress)
    board.update(CLUSTER, sync=SyncState.SYNCED)
    assert entry(board, WEB)["rollout"] == {
        "deployment": "arn:d",
        "status": "IN_PROGRESS",
        "strategy": "LINEAR",
        "stage": "PRODUCTION_TRAFFIC_SHIFT",
        "trafficPercent": 30.0,
    }
    assert "rollout" not in entry(board, CLUSTER)
    board.update(WEB, sync=SyncState.SYNCED, health=Health.HEALTHY)
    assert "rollout" not in entry(board, WEB)


def test_update_all_records_each_row_as_update_does() -> None:
    """A pass's rows land as single updates would: transitions move only on change, and
    errors and messages are scrubbed."""
    clock = Clock()
    board = StatusBoard(clock=clock)
    board.update(WEB, sync=SyncState.SYNCED, health=Health.HEALTHY)
    clock.now = T0 + 60
    board.update_all(
        [
            Row(WEB, SyncState.SYNCED, Health.HEALTHY),
            Row(API, SyncState.FAILED, error="denied: AKIAIOSFODNN7EXAMPLE"),
        ]
    )
    web, api = entry(board, WEB), entry(board, API)
    assert (web["lastTransition"], web["lastSynced"]) == (
        "2024-05-14T09:12:03Z",
        "2024-05-14T09:13:03Z",
    )
    assert (api["sync"], api["lastSynced"]) == ("Failed", None)
    assert "AKIAIOSFODNN7EXAMPLE" not in str(api["lastError"])
