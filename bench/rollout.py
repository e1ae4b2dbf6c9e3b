"""An image rollout to N services: ecsync (one manifest change, one daemon pass) against
fabfuel's ecs-deploy (one `ecs deploy` per service, as teams script it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import ecsync_local as local
from bench import fleet as fleets
from bench.servers import CountingProxy
from controller.apply.executor import apply_plan
from controller.apply.outcomes import Result
from controller.aws.clients import Aws, AwsConfig
from controller.core.kinds import ResourceId
from controller.core.resources import Desired
from controller.manifests.loader import load
from controller.plan.planner import PlanOptions
from controller.reconcile import batch
from controller.reconcile.sync import SyncOptions, sync
from tests.support import awsrules
from tests.support.awsproxy import THROTTLED, AwsProxy, Request
from tests.support.faults import is_write

if TYPE_CHECKING:
    from bench.main import Report

ECS_DEPLOY = "ecs-deploy==1.17.0"
TOOLS = Path(__file__).resolve().parent.parent / ".venv-bench-tools"
NEW_TAG = "2.0"


def ecs_deploy() -> Path:
    """The `ecs` command of ecs-deploy, installed into its own venv on first use."""
    command = TOOLS / "bin" / "ecs"
    if not command.exists():
        print(f"bench: installing {ECS_DEPLOY} into {TOOLS} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run(
            [
                str(TOOLS / "bin" / "pip"),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                ECS_DEPLOY,
            ],
            check=True,
        )
    return command


def compare(report: Report, endpoint: str, workdir: Path, services: int) -> None:
    from bench.main import build_fleet  # noqa: PLC0415 - main imports this module

    label = f"image rollout, {services} services"
    root = workdir / "ecsync"
    shape, _ = build_fleet(endpoint, services, root)
    sandbox = local.seed_sandbox(Aws(AwsConfig("us-east-1", endpoint)))
    with CountingProxy(endpoint) as proxy:
        daemon = RunningController(Aws(AwsConfig("us-east-1", proxy.endpoint)), root)
        fleets.write(shape, root, sandbox, image_tag=NEW_TAG)
        proxy.reset()
        started = time.perf_counter()
        results = daemon.change()
        ecsync_wall = time.perf_counter() - started
        ecsync_calls = proxy.total()
    if any(r.outcome.failed for r in results):
        raise RuntimeError("ecsync's rollout did not converge")
    _check_rolled_out(endpoint, shape)

    command = ecs_deploy()
    shape, _ = build_fleet(endpoint, services, workdir / "ecs-deploy")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    with CountingProxy(endpoint) as proxy:
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        started = time.perf_counter()
        index = 0
        for c, count in enumerate(shape.per_cluster):
            for _ in range(count):
                repo = f"team{index % shape.repositories:02d}/app"
                subprocess.run(
                    [
                        str(command), "deploy", f"fleet-{c:02d}", f"svc-{index:05d}",
                        "--image", "app", f"ghcr.io/acme/{repo}:{NEW_TAG}",
                        "--timeout", "-1",
                    ],
                    env=env, check=True, capture_output=True,
                )  # fmt: skip
                index += 1
        tool_wall = time.perf_counter() - started
        tool_calls = proxy.total()
    _check_rolled_out(endpoint, shape)

    report.add(label, "ecsync: API calls", f"{ecsync_calls}")
    report.add(label, "ecs-deploy: API calls", f"{tool_calls}")
    report.add(
        label,
        "calls, ecsync / ecs-deploy",
        f"{ecsync_calls / tool_calls:.2f}",
        "≤ 0.5",
        ecsync_calls / tool_calls <= 0.5,
    )
    report.add(label, "ecsync: wall seconds", f"{ecsync_wall:.2f}")
    report.add(label, "ecs-deploy: wall seconds", f"{tool_wall:.2f}")
    report.add(
        label,
        "speed-up, ecs-deploy time / ecsync time",
        f"{tool_wall / ecsync_wall:.1f}x",
        "≥ 10x",
        tool_wall / ecsync_wall >= 10,
    )


class RunningController:
    """What the daemon does, in process: it has synced once (its cache is warm); a
    manifest change then reconciles the changed resources and their dependents."""

    def __init__(self, aws: Aws, root: Path) -> None:
        self.aws, self.root = aws, root
        self.desired = self._load()
        batch.observe_subset(aws, self.desired, list(self.desired), PlanOptions())

    def _load(self) -> dict[ResourceId, Desired]:
        loaded = load(self.root)
        if not loaded.ok:
            raise RuntimeError(f"manifests failed to load: {loaded.errors[:3]}")
        return {d.id: d for d in loaded.resources}

    def change(self) -> list[Result]:
        new = self._load()
        changed = {rid for rid, d in new.items() if self.desired.get(rid) != d}
        changed |= batch.dependents(new, changed)
        self.desired = new
        observed = batch.observe_subset(self.aws, new, sorted(changed), PlanOptions())
        return apply_plan(self.aws, observed.plan, observed.live)


def _check_rolled_out(endpoint: str, shape: fleets.Fleet) -> None:
    """Every service runs a revision with the new image (both tools must really do the job)."""
    aws = Aws(AwsConfig("us-east-1", endpoint))
    for c in range(shape.clusters):
        arns = aws.ecs.list_services(cluster=f"fleet-{c:02d}", maxResults=100)["serviceArns"]
        for first in range(0, len(arns[:10]), 10):
            described = aws.ecs.describe_services(
                cluster=f"fleet-{c:02d}", services=arns[first : first + 10]
            )
            for service in described["services"]:
                definition = aws.ecs.describe_task_definition(
                    taskDefinition=service["taskDefinition"]
                )
                image = definition["taskDefinition"]["containerDefinitions"][0]["image"]
                if not image.endswith(f":{NEW_TAG}"):
                    raise RuntimeError(f"{service['serviceName']} still runs {image}")


def throttled(report: Report, endpoint: str, workdir: Path, services: int) -> None:
    """The same rollout through a stand-in that throttles like ECS, with ecsync pacing itself."""
    from bench.main import build_fleet  # noqa: PLC0415 - main imports this module

    label = f"throttled rollout, {services} services"
    root = workdir / "throttled"
    shape, _ = build_fleet(endpoint, services, root)
    sandbox = local.seed_sandbox(Aws(AwsConfig("us-east-1", endpoint)))
    fleets.write(shape, root, sandbox, image_tag=NEW_TAG)
    with AwsProxy(endpoint, throttle=True) as proxy:
        aws = Aws(AwsConfig("us-east-1", proxy.endpoint, rate_limit="on"))
        started = time.monotonic()
        result = sync(aws, root, SyncOptions(), apply=True)
        elapsed = time.monotonic() - started
        requests = proxy.requests
    if not result.converged:
        raise RuntimeError("the throttled rollout did not converge")
    throttled_errors = sum(1 for r in requests if r.fault == THROTTLED)
    floor = max(_floor(requests), 1e-9)  # a rollout within the bursts has no floor to speak of
    report.add(label, "wall seconds", f"{elapsed:.1f}")
    report.add(label, "floor the ECS buckets impose (s)", f"{floor:.1f}")
    report.add(label, "time / floor", f"{elapsed / floor:.2f}", "≤ 1.1", elapsed / floor <= 1.1)
    report.add(label, "throttling errors", f"{throttled_errors}", "0", throttled_errors == 0)


def _floor(requests: list[Request]) -> float:
    """Reads come before the first write (a plan needs the state it changes): the floor of
    the reading phase plus the floor of the writing phase."""
    calls = [(r.service, r.operation) for r in requests]
    first_write = next((i for i, r in enumerate(requests) if is_write(r.operation)), len(calls))
    return _bucket_floor(calls[:first_write]) + _bucket_floor(calls[first_write:])


def _bucket_floor(calls: list[tuple[str, str]]) -> float:
    """The least time the requests need: per bucket, whatever exceeds its burst at its refill."""
    per_bucket: dict[str, int] = {}
    rates = {}
    for service, operation in calls:
        found = awsrules.bucket_of(service, operation)
        if found is not None:
            name, rate = found
            per_bucket[name] = per_bucket.get(name, 0) + 1
            rates[name] = rate
    return max(
        (
            max(0.0, count - rates[name].burst) / rates[name].refill
            for name, count in per_bucket.items()
        ),
        default=0.0,
    )
