"""`ecsync validate` on folders of mistakes that AWS refuses at apply time: each is named.

The installed CLI runs as a subprocess, with no AWS endpoint at all: validate
makes no AWS calls.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import cli
from tests.unit.manifests.refusal_cases import FOLDER, cases

SHOP: dict[str, str] = {
    "web.yaml": """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: web}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions:
    - name: web
      portMappings: [{containerPort: 80}]
      environment:
        - {name: LOG_LEVEL, value: info}
        - {name: LOG_LEVEL, value: debug}
""",
    "api.yaml": """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: api}
spec:
  cpu: abc
  containerDefinitions:
    - {name: api, image: "example/api:2", memory: 512}
    - {name: api, image: "envoyproxy/envoy:v1.31", memory: 128}
""",
    "worker.yaml": """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: worker}
spec:
  memory: "-512"
  containerDefinitions:
    - {name: worker, image: "example/worker:7"}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: batch}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: 2 vCPU
  memory: 1 GB
  containerDefinitions:
    - {name: batch, image: "example/batch:1"}
""",
    "services.yaml": """\
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec:
  cluster: shop
  taskDefinition: "web:3"
  desiredCount: -1
  healthCheckGracePeriodSeconds: -5
""",
    "migrate.yaml": """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: migrate}
spec:
  containerDefinitions:
    - {name: migrate, image: "example/api:2", memory: 256}
---
apiVersion: ecsync/v1
kind: Task
metadata: {name: migrate}
spec:
  cluster: shop
  taskDefinition: migrate
  overrides:
    containerOverrides:
      - {name: migrator, command: [./migrate]}
""",
}
"""The issue's examples, as a team would write them."""

MISTAKES = [
    ("web.yaml", 10, "TaskDefinition/web", "spec.containerDefinitions[0].image"),
    ("web.yaml", 14, "TaskDefinition/web", "spec.containerDefinitions[0].environment[1].name"),
    ("api.yaml", 5, "TaskDefinition/api", "spec.cpu"),
    ("api.yaml", 8, "TaskDefinition/api", "spec.containerDefinitions[1].name"),
    ("worker.yaml", 5, "TaskDefinition/worker", "spec.memory"),
    ("worker.yaml", 16, "TaskDefinition/batch", "spec.memory"),
    ("services.yaml", 7, "Service/web", "spec.desiredCount"),
    ("services.yaml", 8, "Service/web", "spec.healthCheckGracePeriodSeconds"),
    ("migrate.yaml", 16, "Task/migrate", "spec.overrides.containerOverrides[0].name"),
]
"""(file, line, resource, field) of each mistake validate must name."""


def named(stderr: str, file: str, line: int, resource: str, path: str) -> bool:
    """Whether one error line of `stderr` is `file:line:col: resource: path: ...`.

    A name AWS refuses is reported before the resource has one: `file:line:col: path: ...`.
    """
    middle = ": ".join(part for part in (resource, path) if part)
    return any(
        text.startswith(f"{file}:{line}:") and f": {middle}: " in text
        for text in stderr.splitlines()
    )


def test_the_issues_mistakes_are_each_named_with_file_and_line(tmp_path: Path) -> None:
    """The mistakes issue 10 lists are each reported at file:line, and nothing else; exit 1."""
    root = tmp_path / "manifests"
    root.mkdir()
    for name, text in SHOP.items():
        (root / name).write_text(text, encoding="utf-8")

    result = cli.run("validate", str(root))

    assert result.returncode == 1, result.stderr
    assert [m for m in MISTAKES if not named(result.stderr, *m)] == [], result.stderr
    assert f"{len(MISTAKES)} error(s) in {root}" in result.stderr


def test_every_refusal_case_is_named_in_one_run(tmp_path: Path) -> None:
    """validate on the folder of every refusal case names each case at its file:line; exit 1."""
    root = Path(shutil.copytree(FOLDER, tmp_path / "refusals"))
    expected = [(c.file.name, c.line(), c.resource, c.path) for c in cases()]

    result = cli.run("validate", str(root))

    assert result.returncode == 1, result.stderr
    assert [e for e in expected if not named(result.stderr, *e)] == [], result.stderr
    assert f"{len(expected)} error(s) in {root}" in result.stderr
