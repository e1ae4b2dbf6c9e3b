"""`ecsync local`: only the embedded AWS, so that `plan`, `apply` and `import` can be tried on it.

It starts the moto server that `--local` uses, seeds the sandbox the sample
manifests name, prints the endpoint and the shell lines that point AWS tools
(ecsync itself, boto3, the AWS CLI) at it, and serves until SIGINT or SIGTERM.
State lives in memory: it is gone when the command stops.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import FrameType
from typing import TextIO

from controller.aws.clients import DEFAULT_REGION, Aws, AwsConfig
from controller.cli import options

EXIT_OK = 0
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
"""moto takes any credentials; these dummies keep the standard chain from looking further."""


@contextmanager
def embedded(
    config: AwsConfig, port: int, *, placeholders_for: str | None = None
) -> Iterator[tuple[Aws, str]]:
    """An `Aws` on a fresh embedded AWS with the sandbox seeded, and its endpoint; the server
    stops on exit. `config` gives the region (default us-east-1) and how to call it.

    With `placeholders_for` (an instance name, for `--local`), the ECR images preflight is
    about to look up get placeholders in the repositories that instance owns.
    """
    for key, value in CREDENTIALS.items():
        os.environ.setdefault(key, value)
    from controller.aws import local  # noqa: PLC0415 - moto takes seconds to import: only here

    server = local.start_local(port)
    try:
        region = config.region or DEFAULT_REGION
        aws = Aws(replace(config, region=region, endpoint_url=server.endpoint_url, profile=None))
        local.seed_sandbox(aws)
        if placeholders_for is not None:
            aws.placeholder_images = functools.partial(
                local.put_placeholder_images, aws, placeholders_for
            )
        yield aws, server.endpoint_url
    finally:
        server.stop()


def serve(region: str | None, port: int, out: TextIO = sys.stdout) -> int:
    """Run the embedded AWS until SIGINT or SIGTERM; exit status 0."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
    with embedded(AwsConfig(region=region), port) as (aws, endpoint):
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
