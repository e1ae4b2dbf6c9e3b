"""An image rollout to N services: by `ecsync run` (one commit), by `ecsync apply` (one CI
step), and by fabfuel's ecs-deploy (one `ecs deploy` per service, as teams script it).

The three run one after another on the same fleet, each to a new tag, each
through its own counting proxy, and each result is checked: every service
runs a revision with the new image. ecs-deploy runs with `--timeout -1`: it
does not wait for the deployment, as ecsync does not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import boto3

from bench import builder, latency
from bench import fleet as fleets
from bench.procs import MeasuredDaemon, run_cli
from bench.report import Missed, Section
from bench.servers import CountingProxy

ECS_DEPLOY = "ecs-deploy==1.17.0"
TOOLS = Path(__file__).resolve().parent.parent / ".venv-bench-tools"


def ecs_deploy() -> Path:
    """The `ecs` command of ecs-deploy, installed into its own venv on first use."""
    command = TOOLS / "bin" / "ecs"
    if not command.exists():
        print(f"bench: installing {ECS_DEPLOY} into {TOOLS} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run(
            [str(TOOLS / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
             ECS_DEPLOY],
            check=True,
        )  # fmt: skip
    return command


def compare(section: Section, endpoint: str, region: str, shape: fleets.Fleet, root: Path) -> None:
    network = builder.build(endpoint, region, shape, root)
    n = shape.services
    daemon_calls, daemon_wall = _by_daemon(endpoint, region, shape, root, network, "2.0")
    _check_rolled_out(endpoint, region, shape, "2.0")
    fleets.write(shape, root, network, image_tag="3.0")
    with CountingProxy(endpoint) as proxy:
        applied = run_cli(
            ["apply", str(root), "--region", region, "--endpoint-url", proxy.endpoint,
             "--log-format", "json", "--log-level", "error"],
            timeout=300,
        )  # fmt: skip
        apply_calls = proxy.snapshot().total()
    if applied.exit_code != 0:
        raise Missed(f"ecsync apply exited {applied.exit_code}: {applied.output[-300:]}")
    _check_rolled_out(endpoint, region, shape, "3.0")
    tool_calls, tool_wall = _by_ecs_deploy(endpoint, region, shape, "4.0")
    _check_rolled_out(endpoint, region, shape, "4.0")

    section.add("ecsync run: calls per service", f"{daemon_calls / n:.2f}")
    section.add("ecsync apply: calls per service", f"{apply_calls / n:.2f}")
    section.add("ecs-deploy: calls per service", f"{tool_calls / n:.2f}")
    section.add("calls, ecsync run / ecs-deploy", f"{daemon_calls / tool_calls:.2f}")
    section.add("calls, ecsync apply / ecs-deploy", f"{apply_calls / tool_calls:.2f}")
    section.add("ecsync run: wall s (file write → last update)", f"{daemon_wall:.2f}")
    section.add("ecsync apply: wall s", f"{applied.wall:.2f}")
    section.add("ecs-deploy: wall s", f"{tool_wall:.2f}")
    section.add("time, ecs-deploy / ecsync run", f"{tool_wall / daemon_wall:.1f}x")
    section.add("time, ecs-deploy / ecsync apply", f"{tool_wall / applied.wall:.1f}x")


def _by_daemon(
    endpoint: str, region: str, shape: fleets.Fleet, root: Path, network: fleets.Network, tag: str
) -> tuple[int, float]:
    """Calls and seconds from the first file write to the last UpdateService of the rollout."""
    with CountingProxy(endpoint) as proxy:
        daemon = MeasuredDaemon(
            proxy.endpoint,
            ["--source", str(root), "--region", region, "--resync", "1h"],
            root.with_name(f"{root.name}-cache"),
        )
        try:
            try:
                daemon.wait_for("sync_ready", timeout=120)
            except AssertionError as error:
                daemon.alive()
                raise Missed("the rollout fleet's daemon never became ready") from error
            latency.settle(proxy)
            before = proxy.snapshot().total()
            started = time.time()
            fleets.write(shape, root, network, image_tag=tag)
            deadline = time.monotonic() + 120
            while len(_updates(proxy, started)) < shape.services:
                if time.monotonic() > deadline:
                    raise Missed(f"ecsync run updated {len(_updates(proxy, started))} services")
                daemon.alive()
                time.sleep(0.01)
            last = _updates(proxy, started)[-1]
            latency.settle(proxy)
            return proxy.snapshot().total() - before, last - started
        finally:
            daemon.stop(timeout=30)


def _updates(proxy: CountingProxy, since: float) -> list[float]:
    return [at for at, operation in proxy.writes_since(since) if operation == "UpdateService"]


def _by_ecs_deploy(endpoint: str, region: str, shape: fleets.Fleet, tag: str) -> tuple[int, float]:
    command = ecs_deploy()
    with CountingProxy(endpoint) as proxy:
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": proxy.endpoint,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
        }
        started = time.monotonic()
        for index, cluster in shape.placement():
            team = f"team{index % shape.repositories:02d}"
            subprocess.run(
                [str(command), "deploy", cluster, fleets.service_name(index),
                 "--image", "app", f"ghcr.io/acme/{team}/app:{tag}", "--timeout", "-1"],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        return proxy.snapshot().total(), time.monotonic() - started


def _check_rolled_out(endpoint: str, region: str, shape: fleets.Fleet, tag: str) -> None:
    """Every service runs a revision with the image tag `tag` (each tool really did the job)."""
    ecs = boto3.client("ecs", endpoint_url=endpoint, region_name=region)
    by_cluster: dict[str, list[str]] = {}
    for index, cluster in shape.placement():
        by_cluster.setdefault(cluster, []).append(fleets.service_name(index))
    for cluster, names in by_cluster.items():
        for first in range(0, len(names), 10):
            described = ecs.describe_services(cluster=cluster, services=names[first : first + 10])
            for service in described["services"]:
                definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
                image = definition["taskDefinition"]["containerDefinitions"][0]["image"]
                if not image.endswith(f":{tag}"):
                    raise Missed(f"{service['serviceName']} runs {image}, not tag {tag}")
