"""One controller process measuring no-op resyncs, as the daemon's resync timer runs them.

Run by `bench.main` as a child process, so that its CPU time and peak memory
are the controller's alone. Protocol on stdout/stdin: it prints `warm` after
the first (cache-filling) resync and waits for a line before the measured
ones, so the parent can zero its counting proxy in between; then it prints
one JSON line with the results.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from controller.aws.clients import Aws, AwsConfig
from controller.cli.logs import configure
from controller.core.kinds import ResourceId
from controller.core.resources import Desired
from controller.manifests.loader import load
from controller.plan.planner import PlanOptions
from controller.reconcile import batch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--resyncs", type=int, default=3)
    args = parser.parse_args()
    configure("json", "warning", stream=sys.stderr)

    loaded = load(args.root)
    if not loaded.ok:
        raise SystemExit(f"manifests failed to load: {loaded.errors[:3]}")
    desired = {d.id: d for d in loaded.resources}
    aws = Aws(AwsConfig("us-east-1", args.endpoint))
    options = PlanOptions()

    resync(aws, desired, options)  # the daemon's first pass fills the task definition cache
    print("warm", flush=True)
    sys.stdin.readline()

    before = dict(aws.stats)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(args.resyncs):
        planned = resync(aws, desired, options)
        if planned:
            raise SystemExit(
                f"a no-op resync planned {planned} action(s): the fleet is not in sync"
            )
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    calls: dict[str, int] = {}
    for (operation, outcome), count in aws.stats.items():
        gained = count - before.get((operation, outcome), 0)
        if gained:
            calls[operation] = calls.get(operation, 0) + gained
    peak_kib = peak_rss_kib()
    print(
        json.dumps(
            {
                "resyncs": args.resyncs,
                "calls": calls,
                "cpu_seconds": cpu / args.resyncs,
                "wall_seconds": wall / args.resyncs,
                "peak_mib": peak_kib / 1024,
            }
        ),
        flush=True,
    )


def peak_rss_kib() -> int:
    """This process's peak resident memory since its exec (VmHWM).

    getrusage's ru_maxrss is not used: on Linux it carries over the pages of
    the forked parent, which here is the benchmark with its own moto imports.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def resync(aws: Aws, desired: dict[ResourceId, Desired], options: PlanOptions) -> int:
    observation = batch.observe_subset(aws, desired, list(desired), options)
    return len(observation.plan.actions) + len(observation.plan.problems)


if __name__ == "__main__":
    main()
