"""`ecsync validate` on every hostile case: a located error that says what to do, fast and small.

Each case runs the installed `ecsync validate` in a subprocess whose address
space and CPU time are capped: an alias bomb or a 50 MiB file that got
expanded would end in MemoryError (a traceback), a quadratic parse is killed
at the CPU limit, and a blocking read (a FIFO) hits the wall-clock timeout.
CPU time, not wall time, bounds the work, so a busy machine does not fail
the test. The runs take about 1.5 s of CPU each, mostly start-up, so they
run a few at a time in a module fixture and each test checks its own case.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.corpus import CASES, Case, MiB
from tests.support import cli

MEMORY = 1536 * MiB
"""RLIMIT_AS of each run: validate needs about a third of it."""
CPU_SECONDS = 20
"""RLIMIT_CPU of each run: a valid run needs about 1.5 s."""
TIMEOUT = 120.0
"""Wall clock, for what blocks without using CPU."""
OUTPUT = 16 * 1024
"""Bytes of stderr a case may print: errors quote what the user wrote, clipped."""
_LIMITED = (
    "import os, resource, sys; "
    "resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1]))); "
    "resource.setrlimit(resource.RLIMIT_CPU, (int(sys.argv[2]), int(sys.argv[2]))); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)
"""Caps memory and CPU, then becomes `ecsync`: preexec_fn is unsafe in a process with threads."""


@dataclass(frozen=True)
class Ran:
    root: Path
    outside: Path
    returncode: int | None
    """None when the run was killed at TIMEOUT; negative when the CPU limit killed it."""
    stdout: str
    stderr: str


def validate(case: Case, base: Path) -> Ran:
    """Build `case` under `base` and run `ecsync validate` on it."""
    root, outside = base / "manifests", base / "outside"
    root.mkdir()
    outside.mkdir()
    case.build(root, outside)
    limits = [str(MEMORY), str(CPU_SECONDS)]
    command = [sys.executable, "-c", _LIMITED, *limits, cli.ECSYNC, "validate", str(root)]
    try:
        done = subprocess.run(
            command, env=cli.aws_env(), capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as timeout:
        return Ran(root, outside, None, str(timeout.stdout), str(timeout.stderr))
    return Ran(root, outside, done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Ran]:
    """The run of every case selected in this session, a few at a time."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.module is sys.modules[__name__]
        and hasattr(item, "callspec")
    ]
    cases = [case for case in CASES if case in selected]
    bases = [tmp_path_factory.mktemp(case.id) for case in cases]  # not thread-safe: made here
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
        done = pool.map(validate, cases, bases)
        return {case.id: ran for case, ran in zip(cases, done, strict=True)}


def located(case: Case, ran: Ran) -> list[str]:
    """The stderr lines that point where `case` expects its error (or warning)."""
    file = case.file or str(ran.root)
    prefix = f"{file}:{case.line}:" if case.line else f"{file}: "
    lines = [line.removeprefix("warning: ") for line in ran.stderr.splitlines()]
    return [line for line in lines if line.startswith(prefix)]


def test_the_corpus_has_at_least_30_distinct_cases() -> None:
    """The corpus is large enough, and every case has a unique id."""
    ids = [case.id for case in CASES]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_case_is_reported_at_its_place_with_what_to_do(
    runs: dict[str, Ran], case: Case
) -> None:
    """validate exits 1 (0 for a warning) within the time and memory bounds, without a
    traceback, prints the error at file:line with what is wrong and what to do, and
    constructs nothing (python-tags would create `outside/pwned`)."""
    ran = runs[case.id]
    assert ran.returncode is not None, f"still running after {TIMEOUT} s"
    if ran.returncode < 0:
        pytest.fail(f"killed by {signal.Signals(-ran.returncode).name}: {ran.stderr[-2000:]}")
    assert ran.returncode == case.exit_code, ran.stderr[-2000:]
    assert "Traceback" not in ran.stderr, ran.stderr[-4000:]
    lines = located(case, ran)
    assert [line for line in lines if case.error in line and case.hint in line], (
        f"no error at {case.file or 'the root'}:{case.line} saying {case.error!r} "
        f"and {case.hint!r}:\n{ran.stderr[:3000]}"
    )
    assert len(ran.stderr) < OUTPUT
    if case.exit_code == 0:
        assert ran.stdout.endswith("valid\n")
    assert not (ran.outside / "pwned").exists()
