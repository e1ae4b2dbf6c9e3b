"""`python -m bench`: every scenario against moto on 127.0.0.1, one table of ratios.

Each scenario measures side by side in the same run (ecsync against the
minimum the AWS batch limits allow, or against another tool on the same
fleet), because absolute times on shared machines are noise.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ecsync_local as local
from bench import fleet as fleets
from bench import latency, rollout
from bench.servers import CountingProxy, moto_process
from controller.aws.clients import Aws, AwsConfig
from controller.cli.logs import configure
from controller.reconcile.sync import SyncOptions, sync

REGION = "us-east-1"


@dataclass
class Row:
    scenario: str
    metric: str
    value: str
    target: str
    ok: bool | None = None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(
        self, scenario: str, metric: str, value: str, target: str = "", ok: bool | None = None
    ) -> None:
        self.rows.append(Row(scenario, metric, value, target, ok))
        mark = "" if ok is None else ("  ok" if ok else "  MISSED")
        print(
            f"  {scenario:<28} {metric:<44} {value:>14}  {target}{mark}",
            file=sys.stderr,
            flush=True,
        )

    def table(self) -> str:
        lines = [
            "| scenario | metric | measured | target | |",
            "|---|---|---:|---|---|",
        ]
        for r in self.rows:
            verdict = "" if r.ok is None else ("met" if r.ok else "**missed**")
            lines.append(f"| {r.scenario} | {r.metric} | {r.value} | {r.target} | {verdict} |")
        return "\n".join(lines)


def reset(endpoint: str) -> Aws:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30):
        pass
    return Aws(AwsConfig(REGION, endpoint))


def build_fleet(endpoint: str, services: int, root: Path) -> tuple[fleets.Fleet, Aws]:
    """A fresh moto with the sandbox and `services` services applied by ecsync itself."""
    aws = reset(endpoint)
    sandbox = local.seed_sandbox(aws)
    shape = fleets.fleet(services)
    fleets.write(shape, root, sandbox)
    report = sync(aws, root, SyncOptions(), apply=True)
    failed = [r for r in report.results if r.outcome.failed]
    if failed or not report.loaded.ok:
        raise RuntimeError(f"fleet of {services} did not converge: {failed[:3]}")
    return shape, aws


def minimum_resync_calls(shape: fleets.Fleet, active_revisions: int) -> dict[str, int]:
    """The fewest calls that observe the whole fleet within AWS's batch limits.

    Derived in docs/benchmarks.md."""
    return {
        "DescribeRepositories": math.ceil(shape.repositories / 100),
        "GetLifecyclePolicy": shape.repositories,  # no batch form exists
        "ListTagsForResource": shape.repositories,  # ECR tags: one repository per call
        "DescribeClusters": math.ceil(shape.clusters / 100),
        "DescribeServices": sum(math.ceil(n / 10) for n in shape.per_cluster),
        "ListTaskDefinitions": max(1, math.ceil(active_revisions / 100)),
    }


def active_revisions(aws: Aws) -> int:
    paginator = aws.ecs.get_paginator("list_task_definitions")
    return sum(len(p["taskDefinitionArns"]) for p in paginator.paginate(status="ACTIVE"))


def noop_resync(report: Report, endpoint: str, sizes: list[int], workdir: Path) -> None:
    for n in sizes:
        root = workdir / f"fleet-{n}"
        started = time.perf_counter()
        shape, aws = build_fleet(endpoint, n, root)
        print(
            f"bench: fleet of {n} services built in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        minimum = minimum_resync_calls(shape, active_revisions(aws))
        with CountingProxy(endpoint) as proxy:
            measured = _run_noop_worker(proxy, root, resyncs=3)
            outside = proxy.total() / measured["resyncs"]
        calls = {op: count / measured["resyncs"] for op, count in measured["calls"].items()}
        own = sum(calls.values())
        print(
            f"bench: calls per resync {dict(sorted(calls.items()))}; minimum {minimum}",
            file=sys.stderr,
        )
        floor = sum(minimum.values())
        label = f"no-op resync, {n} services"
        report.add(label, "AWS calls per resync (ecsync's count)", f"{own:.0f}")
        report.add(
            label,
            "AWS calls per resync (counting proxy)",
            f"{outside:.0f}",
            "= ecsync's count",
            abs(outside - own) < 0.5,
        )
        report.add(label, "theoretical minimum", f"{floor}")
        report.add(label, "calls / minimum", f"{own / floor:.3f}", "≤ 1.05", own / floor <= 1.05)
        td_reads = calls.get("DescribeTaskDefinition", 0)
        report.add(
            label, "task definition reads (warm cache)", f"{td_reads:.0f}", "0", td_reads == 0
        )
        cpu = measured["cpu_seconds"]
        report.add(
            label,
            "controller CPU seconds per resync",
            f"{cpu:.3f}",
            "≤ 0.5 at 1,000" if n == 1000 else "",
            cpu <= 0.5 if n == 1000 else None,
        )
        report.add(label, "wall seconds per resync", f"{measured['wall_seconds']:.2f}")
        peak = measured["peak_mib"]
        report.add(
            label,
            "peak memory (MiB)",
            f"{peak:.0f}",
            "≤ 200 at 5,000" if n == 5000 else "",
            peak <= 200 if n == 5000 else None,
        )


def _run_noop_worker(proxy: CountingProxy, root: Path, resyncs: int) -> dict:  # type: ignore[type-arg]
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.noop",
            "--endpoint",
            proxy.endpoint,
            "--root",
            str(root),
            "--resyncs",
            str(resyncs),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    if child.stdout.readline().strip() != "warm":
        raise RuntimeError("the no-op worker failed before its first resync")
    proxy.reset()
    child.stdin.write("go\n")
    child.stdin.flush()
    result: dict = json.loads(child.stdout.readline())  # type: ignore[type-arg]
    child.wait(timeout=60)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes", default="100,1000,5000", help="fleet sizes of the no-op resync scenario"
    )
    parser.add_argument(
        "--rollout", type=int, default=100, help="services in the image rollout scenario"
    )
    parser.add_argument("--latency-samples", type=int, default=20)
    parser.add_argument("--only", default="noop,rollout,latency,throttled")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    configure("json", "error", stream=sys.stderr)
    # moto accepts any credentials; never let a benchmark reach a real account's.
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=REGION
    )
    only = set(args.only.split(","))
    report = Report()
    scenarios: list[tuple[str, Callable[[Report, str, Path], None]]] = [
        ("noop", lambda r, e, w: noop_resync(r, e, [int(s) for s in args.sizes.split(",")], w)),
        ("rollout", lambda r, e, w: rollout.compare(r, e, w, args.rollout)),
        ("latency", lambda r, e, w: latency.measure(r, e, w, args.latency_samples)),
        ("throttled", lambda r, e, w: rollout.throttled(r, e, w, args.rollout)),
    ]
    with moto_process() as endpoint, tempfile.TemporaryDirectory(prefix="ecsync-bench-") as tmp:
        for name, run in scenarios:
            if name in only:
                run(report, endpoint, Path(tmp) / name)
    table = report.table()
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0 if all(r.ok is not False for r in report.rows) else 1
