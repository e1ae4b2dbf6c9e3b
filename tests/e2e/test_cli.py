"""The one-shot commands end to end: the installed `ecsync` run as a subprocess.

Exit statuses are DESIGN.md's contract: `validate` 0 valid / 1 invalid;
`plan` 0 in sync / 2 changes pending / 1 error; `apply` 0 converged / 1 failed.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller import __version__
from controller.aws.clients import Aws, AwsConfig
from tests.support import cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "manifests"
REGION = "us-east-1"

# Every file below holds mistakes; `MISTAKES` says where each one must be reported.
BROKEN: dict[str, str] = {
    "apps/web.yaml": """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata:
  name: web
spec:
  networkMode: awsvpc
  containerDefinitions:
    - name: app
      image: nginx:1.27
      memory: "512"
      portMapings:
        - containerPort: 80
---
apiVersion: ecsync/v1
kind: Service
metadata:
  name: web
spec:
  cluster: prodd
  taskDefinition: web-app
  desiredCount: 2
  launchType: FARGATE
---
apiVersion: ecsync/v1
kind: Deployment
metadata:
  name: api
spec: {}
""",
    "apps/clusters.yaml": """\
apiVersion: ecsync/v1
kind: Cluster
metadata:
  name: prod
spec:
  capacityProviders: [FARGATE, batch-ec2]
  defaultCapacityProviderStrategy:
    - capacityProvider: spot-ec2
      weight: 1
---
apiVersion: ecsync/v2
kind: Cluster
metadata:
  name: staging
spec: {}
---
apiVersion: ecsync/v1
kind: Repository
metadata:
  labels: {team: web}
spec: {}
""",
    "apps/more-clusters.yaml": """\
apiVersion: ecsync/v1
kind: Cluster
metadata:
  name: prod
spec:
  tags: {team: web}
""",
    "broken.yaml": """\
apiVersion: ecsync/v1
kind: Cluster
metadata:
  name: broken
spec:
  tags: {team: web
  settings: []
""",
    "registry.yaml": """\
apiVersion: ecsync/v1
kind: Repository
metadata:
  name: acme/web
spec:
  imageTagMutability: MUTABLE
  imageTagMutability: IMMUTABLE
""",
    "repository.json": """\
{
  "apiVersion": "ecsync/v1",
  "kind": "Repository",
  "metadata": {"name": "acme/api"},
  "spec": {
    "imageScanningConfiguration": {"scanOnPush": "yes"}
  }
}
""",
    "cluster.json": """\
{
  "apiVersion": "ecsync/v1",
  "kind": "Cluster",
  "metadata": {"name": "json-cluster"},
  "spec": {"tags": {"team": "web"},}
}
""",
}

MISTAKES: list[tuple[str, str]] = [
    # (where, what the message says): `where` is file:line:col, or file for a whole file.
    (
        "apps/web.yaml:10:15",
        "TaskDefinition/web: spec.containerDefinitions[0].memory: expected an integer, "
        "got the string '512'",
    ),
    (
        "apps/web.yaml:11:7",
        "TaskDefinition/web: spec.containerDefinitions[0].portMapings: "
        "unknown field 'portMapings'; did you mean 'portMappings'?",
    ),
    (
        "apps/web.yaml:20:19",
        "Service/web: spec.taskDefinition: no TaskDefinition 'web-app' in the manifests; "
        "did you mean 'web'?",
    ),
    ("apps/web.yaml:25:7", "kind: unknown kind 'Deployment'"),
    (
        "apps/clusters.yaml:4:9",
        "Cluster/prod: metadata.name: Cluster/prod is defined more than once "
        "(also at apps/more-clusters.yaml:1)",
    ),
    (
        "apps/clusters.yaml:8:25",
        "Cluster/prod: spec.defaultCapacityProviderStrategy[0].capacityProvider: "
        "capacity provider 'spot-ec2' is in the default strategy but not attached",
    ),
    ("apps/clusters.yaml:11:13", "apiVersion: apiVersion is 'ecsync/v2'"),
    ("apps/clusters.yaml:20:3", "metadata.name: missing metadata.name"),
    (
        "apps/more-clusters.yaml:4:9",
        "Cluster/prod: metadata.name: Cluster/prod is defined more than once "
        "(also at apps/clusters.yaml:1)",
    ),
    ("broken.yaml:7:11", "invalid YAML: did not find expected ',' or '}'"),
    ("cluster.json:5:36", "invalid JSON: Expecting property name enclosed in double quotes"),
    ("escape.yaml", "symlink points outside the manifest root"),
    ("registry.yaml:7:3", "spec.imageTagMutability: duplicate key 'imageTagMutability'"),
    (
        "repository.json:6:50",
        "Repository/acme/api: spec.imageScanningConfiguration.scanOnPush: "
        "expected true or false, got the string 'yes'",
    ),
]
WARNINGS: list[tuple[str, str]] = [
    # References that may exist in AWS outside the manifests: only plan can tell.
    (
        "apps/clusters.yaml:6:32",
        "Cluster/prod: spec.capacityProviders[1]: capacity provider 'batch-ec2' "
        "is not in the manifests",
    ),
    (
        "apps/web.yaml:19:12",
        "Service/web: spec.cluster: cluster 'prodd' is not in the manifests; did you mean 'prod'?",
    ),
]


def write_broken(root: Path) -> Path:
    """The files of `BROKEN` under `root`, plus a symlink to a file outside it."""
    for name, text in BROKEN.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    outside = root.parent / "outside.yaml"
    outside.write_text("apiVersion: ecsync/v1\nkind: Cluster\nmetadata: {name: leak}\n")
    (root / "escape.yaml").symlink_to(outside)
    return root


def reported(stderr: str, where: str, what: str, *, prefix: str = "") -> bool:
    """Whether a line of `stderr` reports `what` at `where` (`file:line:col: ...`)."""
    return any(
        line.startswith(f"{prefix}{where}: ") and what in line for line in stderr.splitlines()
    )


def events(stderr: str) -> list[dict[str, Any]]:
    """The JSON log events on stderr (logs are JSON lines when stderr is not a terminal)."""
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_validate_reports_every_mistake_with_its_location(tmp_path: Path) -> None:
    """`validate` exits 1 and reports each mistake of every file at its file:line:col."""
    root = write_broken(tmp_path / "manifests")

    result = cli.run("validate", str(root))

    assert result.returncode == 1, result.stderr
    missing = [m for m in MISTAKES if not reported(result.stderr, *m)]
    assert missing == [], result.stderr
    unwarned = [w for w in WARNINGS if not reported(result.stderr, *w, prefix="warning: ")]
    assert unwarned == [], result.stderr
    assert f"{len(MISTAKES)} error(s) in {root}" in result.stderr


def test_validate_accepts_the_sample_manifests() -> None:
    """The repository's sample `manifests/` folder is valid."""
    result = cli.run("validate", str(SAMPLE))

    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


@pytest.fixture
def sample(moto_endpoint: str, tmp_path: Path) -> Path:
    """A copy of the sample manifests, and the sandbox they name seeded on the moto server."""
    local.seed_sandbox(Aws(AwsConfig(REGION, moto_endpoint)))
    return Path(shutil.copytree(SAMPLE, tmp_path / "manifests"))


def test_plan_apply_plan_exit_codes(sample: Path, moto_endpoint: str) -> None:
    """plan exits 2 with changes pending, apply converges with 0, then plan exits 0."""
    endpoint = ("--endpoint-url", moto_endpoint)

    pending = cli.run("plan", str(sample), *endpoint)
    assert pending.returncode == 2, pending.stderr

    as_json = cli.run("plan", str(sample), *endpoint, "--output", "json")
    assert as_json.returncode == 2, as_json.stderr
    planned = json.loads(as_json.stdout)
    assert planned["problems"] == []
    assert {(a["kind"], a["name"]) for a in planned["actions"]} >= {
        ("Repository", "acme/web"),
        ("Cluster", "acme-prod"),
        ("TaskDefinition", "acme-web"),
        ("Service", "web"),
    }

    applied = cli.run("apply", str(sample), *endpoint)
    assert applied.returncode == 0, applied.stdout + applied.stderr

    in_sync = cli.run("plan", str(sample), *endpoint)
    assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr
    again = cli.run("plan", str(sample), *endpoint, "--output", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["actions"] == []


@pytest.mark.usefixtures("aws_env")
def test_plan_against_an_unreachable_endpoint_fails_fast(tmp_path: Path) -> None:
    """With nothing listening at the endpoint, plan gives up within seconds: exit 1, and why."""
    root = Path(shutil.copytree(SAMPLE, tmp_path / "manifests"))

    started = time.monotonic()
    result = cli.run("plan", str(root), "--endpoint-url", "http://127.0.0.1:1", timeout=60)
    elapsed = time.monotonic() - started

    assert result.returncode == 1, result.stdout + result.stderr
    assert elapsed < 30
    failed = [e for e in events(result.stderr) if e["event"] == "sync_failed"]
    assert len(failed) == 1, result.stderr
    assert failed[0]["level"] == "error"
    assert "Could not connect to the endpoint URL" in failed[0]["error"]
    assert "http://127.0.0.1:1" in failed[0]["error"]


def test_version() -> None:
    """`ecsync --version` prints the package version and exits 0."""
    result = cli.run("--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ecsync {__version__}"
