"""ecsync as users run it, measured from the outside: CPU and memory from /proc.

CPU is the process's user + system time (`/proc/<pid>/stat`, every thread);
memory is its peak resident set (`VmHWM` in `/proc/<pid>/status`). The
daemon's `ecsync_reconcile_total` grows by one for every resource a pass
reconciles: a resync of R resources adds R, however the daemon splits it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.cli import ECSYNC, aws_env
from tests.support.daemon import Daemon

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory of process `pid` since it started (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM")


@dataclass(frozen=True)
class Finished:
    """A command that ran to its end."""

    exit_code: int
    wall: float
    cpu: float
    peak_mib: float
    output: str


def run_cli(args: Sequence[str], *, timeout: float) -> Finished:
    """`ecsync ARGS`, with its exact CPU time (from wait4) and its peak memory (the last
    VmHWM read before it exited; the peak never falls)."""
    started = time.monotonic()
    with (
        open(os.devnull, "rb") as stdin,
        subprocess.Popen(
            [ECSYNC, *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=aws_env(),
        ) as process,
    ):  # fmt: skip
        chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()))  # type: ignore[union-attr]
        reader.start()
        peak = 0.0
        while True:
            with contextlib.suppress(OSError, RuntimeError):  # exited: wait4 reaps it below
                peak = peak_rss_mib(process.pid)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - started > timeout:
                process.kill()
                raise TimeoutError(f"ecsync {' '.join(args[:2])} ran over {timeout:.0f} s")
            time.sleep(0.05)
        reader.join()
    return Finished(
        exit_code=process.returncode,
        wall=time.monotonic() - started,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mib=peak,
        output=b"".join(chunks).decode(errors="replace"),
    )


class MeasuredDaemon(Daemon):
    """`ecsync run`, with its CPU, memory and passes read from outside."""

    def __init__(self, endpoint: str, args: Sequence[str], cache_dir: Path) -> None:
        self.started = time.monotonic()
        super().__init__(endpoint, args, cache_dir)

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def peak_mib(self) -> float:
        return peak_rss_mib(self.pid)

    def reconciled(self) -> float:
        """`ecsync_reconcile_total` summed over kinds and results."""
        status, body = self.get("/metrics")
        if status != 200:
            raise RuntimeError(f"/metrics answered {status}")
        total = 0.0
        found = False
        for line in body.decode().splitlines():
            if line.startswith("ecsync_reconcile_total{"):
                total += float(line.rsplit(" ", 1)[1])
                found = True
        if not found:
            raise RuntimeError("/metrics has no ecsync_reconcile_total: cannot tell passes apart")
        return total

    def alive(self) -> None:
        if self.process.poll() is not None:
            tail = "".join(self.lines[-30:])
            raise RuntimeError(f"ecsync run exited with {self.process.returncode}:\n{tail}")
