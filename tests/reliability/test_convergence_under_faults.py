"""A hundred resources converge through the real daemon while AWS throttles and fails.

The daemon talks to `AwsProxy`, which throttles like ECS and injects a fault
into 20% of requests, some of them *after* a write was applied (the answer
is lost). The end state must be exactly the desired one: a clean plan, each
resource created once, one task definition revision per family.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from controller.aws.clients import Aws, AwsConfig
from tests.reliability.conftest import SHORT_READ_TIMEOUT
from tests.support import cli
from tests.support.awsproxy import AwsProxy, FaultPlan, Request
from tests.support.daemon import Daemon
from tests.support.stacks import Stack, active_revisions, active_services, wait_until_in_sync

STACK = Stack(clusters=5, repositories=10, task_definitions=40, services=45)
RATE = 0.2
DEADLINE = 150.0
"""Seconds the daemon gets to converge."""


def test_a_hundred_resources_converge_exactly_under_faults(
    start_proxy: Callable[..., AwsProxy],
    moto_endpoint: str,
    daemon_env: dict[str, str],
    boto_client: Callable[[str], Any],
    tmp_path: Path,
    seed: int,
) -> None:
    """With 20% faults (lost answers to writes included) and ECS throttling, the daemon
    converges to exactly the manifests: nothing created twice, nothing lost."""
    folder = STACK.write(tmp_path / "manifests")
    plan = FaultPlan(rate=RATE, seed=seed, lost_writes=True, hang=SHORT_READ_TIMEOUT + 0.3)
    proxy = start_proxy(plan, throttle=True)
    direct = Aws(AwsConfig(region="us-east-1", endpoint_url=moto_endpoint))
    daemon = Daemon(proxy.endpoint, ["--source", str(folder), "--resync", "2s"], tmp_path / "c")
    started = time.monotonic()
    try:
        converged = wait_until_in_sync(direct, folder, daemon, timeout=DEADLINE)
    finally:
        assert daemon.stop() == 0
    elapsed = time.monotonic() - started
    requests = proxy.requests
    print(_fault_table(requests, elapsed))
    gave_up = [e for e in daemon.named("aws_call_failed") if e.get("reason") == "giving up"]
    print(
        f"daemon: {len(daemon.named('aws_write_recovered'))} lost creates found, not resent; "
        f"{len(gave_up)} calls gave up after every attempt; "
        f"{len(daemon.named('apply_failed'))} failed resource writes requeued"
    )
    assert converged, f"not in sync after {DEADLINE}s; last output:\n{''.join(daemon.lines[-40:])}"

    shown = cli.run("plan", str(folder), "--endpoint-url", moto_endpoint)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert _applied_per_name(requests, "CreateService", "serviceName") == _once(
        n for names in STACK.service_names().values() for n in names
    )
    assert _applied_per_name(requests, "RegisterTaskDefinition", "family") == _once(
        STACK.families()
    )
    assert _applied_per_name(requests, "CreateRepository", "repositoryName") == _once(
        STACK.repository_names()
    )
    ecs = boto_client("ecs")
    assert active_revisions(ecs, STACK.families()) == _once(STACK.families())
    for cluster, names in STACK.service_names().items():
        assert active_services(ecs, cluster) == _once(names)
    faults = Counter(r.fault for r in requests if r.fault)
    assert faults["throttle"]
    assert faults["http_500"]
    assert faults["reset"]
    assert faults["timeout"]
    assert any(r.after_forwarding for r in requests), "some answers to writes were lost"


def _once(names: Any) -> dict[str, int]:
    return dict.fromkeys(names, 1)


def _applied_per_name(requests: list[Request], operation: str, param: str) -> Counter[str]:
    """How many `operation` requests per name reached moto and succeeded there."""
    return Counter(str(r.params[param]) for r in requests if r.operation == operation and r.applied)


def _fault_table(requests: list[Request], elapsed: float) -> str:
    """The measured faults, as a Markdown table for docs/reliability.md."""
    total = len(requests)
    rows = Counter((r.fault or "none", r.after_forwarding) for r in requests)
    lines = [
        f"{total} requests in {elapsed:.0f}s",
        "| fault | answer lost after write | count | share |",
        "|---|---|---|---|",
    ]
    for (fault, after), count in sorted(rows.items()):
        lines.append(f"| {fault} | {'yes' if after else 'no'} | {count} | {count / total:.1%} |")
    throttled = Counter(r.operation for r in requests if r.fault == "throttled")
    lost = Counter(r.operation for r in requests if r.after_forwarding)
    lines += [
        "",
        "| operation | requests | throttled by its bucket | answers lost |",
        "|---|---|---|---|",
    ]
    sent = Counter(r.operation for r in requests)
    for operation, count in sent.most_common():
        lines.append(f"| {operation} | {count} | {throttled[operation]} | {lost[operation]} |")
    return "\n".join(lines)
