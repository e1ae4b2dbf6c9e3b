"""Running the installed `ecsync` console script, the way users run it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ECSYNC = str(Path(sys.executable).with_name("ecsync"))
"""The console script installed next to the interpreter running the tests."""


def aws_env(**extra: str) -> dict[str, str]:
    """The caller's environment with dummy credentials and no profile or endpoint of its own."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        **extra,
    }
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return env


def run(
    *args: str, timeout: float = 60, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`ecsync ARGS...` with the variables of `env` set too, output captured; the exit code is
    the caller's to check."""
    return subprocess.run(
        [ECSYNC, *args],
        env=aws_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
