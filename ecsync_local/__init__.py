"""The embedded AWS of `--local`, the tests and the benchmarks: moto with ecsync's fixes.

An optional part (`pip install 'ecsync[local]'` brings moto): the product never
imports it, and reaches it only at run time through `ecsync_local.hook`. It
imports the product (the AWS layer to seed the sandbox, the refusal rules that
the fixes enforce). Without moto, importing it fails with ModuleNotFoundError.

- `server`: moto's server on 127.0.0.1 with the fixes applied;
- `fixes`: the patches that make moto answer and refuse as AWS does;
- `sandbox`: the seeded network and Auto Scaling group sample manifests name;
- `placeholders`: images in the embedded ECR standing for what CI would push.
"""

from __future__ import annotations

from ecsync_local.placeholders import put_placeholder_images
from ecsync_local.sandbox import SANDBOX_NAME, Sandbox, seed_sandbox
from ecsync_local.server import LocalAws, start_local

__all__ = [
    "SANDBOX_NAME",
    "LocalAws",
    "Sandbox",
    "put_placeholder_images",
    "seed_sandbox",
    "start_local",
]
