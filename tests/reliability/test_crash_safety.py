"""The daemon killed (SIGKILL) at random moments of a large apply, again and again.

Each restart must pick up where the last one died, reading live state again:
no service created twice, no task definition revision registered twice (a
revision whose registration was under way when the daemon died is reused
through its content hash), and finally a clean plan.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from controller.aws.clients import Aws, AwsConfig
from tests.support import cli
from tests.support.awsproxy import CLIENT_GONE, AwsProxy, Fault, FaultPlan, is_write
from tests.support.daemon import Daemon
from tests.support.stacks import (
    Stack,
    active_revisions,
    active_services,
    in_sync,
    wait_until_in_sync,
)

STACK = Stack(clusters=3, repositories=6, task_definitions=25, services=26)
KILLS = 10
ARGS = ("--resync", "2s")


def test_repeated_sigkill_during_apply_never_duplicates(
    start_proxy: Callable[..., AwsProxy],
    moto_endpoint: str,
    daemon_env: dict[str, str],
    boto_client: Callable[[str], Any],
    tmp_path: Path,
    seed: int,
) -> None:
    """Ten SIGKILLs at seeded random moments of an apply of 60 resources, each followed
    by a restart, end in exactly the desired state."""
    rng = random.Random(seed)
    folder = STACK.write(tmp_path / "manifests")
    # ECS throttling spreads the apply out: with the burst of RegisterTaskDefinition used
    # up, revisions come at 1/s. Slow answers keep writes in flight when the daemon dies
    # (the proxy still delivers them: the write lands with nobody left to see the answer).
    proxy = start_proxy(FaultPlan(rate=0.3, seed=seed, kinds=(Fault.SLOW,)), throttle=True)
    proxy.drain("ecs", "RegisterTaskDefinition")
    direct = Aws(AwsConfig("us-east-1", moto_endpoint))
    kills: list[str] = []
    for kill in range(KILLS):
        seen = len(proxy.requests)
        daemon = Daemon(proxy.endpoint, ["--source", str(folder), *ARGS], tmp_path / "cache")
        try:
            writing = _wait_for_writes(proxy, daemon, direct, folder, seen)
            moment = rng.uniform(0.0, 1.0)
            time.sleep(moment)
        finally:
            daemon.kill()
        applied = Counter(r.operation for r in proxy.requests if r.applied)
        kills.append(
            f"kill {kill + 1}: {moment:.2f}s after {'the first write' if writing else 'the first read'}; "
            f"so far {applied['RegisterTaskDefinition']} revisions, "
            f"{applied['CreateService']} services"
        )
    landed = [
        r for r in proxy.requests if r.fault == CLIENT_GONE and r.applied and is_write(r.operation)
    ]
    kills.append(f"writes applied after their sender was killed: {len(landed)}")
    print("\n".join(kills))

    daemon = Daemon(proxy.endpoint, ["--source", str(folder), *ARGS], tmp_path / "cache")
    try:
        assert wait_until_in_sync(direct, folder, daemon, timeout=90)
        daemon.wait_http("/readyz")  # up and done with its first pass: SIGTERM is handled
    finally:
        assert daemon.stop() == 0

    shown = cli.run("plan", str(folder), "--endpoint-url", moto_endpoint)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    ecs = boto_client("ecs")
    assert active_revisions(ecs, STACK.families()) == dict.fromkeys(STACK.families(), 1)
    for cluster, names in STACK.service_names().items():
        assert active_services(ecs, cluster) == dict.fromkeys(names, 1)
    requests = proxy.requests
    for operation, param in (
        ("CreateService", "serviceName"),
        ("RegisterTaskDefinition", "family"),
    ):
        per_name = Counter(
            str(r.params[param]) for r in requests if r.operation == operation and r.applied
        )
        assert set(per_name.values()) == {1}, per_name


def _wait_for_writes(
    proxy: AwsProxy, daemon: Daemon, direct: Aws, folder: Path, after: int
) -> bool:
    """Until this run of the daemon sends its first write (start-up and the first reads
    take seconds); when there is nothing left to write, until its first read (False)."""
    writing = not in_sync(direct, folder)
    deadline = time.monotonic() + 30
    while not any(is_write(r.operation) or not writing for r in proxy.requests[after:]):
        assert daemon.process.poll() is None, "".join(daemon.lines[-40:])
        assert time.monotonic() < deadline, "the daemon did not get to work in 30 s"
        time.sleep(0.02)
    return writing
