"""The simulated AWS that the container tests point the image at.

Run from the repository root with the project's venv:

    .venv/bin/python -m tests.container.local_aws

This is `ecsync --local`'s own moto (the optional `ecsync_local` package, with
ecsync's moto fixes, which live in the server's process) and the seeded sandbox
that the sample manifests name.
It listens on a free port of 127.0.0.1, prints the endpoint as one line on
stdout, and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from controller.aws.clients import Aws, AwsConfig
from ecsync_local import seed_sandbox, start_local


def main() -> int:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = start_local()
    try:
        seed_sandbox(Aws(AwsConfig(region="us-east-1", endpoint_url=server.endpoint_url)))
        print(server.endpoint_url, flush=True)
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
