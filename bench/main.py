"""`python -m bench`: ecsync's processes against the embedded AWS, one table of ratios.

Every number is measured from outside the product: the real `ecsync run`,
`ecsync plan` and `ecsync apply` as processes, their CPU and memory from
/proc, their calls from a counting proxy in front of the embedded AWS.

Scenarios, each fleet in a Region of its own in one embedded AWS:
- no-op: at each size, a cold `ecsync plan`, then `ecsync run` resyncing a
  fleet in sync (calls against the minimum, CPU per pass, memory, writes);
- throttled: the first sync of the largest fleet by `ecsync run` through
  ECS's token buckets, against the time floor the buckets impose; then
  one-service edits, from the file write to the first write call;
- rollout: an image change to a small fleet by the daemon and by
  `ecsync apply`, against fabfuel's ecs-deploy.
The throttled scenario mostly waits on the buckets, so it runs beside the
others. Exit status: 0 when the run completed, whatever it measured (missed
targets are MISSED rows); 1 when the harness itself failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from bench import builder, noop, rollout, throttled
from bench import fleet as fleets
from bench.report import Missed, Report, Section
from bench.servers import moto_process

LARGEST_REGION = "us-east-1"
ROLLOUT_REGION = "eu-west-1"
REGIONS = ("us-west-2", "eu-central-1", "ap-southeast-2", "ca-central-1", "sa-east-1")
"""Regions of the smaller no-op fleets, one per size."""
MINUTES_TARGET = 15
T = TypeVar("T")


@dataclass(frozen=True)
class Preset:
    sizes: tuple[int, ...]
    rollout: int
    edits: int
    passes: int
    """No-op passes measured per size, after one to warm up."""


FULL = Preset(sizes=(1000, 5000, 10000), rollout=50, edits=10, passes=2)
QUICK = Preset(sizes=(10, 30), rollout=2, edits=3, passes=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: the harness's own test")
    parser.add_argument(
        "--sizes",
        help="comma-separated fleet sizes; the largest is also the throttled one "
        f"(default {','.join(map(str, FULL.sizes))})",
    )
    parser.add_argument("--rollout", type=int, help="services in the rollout scenario")
    parser.add_argument("--edits", type=int, help="one-service edits timed in the largest fleet")
    parser.add_argument("--only", default="noop,throttled,rollout", help="scenarios to run")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    preset = QUICK if args.quick else FULL
    sizes = sorted({int(s) for s in args.sizes.split(",")} if args.sizes else preset.sizes)
    if len(sizes) > len(REGIONS) + 1:
        parser.error(f"at most {len(REGIONS) + 1} sizes")
    _isolate_credentials()
    report = Report()
    started = time.monotonic()
    with moto_process() as endpoint, tempfile.TemporaryDirectory(prefix="ecsync-bench-") as tmp:
        run = Run(report, endpoint, Path(tmp), sizes)
        run.go(
            set(args.only.split(",")),
            rollout_services=args.rollout or preset.rollout,
            edits=args.edits or preset.edits,
            passes=preset.passes,
        )
    minutes = (time.monotonic() - started) / 60
    report.section("whole run").add(
        "wall minutes", f"{minutes:.1f}", f"< {MINUTES_TARGET}", minutes < MINUTES_TARGET
    )
    table = report.table()
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    print(f"bench: {report.missed()} target(s) missed", file=sys.stderr)
    return 1 if run.broken else 0


def _isolate_credentials() -> None:
    """The embedded AWS takes any credentials; never let a benchmark reach a real account."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=LARGEST_REGION
    )


class Run:
    """One run: the scenarios in order, the throttled one on a thread of its own.

    The sections are opened first, so the table lists them in this order
    whichever scenario ends first.
    """

    def __init__(self, report: Report, endpoint: str, workdir: Path, sizes: list[int]) -> None:
        self.report, self.endpoint, self.workdir, self.sizes = report, endpoint, workdir, sizes
        self.largest = fleets.fleet(sizes[-1])
        self.noop = {n: report.section(f"no-op fleet, {n} services") for n in sizes}
        self.growth = report.section("no-op pass, CPU against fleet size")
        n = self.largest.services
        self.first_sync = report.section(f"first sync through ECS's buckets, {n} services")
        self.edits = report.section(f"one-service edit, {n} services")
        self.quiet = threading.Event()
        """Set once nothing but the throttled daemon reads the largest fleet (edits may start)."""
        self.broken = False

    def go(self, only: set[str], *, rollout_services: int, edits: int, passes: int) -> None:
        rollout_section = self.report.section(f"image rollout, {rollout_services} services")
        network = None
        if "noop" in only or "throttled" in only:
            network = self._build(self.noop[self.largest.services], LARGEST_REGION, self.largest)
        background = threading.Thread(target=self._throttled, args=(network, edits), daemon=True)
        if network is not None and "throttled" in only:
            background.start()
        try:
            if "rollout" in only:
                shape = fleets.fleet(rollout_services)
                self._step(
                    rollout_section,
                    lambda: rollout.compare(
                        rollout_section, self.endpoint, ROLLOUT_REGION, shape, self._root(shape)
                    ),
                )
            if "noop" in only:
                self._noops(passes, largest_built=network is not None)
        finally:
            self.quiet.set()
        if background.is_alive():
            background.join()

    def _throttled(self, network: fleets.Network, edits: int) -> None:
        def run() -> None:
            throttled.first_sync_then_edits(
                self.first_sync, self.edits, self.endpoint, LARGEST_REGION, self.largest,
                self._root(self.largest), network, edits=edits, quiet=self.quiet,
            )  # fmt: skip

        self._step(self.first_sync, run)

    def _noops(self, passes: int, *, largest_built: bool) -> None:
        measured = []
        regions = (*REGIONS[: len(self.sizes) - 1], LARGEST_REGION)
        for n, region in zip(self.sizes, regions, strict=True):
            shape, section = fleets.fleet(n), self.noop[n]
            if shape == self.largest:
                if not largest_built:
                    continue  # its build failed, and said so
            elif self._build(section, region, shape) is None:
                continue
            root = self._root(shape)
            measure = partial(noop.measure, section, self.endpoint, region, shape, root)
            result = self._step(section, partial(measure, passes=passes, plan=n == self.sizes[0]))
            if result is not None:
                measured.append(result)
        noop.growth(self.growth, measured)

    def _root(self, shape: fleets.Fleet) -> Path:
        return self.workdir / f"fleet-{shape.services}"

    def _build(self, section: Section, region: str, shape: fleets.Fleet) -> fleets.Network | None:
        def build() -> fleets.Network:
            started = time.monotonic()
            network = builder.build(self.endpoint, region, shape, self._root(shape))
            section.note(f"fleet of {shape.services} built in {time.monotonic() - started:.0f} s")
            return network

        return self._step(section, build)

    def _step(self, section: Section, step: Callable[[], T]) -> T | None:
        """`step`'s result; a product shortfall becomes a MISSED row, a harness error marks
        the run broken (exit 1); either way the run goes on."""
        try:
            return step()
        except (Missed, TimeoutError) as error:
            section.missed(error)
        except Exception as error:  # reported, and the run exits 1
            traceback.print_exc()
            section.add("completed", f"harness error: {error}", "yes", False)
            self.broken = True
        return None
