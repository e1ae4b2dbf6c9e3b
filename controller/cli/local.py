"""`ecsync local`: only the embedded AWS, so that `plan`, `apply` and `import` can be tried on it.

It starts the moto server that `--local` uses, seeds the sandbox the sample
manifests name, prints the endpoint and the shell lines that point AWS tools
(ecsync itself, boto3, the AWS CLI) at it, and serves until SIGINT or SIGTERM.
State lives in memory: it is gone when the command stops.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import FrameType
from typing import Protocol, TextIO

from controller.aws.clients import Aws, AwsConfig
from controller.cli import options

EXIT_OK = 0
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
"""moto takes any credentials; these dummies keep the standard chain from looking further."""

LOCAL_MODULE = "ecsync_local.hook"
"""The embedded AWS, an optional part (`pip install 'ecsync[local]'` brings moto). It is
imported by name and only here, when asked for: nothing in `controller` imports it or moto."""


class LocalUnavailableError(Exception):
    """The embedded AWS is not installed; the message says what to install."""


class _Embedded(Protocol):
    def __call__(
        self, config: AwsConfig, port: int, *, placeholders_for: str | None
    ) -> AbstractContextManager[tuple[Aws, str]]: ...


@contextmanager
def embedded(
    config: AwsConfig, port: int, *, placeholders_for: str | None = None, asked_by: str = "--local"
) -> Iterator[tuple[Aws, str]]:
    """An `Aws` on a fresh embedded AWS with the sandbox seeded, and its endpoint; the server
    stops on exit. `config` gives the region (default us-east-1) and how to call it.

    With `placeholders_for` (an instance name, for `--local`), the ECR images preflight is
    about to look up get placeholders in the repositories that instance owns. Raises
    `LocalUnavailableError` (naming `asked_by`) when the embedded AWS is not installed.
    """
    start = _load(asked_by)
    for key, value in CREDENTIALS.items():
        os.environ.setdefault(key, value)
    with start(config, port, placeholders_for=placeholders_for) as (aws, endpoint):
        yield aws, endpoint


def _load(asked_by: str) -> _Embedded:
    """The hook of the embedded AWS; moto takes seconds to import, so only when asked for."""
    try:
        hook = importlib.import_module(LOCAL_MODULE)
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] == "controller":
            raise  # a bug, not a missing install
        # ecsync_local itself, moto, or one of moto's own dependencies.
        raise LocalUnavailableError(
            f"{asked_by} needs the embedded AWS: pip install 'ecsync[local]'"
        ) from error
    start: _Embedded = hook.embedded
    return start


def serve(region: str | None, port: int, out: TextIO = sys.stdout) -> int:
    """Run the embedded AWS until SIGINT or SIGTERM; exit status 0."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
    with embedded(AwsConfig(region=region), port, asked_by="ecsync local") as (aws, endpoint):
        print(instructions(endpoint, aws.region), file=out, flush=True)
        while not stop.wait(1.0):
            pass
    print("ecsync: local AWS stopped; its state is gone", file=out, flush=True)
    return EXIT_OK


def instructions(endpoint: str, region: str) -> str:
    """What `ecsync local` prints: the endpoint, and the lines that use it."""
    variables = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        **CREDENTIALS,
    }
    exports = " ".join(f"{name}={value}" for name, value in variables.items())
    return "\n".join(
        [
            f"ecsync: local AWS (moto) at {endpoint}",
            "In another shell, point ecsync, boto3 and the AWS CLI at it:",
            f"export {exports}",
            "ecsync apply manifests/ && ecsync plan manifests/",
            "Images are checked as on AWS: push a tag to its repository before a task "
            "definition names it, or use --skip-preflight.",
            "Stop it with Ctrl-C (the state is kept in memory only).",
        ]
    )


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--region", help="the region to serve (default: us-east-1)")
    options.add(command, "local_port", help="port on 127.0.0.1 to listen on (0: any free one)")
    for name in ("log_format", "log_level"):
        options.add(command, name)


def run(args: argparse.Namespace) -> int:
    return serve(args.region, args.local_port)
