"""What the product loads at run time for `--local` and `ecsync local`.

`controller.cli.local` imports this module by name (importlib) only when asked
for the embedded AWS, and says what to install when it cannot: nothing in
`controller` imports `ecsync_local` or moto.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from controller.aws.clients import DEFAULT_REGION, Aws, AwsConfig
from ecsync_local import placeholders, sandbox, server


@contextmanager
def embedded(
    config: AwsConfig, port: int, *, placeholders_for: str | None = None
) -> Iterator[tuple[Aws, str]]:
    """An `Aws` on a fresh embedded AWS with the sandbox seeded, and its endpoint; the server
    stops on exit. `config` gives the region (default us-east-1) and how to call it.

    With `placeholders_for` (an instance name, for `--local`), the ECR images preflight is
    about to look up get placeholders in the repositories that instance owns.
    """
    local = server.start_local(port)
    try:
        region = config.region or DEFAULT_REGION
        aws = Aws(replace(config, region=region, endpoint_url=local.endpoint_url, profile=None))
        sandbox.seed_sandbox(aws)
        if placeholders_for is not None:
            aws.placeholder_images = functools.partial(
                placeholders.put_placeholder_images, aws, placeholders_for
            )
        yield aws, local.endpoint_url
    finally:
        local.stop()
