"""The `jobs` stack the one-off task and hook tests apply: manifest text, one file.

A cluster `jobs` and a Fargate family `app`, then whichever tasks (hooks or
plain one-off runs) and services of that family a test needs, on the sandbox's
network.
"""

from __future__ import annotations

from pathlib import Path

import ecsync_local as local
from tests.support.shop import network


def family(image: str = "app:1") -> str:
    """The `jobs` cluster and the `app` task definition, its one container running `image`."""
    return f"""
apiVersion: ecsync/v1
kind: Cluster
metadata: {{name: jobs}}
spec: {{}}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: app}}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions: [{{name: app, image: "{image}"}}]
"""


def task(sandbox: local.Sandbox, name: str, command: str, annotations: str = "") -> str:
    """A task `name` of the `app` family running `command`, with `annotations` (the entries of
    a YAML flow mapping: `ecsync/hook: post-sync`)."""
    annotated = f", annotations: {{{annotations}}}" if annotations else ""
    return f"""
---
apiVersion: ecsync/v1
kind: Task
metadata: {{name: {name}{annotated}}}
spec:
  cluster: jobs
  taskDefinition: app
  launchType: FARGATE
  networkConfiguration: {network(sandbox)}
  overrides: {{containerOverrides: [{{name: app, command: [{command}]}}]}}
"""


def service(sandbox: local.Sandbox, name: str, cluster: str = "jobs", family: str = "app") -> str:
    """A service `name` of one task of `family` in `cluster`."""
    return f"""
---
apiVersion: ecsync/v1
kind: Service
metadata: {{name: {name}}}
spec:
  cluster: {cluster}
  taskDefinition: {family}
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration: {network(sandbox)}
"""


def write(root: Path, text: str) -> Path:
    """`text` as the one manifest file of `root` (made if missing)."""
    root.mkdir(exist_ok=True)
    (root / "stack.yaml").write_text(text)
    return root
