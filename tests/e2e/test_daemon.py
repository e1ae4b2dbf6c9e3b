"""The daemon end to end: the real `ecsync run` against a moto server over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ecsync_local as local
from tests.support import cli
from tests.support.daemon import Daemons
from tests.support.gitrepo import Repo
from tests.support.moto_tasks import make_failing_tasks_possible
from tests.support.shop import LIFECYCLE, service, stack, write


def test_git_commit_is_applied_within_the_poll_interval(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """A pushed commit is applied within the poll interval and its SHA is the event revision."""
    repo = Repo(tmp_path / "git")
    first = repo.commit(stack(sandbox), "initial")
    daemon = start_daemon("--source", repo.url, "--poll", "0.5s")
    daemon.wait_for("service_created", lambda e: e["revision"] == first)
    daemon.wait_http("/readyz")

    second = repo.commit(stack(sandbox, count=3), "scale web")
    pushed = time.monotonic()
    event = daemon.wait_for("service_updated", lambda e: e["revision"] == second, timeout=15)
    assert time.monotonic() - pushed < 5
    assert event["fields"] == [{"path": "/desiredCount", "desired": 3, "live": 2}]
    assert service(boto_client)["desiredCount"] == 3
    assert daemon.stop() == 0


def test_signed_webhook_fetches_at_once(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """POST /hooks/git with a valid signature fetches now; a bad signature is refused."""
    repo = Repo(tmp_path / "git")
    first = repo.commit(stack(sandbox), "initial")
    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text("s3cret-for-hooks\n")
    daemon = start_daemon(
        "--source", repo.url, "--poll", "10m", "--webhook-secret-file", str(secret_file)
    )
    daemon.wait_for("service_created", lambda e: e["revision"] == first)

    second = repo.commit(stack(sandbox, count=4), "scale web")
    body = json.dumps({"ref": "refs/heads/main", "after": second}).encode()
    assert daemon.post("/hooks/git", body, signature="sha256=" + "0" * 64)[0] == 401
    signature = "sha256=" + hmac.new(b"s3cret-for-hooks", body, hashlib.sha256).hexdigest()
    sent = time.monotonic()
    assert daemon.post("/hooks/git", body, signature=signature)[0] == 202

    daemon.wait_for("service_updated", lambda e: e["revision"] == second, timeout=15)
    assert time.monotonic() - sent < 5
    assert service(boto_client)["desiredCount"] == 4
    assert "s3cret" not in "".join(daemon.lines)
    assert daemon.stop() == 0


def test_drift_is_alerted_and_corrected(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """Hand-made drift gives drift_detected with desired and live values, then drift_corrected."""
    folder = write(tmp_path / "manifests", stack(sandbox))
    daemon = start_daemon("--source", str(folder), "--resync", "1s")
    daemon.wait_http("/readyz")

    boto_client("ecs").update_service(cluster="shop", service="web", desiredCount=5)
    changed = {**LIFECYCLE, "rules": [{**LIFECYCLE["rules"][0], "rulePriority": 7}]}
    boto_client("ecr").put_lifecycle_policy(
        repositoryName="shop/web", lifecyclePolicyText=json.dumps(changed)
    )

    drift = daemon.wait_for("drift_detected", lambda e: e["kind"] == "Service")
    assert drift["level"] == "warning"
    assert drift["name"] == "web"
    assert drift["revision"] is None
    assert drift["fields"] == [{"path": "/desiredCount", "desired": 2, "live": 5}]
    repo_drift = daemon.wait_for("drift_detected", lambda e: e["kind"] == "Repository")
    assert repo_drift["fields"] == [
        {"path": "/lifecyclePolicy/rules/0/rulePriority", "desired": 1, "live": 7}
    ]
    daemon.wait_for("drift_corrected", lambda e: e["kind"] == "Service")
    daemon.wait_for("drift_corrected", lambda e: e["kind"] == "Repository")
    assert service(boto_client)["desiredCount"] == 2
    policy = boto_client("ecr").get_lifecycle_policy(repositoryName="shop/web")
    assert json.loads(policy["lifecyclePolicyText"]) == LIFECYCLE
    assert daemon.stop() == 0


def test_alert_only_reports_once_and_corrects_nothing(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """With --alert-only, drift is reported once (not every resync) and left alone."""
    folder = write(tmp_path / "manifests", stack(sandbox))
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s", "--alert-only")
    daemon.wait_http("/readyz")
    boto_client("ecs").update_service(cluster="shop", service="web", desiredCount=5)
    daemon.wait_for("drift_detected", lambda e: e["kind"] == "Service")
    time.sleep(3)  # six more resyncs
    assert len([e for e in daemon.named("drift_detected") if e["kind"] == "Service"]) == 1
    assert not daemon.named("drift_corrected")
    assert service(boto_client)["desiredCount"] == 5
    status = json.loads(daemon.get("/status")[1])
    web = next(r for r in status["resources"] if r["kind"] == "Service")
    assert web["sync"] == "OutOfSync"
    assert daemon.stop() == 0


def test_a_fight_with_another_writer_is_flagged_and_backed_off(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """The same drift coming back K times within T gives drift_flapping, then no more writes."""
    folder = write(tmp_path / "manifests", stack(sandbox))
    daemon = start_daemon(
        "--source", str(folder), "--resync", "0.5s", "--flap-count", "2", "--flap-window", "60s"
    )
    daemon.wait_http("/readyz")
    ecs = boto_client("ecs")
    stop = threading.Event()

    def other_writer() -> None:  # an autoscaler that keeps setting its own count
        while not stop.is_set():
            ecs.update_service(cluster="shop", service="web", desiredCount=5)
            stop.wait(0.2)

    writer = threading.Thread(target=other_writer, daemon=True)
    writer.start()
    try:
        flapping = daemon.wait_for("drift_flapping", lambda e: e["kind"] == "Service")
        assert flapping["fields"] == [{"path": "/desiredCount", "desired": 2, "live": 5}]
        corrections = len(daemon.named("drift_corrected"))
        time.sleep(2)  # four resyncs: the daemon no longer fights
        assert len(daemon.named("drift_corrected")) == corrections
        assert corrections <= 2
    finally:
        stop.set()
        writer.join(timeout=5)
    assert daemon.stop() == 0


def test_invalid_commit_keeps_last_good_state_and_prunes_nothing(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """A broken commit is reported with file and line; nothing is pruned, even with --prune."""
    repo = Repo(tmp_path / "git")
    repo.commit(stack(sandbox))
    daemon = start_daemon("--source", repo.url, "--poll", "0.5s", "--prune", "--resync", "1s")
    daemon.wait_http("/readyz")
    broken = stack(sandbox)
    broken["web.yaml"] = ""  # the service and task definition leave...
    broken["cluster.yaml"] = (
        "apiVersion: ecsync/v1\nkind: Cluster\nmetadata: {name: shop\n"  # ...and YAML breaks
    )
    bad = repo.commit(broken, "oops")
    error = daemon.wait_for("manifest_invalid", lambda e: e["revision"] == bad)
    assert error["file"] == "cluster.yaml"
    assert error["line"] >= 3
    daemon.wait_for("revision_rejected", lambda e: e["revision"] == bad)
    time.sleep(2.5)  # two resyncs with --prune
    assert not [e for e in daemon.events if str(e.get("event", "")).endswith("_deleted")]
    assert service(boto_client)["status"] == "ACTIVE"
    assert daemon.stop() == 0


def test_failed_pre_sync_hook_blocks_the_service_update(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """A pre-sync hook task that fails stops the service update of the same commit."""
    make_failing_tasks_possible()
    repo = Repo(tmp_path / "git")
    repo.commit(stack(sandbox, hook="migrate-ok"))
    daemon = start_daemon("--source", repo.url, "--poll", "0.5s")
    daemon.wait_for("task_succeeded", lambda e: e["name"] == "migrate")
    daemon.wait_http("/readyz")
    before = service(boto_client)["taskDefinition"]

    bad = repo.commit(stack(sandbox, image="nginx:1.28", hook="migrate-fail"), "bad migration")
    failed = daemon.wait_for("task_failed", lambda e: e["revision"] == bad)
    assert failed["exit_codes"] == {"web": 1}
    blocked = daemon.wait_for("apply_blocked", lambda e: e["kind"] == "Service")
    assert blocked["blocked_by"] == "Task/shop/migrate"
    assert service(boto_client)["taskDefinition"] == before
    assert daemon.stop() == 0


def test_endpoints_and_clean_shutdown(
    start_daemon: Daemons, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """The HTTP endpoints answer as documented and SIGTERM exits 0 within 10 s."""
    folder = write(tmp_path / "manifests", stack(sandbox))
    daemon = start_daemon("--source", str(folder))
    assert daemon.wait_http("/healthz") == b"ok\n"
    daemon.wait_http("/readyz")
    metrics = daemon.get("/metrics")[1].decode()
    assert "ecsync_reconcile_total" in metrics
    assert 'ecsync_aws_calls_total{operation="CreateService",outcome="ok"} 1.0' in metrics
    status = json.loads(daemon.get("/status")[1])
    assert status["ready"] is True
    assert {r["sync"] for r in status["resources"]} == {"Synced"}
    assert len(status["resources"]) == 4
    shown = cli.run("status", "--url", daemon.url)
    assert shown.returncode == 0, shown.stderr
    rows = [line.split() for line in shown.stdout.splitlines()]
    (web,) = [row for row in rows if row[:2] == ["Service", "shop/web"]]
    # Just created: Progressing from the write, Healthy from the first look at its rollout.
    assert web[2:4] in (["Synced", "Progressing"], ["Synced", "Healthy"])
    assert web[-1] == "-"
    assert "ready:     yes" in shown.stdout
    stopping = time.monotonic()
    assert daemon.stop() == 0
    assert time.monotonic() - stopping < 10


def test_folder_edit_is_applied(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """Saving a manifest in a watched folder applies it within seconds."""
    folder = write(tmp_path / "manifests", stack(sandbox))
    daemon = start_daemon("--source", str(folder))
    daemon.wait_http("/readyz")
    write(folder, {"web.yaml": stack(sandbox, count=4)["web.yaml"]})
    daemon.wait_for("service_updated", timeout=10)
    assert service(boto_client)["desiredCount"] == 4
    assert daemon.stop() == 0


def test_a_task_run_record_changed_by_hand_is_not_drift_and_not_a_rerun(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """Removing or editing a one-off task's run record on its cluster logs one
    `task_rerun_skipped` naming the record, never an empty `drift_detected`, and the
    migration is not run again while its manifests are unchanged."""
    folder = write(tmp_path / "manifests", stack(sandbox, hook="migrate"))
    daemon = start_daemon("--source", str(folder), "--resync", "1s")
    daemon.wait_for("task_succeeded", lambda e: e["name"] == "migrate")
    daemon.wait_http("/readyz")

    ecs = boto_client("ecs")
    cluster = ecs.describe_clusters(clusters=["shop"])["clusters"][0]["clusterArn"]
    ecs.untag_resource(resourceArn=cluster, tagKeys=["ecsync:task/migrate"])
    skipped = daemon.wait_for("task_rerun_skipped", lambda e: e["name"] == "migrate")
    assert skipped["kind"] == "Task"
    assert skipped["record"] == "ecsync:task/migrate"
    assert skipped["recorded"] is None
    ecs.tag_resource(
        resourceArn=cluster, tags=[{"key": "ecsync:task/migrate", "value": "0123 failed"}]
    )
    edited = daemon.wait_for("task_rerun_skipped", lambda e: e["recorded"] == "0123 failed")
    assert edited["name"] == "migrate"
    time.sleep(2.5)  # two more resyncs: the same record is not reported again
    resources = json.loads(daemon.get("/status")[1])["resources"]
    task = next(r for r in resources if r["kind"] == "Task")
    assert task["sync"] == "Synced"
    assert task["message"].startswith("not run again: it already ran for these manifests")
    assert daemon.stop() == 0

    named = [e for e in daemon.events if e.get("name") == "migrate"]
    assert [e["event"] for e in named if e["event"].startswith("task_")] == [
        "task_started",
        "task_succeeded",
        "task_rerun_skipped",
        "task_rerun_skipped",
    ]
    assert [e for e in daemon.events if e["event"] == "drift_detected"] == []
