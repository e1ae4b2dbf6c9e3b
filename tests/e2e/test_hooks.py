"""Post-sync and sync-fail hooks in the real daemon (`ecsync run` against the local AWS)."""

from __future__ import annotations

import time
from pathlib import Path

import ecsync_local as local
from tests.support.daemon import Daemon, Daemons
from tests.support.moto_tasks import make_failing_tasks_possible
from tests.support.shop import BLUE_GREEN, UNHEALTHY, hook_task, stack, write


def started(daemon: Daemon, name: str) -> list[str]:
    """The hook phase of each run of the task `name` so far."""
    return [
        str(e.get("hook"))
        for e in daemon.named("task_started")
        if e.get("name") == name and not e.get("resumed")
    ]


def test_post_sync_runs_once_each_time_a_rollout_completes(
    start_daemon: Daemons, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """The daemon arms the post-sync hook when it creates the service, runs it in the pass
    that sees the rollout complete, never again for the same manifests, and once more after
    a new image rolls out."""
    files = {**stack(sandbox), "smoke.yaml": hook_task(sandbox, "smoke", "post-sync", "smoke")}
    folder = write(tmp_path / "manifests", files)
    daemon = start_daemon("--source", str(folder), "--resync", "3s")
    waiting = daemon.wait_for("hook_waiting", lambda e: e["name"] == "smoke")
    assert waiting["services"] == ["Service/shop/web"]
    daemon.wait_for("rollout_completed", lambda e: e["name"] == "web")
    ran = daemon.wait_for("task_succeeded", lambda e: e["name"] == "smoke")
    assert ran["hook"] == "post-sync"
    time.sleep(4)  # a resync of the same manifests
    assert started(daemon, "smoke") == ["post-sync"]

    write(folder, {"web.yaml": stack(sandbox, image="nginx:1.28")["web.yaml"]})
    daemon.wait_for("service_updated", lambda e: e["name"] == "web")
    daemon.wait_for("task_succeeded", lambda e: e["name"] == "smoke" and e is not ran)
    time.sleep(4)
    assert started(daemon, "smoke") == ["post-sync", "post-sync"]
    assert [e["name"] for e in daemon.named("hook_waiting")] == ["smoke", "smoke"]
    assert daemon.stop() == 0


def test_a_failing_pre_sync_hook_runs_sync_fail_once(
    start_daemon: Daemons, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A pre-sync hook that fails blocks the service and runs the sync-fail hook in the same
    pass; the retries of later passes do not run it again."""
    make_failing_tasks_possible()
    files = {
        **stack(sandbox, hook="migrate-fail"),
        "cleanup.yaml": hook_task(sandbox, "cleanup", "sync-fail", "cleanup"),
    }
    folder = write(tmp_path / "manifests", files)
    daemon = start_daemon("--source", str(folder), "--resync", "1s")
    daemon.wait_for("task_failed", lambda e: e["name"] == "migrate")
    daemon.wait_for("apply_blocked", lambda e: e["name"] == "web")
    triggered = daemon.wait_for("hook_triggered", lambda e: e["name"] == "cleanup")
    assert triggered["hook"] == "sync-fail"
    assert triggered["services"] == ["Service/shop/web"]
    ran = daemon.wait_for("task_succeeded", lambda e: e["name"] == "cleanup")
    assert ran["hook"] == "sync-fail"
    time.sleep(3)  # resyncs: the service stays blocked, the hook is not run again
    assert started(daemon, "cleanup") == ["sync-fail"]
    assert started(daemon, "migrate") == ["pre-sync"]
    assert daemon.stop() == 0


def blue_green(sandbox: local.Sandbox, *, health_check: str = "") -> dict[str, str]:
    """The shop deployed BLUE_GREEN (the circuit breaker rolling a failed deployment back),
    with `health_check` on its container, a post-sync hook and a sync-fail hook."""
    return {
        **stack(sandbox, deployment=BLUE_GREEN, health_check=health_check),
        "smoke.yaml": hook_task(sandbox, "smoke", "post-sync", "smoke"),
        "cleanup.yaml": hook_task(sandbox, "cleanup", "sync-fail", "cleanup"),
    }


def test_a_rolled_back_deployment_runs_sync_fail_once_and_not_post_sync(
    start_daemon: Daemons, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A deployment that ECS rolls back is a failed sync: its sync-fail hook runs once, in
    the pass that sees the rollback, and its post-sync hook does not run; the sync before it,
    which ended Healthy, ran post-sync and not sync-fail."""
    folder = write(tmp_path / "manifests", blue_green(sandbox))
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s")
    daemon.wait_for("task_succeeded", lambda e: e["name"] == "smoke")

    write(folder, blue_green(sandbox, health_check=UNHEALTHY))
    daemon.wait_for("rollout_rolled_back", lambda e: e["name"] == "web")
    triggered = daemon.wait_for("hook_triggered", lambda e: e["name"] == "cleanup")
    assert "Degraded" in triggered["reason"]
    ran = daemon.wait_for("task_succeeded", lambda e: e["name"] == "cleanup")
    assert ran["hook"] == "sync-fail"
    time.sleep(3)  # six resyncs of the rolled-back manifests
    assert started(daemon, "cleanup") == ["sync-fail"]
    assert started(daemon, "smoke") == ["post-sync"]
    assert daemon.stop() == 0
