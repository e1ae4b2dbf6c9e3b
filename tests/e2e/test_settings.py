"""Settings spelled as people spell them, read by the real `ecsync` process."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from tests.support import cli
from tests.support.daemon import Daemon, Daemons
from tests.support.shop import stack, write

SETTLE = 3.0
"""Seconds to watch after the removal: three resyncs of 1 s, each one a chance to prune."""


@pytest.fixture
def remove_web_under_a_daemon(
    sandbox: local.Sandbox,
    start_daemon: Daemons,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[dict[str, str]], Daemon]:
    """Starts a daemon with the given environment, lets it create the shop, then deletes
    web.yaml (the task definition and the service)."""

    def remove(environment: dict[str, str]) -> Daemon:
        folder = write(tmp_path / "manifests", stack(sandbox))
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        daemon = start_daemon("--source", str(folder), "--resync", "1s")
        daemon.wait_http("/readyz")
        (folder / "web.yaml").unlink()
        daemon.wait_for("revision_loaded", lambda e: e["removed"] == 2)
        return daemon

    return remove


def web_state(boto_client: Callable[[str], Any]) -> tuple[str, str]:
    """The status of the web service and of its task definition's latest revision."""
    ecs = boto_client("ecs")
    service = ecs.describe_services(cluster="shop", services=["web"])["services"][0]
    family = ecs.describe_task_definition(taskDefinition="shop-web")["taskDefinition"]
    return service["status"], family["status"]


def deletions(daemon: Daemon) -> list[str]:
    """The names of the `*_deleted` events the daemon logged."""
    return [str(e["event"]) for e in daemon.events if str(e.get("event", "")).endswith("_deleted")]


@pytest.mark.parametrize("spelling", ["false", "0", "no"])
def test_prune_spelled_off_deletes_nothing(
    spelling: str,
    remove_web_under_a_daemon: Callable[[dict[str, str]], Daemon],
    boto_client: Callable[[str], Any],
) -> None:
    """With ECSYNC_PRUNE spelled off (and no guard to hide behind), removing an owned service's
    manifest deletes neither the service nor its task definition."""
    environment = {"ECSYNC_PRUNE": spelling, "ECSYNC_PRUNE_MAX_SHARE": "1"}
    daemon = remove_web_under_a_daemon(environment)
    time.sleep(SETTLE)

    assert deletions(daemon) == []
    assert web_state(boto_client) == ("ACTIVE", "ACTIVE")
    started = daemon.wait_for("daemon_started")
    assert started["prune"] is False
    assert daemon.stop() == 0


def test_confirm_prune_spelled_off_keeps_the_guard(
    remove_web_under_a_daemon: Callable[[dict[str, str]], Daemon],
    boto_client: Callable[[str], Any],
) -> None:
    """ECSYNC_CONFIRM_PRUNE=0 leaves the mass-deletion guard on: a prune of half of what ecsync
    owns is held back, not carried out."""
    environment = {"ECSYNC_PRUNE": "yes", "ECSYNC_CONFIRM_PRUNE": "0"}
    daemon = remove_web_under_a_daemon(environment)
    daemon.wait_for("prune_blocked")
    time.sleep(SETTLE)

    assert deletions(daemon) == []
    assert web_state(boto_client) == ("ACTIVE", "ACTIVE")
    assert daemon.stop() == 0


def test_prune_spelled_on_does_delete(
    remove_web_under_a_daemon: Callable[[dict[str, str]], Daemon],
    boto_client: Callable[[str], Any],
) -> None:
    """The same removal with ECSYNC_PRUNE=On and the guard opened deletes the service, so the
    tests above would see a prune if one happened."""
    environment = {"ECSYNC_PRUNE": "On", "ECSYNC_PRUNE_MAX_SHARE": "1"}
    daemon = remove_web_under_a_daemon(environment)
    daemon.wait_for("service_deleted")

    assert web_state(boto_client)[0] != "ACTIVE"
    assert daemon.stop() == 0


def test_a_misspelt_switch_stops_the_daemon_with_one_line() -> None:
    """ECSYNC_PRUNE=flase exits 1 before touching AWS, with one line naming the variable."""
    ran = cli.run("run", "--source", "nowhere", env={"ECSYNC_PRUNE": "flase"})

    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [
        "ecsync: ECSYNC_PRUNE='flase' is not on or off: use true/false, 1/0, yes/no or on/off "
        "(any case)"
    ]
    assert ran.stdout == ""


def test_a_busy_listen_port_is_one_line_and_exit_1(moto_endpoint: str, tmp_path: Path) -> None:
    """`ecsync run --listen` on a port another process holds exits 1 with one line that says
    how to choose another address, not a traceback."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        address = f"127.0.0.1:{holder.getsockname()[1]}"
        ran = cli.run(
            "run",
            *("--source", str(tmp_path), "--endpoint-url", moto_endpoint),
            *("--listen", address, "--cache-dir", str(tmp_path / "cache")),
        )

    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [
        f"ecsync run: cannot listen on {address}: address already in use; "
        "choose another with --listen or ECSYNC_LISTEN"
    ]
    assert "Traceback" not in ran.stdout


def test_an_unreadable_webhook_secret_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """`--webhook-secret-file` naming a missing file exits 1 with one line naming the flag
    and the way out, not a traceback."""
    missing = tmp_path / "no-such-secret"
    ran = cli.run("run", "--source", str(tmp_path), "--webhook-secret-file", str(missing))

    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [
        f"ecsync run: cannot read --webhook-secret-file {missing}: No such file or directory; "
        "give a readable file, or set ECSYNC_WEBHOOK_SECRET"
    ]
    assert "Traceback" not in ran.stdout
