"""Planted secrets never leave ecsync: every command's output, the daemon's log and endpoints.

The manifests plant plain-text secrets three ways: under a secret-looking
environment name, as an AWS access key ID under an innocent name, and as the
value of a secret-looking tag. The test then greps everything ecsync prints or
serves for them: `validate`, `plan` (text and JSON, with the secrets changing),
`apply`, and a daemon run with a manifest edit and hand-made drift, plus its
`/status`, `/metrics` and `ecsync status`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from controller.aws import local
from controller.aws.clients import Aws, AwsConfig
from tests.support import cli
from tests.support.daemon import Daemon

PASSWORDS = ("hunter2-planted-XYZ", "hunter2-planted-ABC")
ACCESS_KEYS = ("AKIAPLANTED0XYZ12345", "AKIAPLANTED0ABC12345")
TAG_SECRETS = ("tagsecret-planted-XYZ", "tagsecret-planted-BYHAND")
PLANTED = (*PASSWORDS, *ACCESS_KEYS, *TAG_SECRETS)
REDACTED = "*****"


def manifests(sandbox: local.Sandbox, version: int) -> str:
    """A cluster, a task definition and a service; one more task definition fails preflight."""
    password, key = PASSWORDS[version], ACCESS_KEYS[version]
    environment = f"""
      environment:
        - {{name: NODE_ENV, value: production}}
        - {{name: DB_PASSWORD, value: "{password}"}}
        - {{name: BUILD_NOTE, value: "{key}"}}
      secrets:
        - {{name: API_TOKEN, valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/vault/api"}}"""
    return f"""apiVersion: ecsync/v1
kind: Cluster
metadata: {{name: vault}}
spec: {{}}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: vault-web}}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions:
    - name: web
      image: nginx:1.27{environment}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: vault-bad}}
spec:
  executionRoleArn: not-an-arn
  containerDefinitions:
    - name: web
      image: nginx:1.27
      memory: 128{environment}
---
apiVersion: ecsync/v1
kind: Service
metadata: {{name: web}}
spec:
  cluster: vault
  taskDefinition: vault-web
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration:
    awsvpcConfiguration:
      subnets: [{sandbox.subnet_ids[0]}]
      securityGroups: [{sandbox.security_group_id}]
  tags: {{team: vault, deploy-token: "{TAG_SECRETS[0]}"}}
"""


def assert_clean(*outputs: str) -> None:
    for output in outputs:
        leaked = [value for value in PLANTED if value in output]
        assert leaked == [], output


@pytest.fixture
def sandbox(moto_endpoint: str) -> local.Sandbox:
    return local.seed_sandbox(Aws(AwsConfig("us-east-1", moto_endpoint)))


@pytest.fixture
def daemons(moto_endpoint: str, tmp_path: Path) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(*args: str) -> Daemon:
        daemon = Daemon(moto_endpoint, args, tmp_path / "cache")
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.kill()


def ecsync(*args: str) -> subprocess.CompletedProcess[str]:
    return cli.run(*args, "--log-format", "json")


def printed(done: subprocess.CompletedProcess[str]) -> str:
    """Everything a command printed: stdout, then stderr (its log)."""
    return done.stdout + done.stderr


def test_planted_secrets_appear_in_no_command_output(
    moto_endpoint: str, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """validate, plan (text, JSON) and apply never print a planted value, first or changed."""
    root = tmp_path / "manifests"
    root.mkdir()
    (root / "stack.yaml").write_text(manifests(sandbox, 0))
    aws = ("--endpoint-url", moto_endpoint)

    validated = ecsync("validate", str(root))
    assert validated.returncode == 0, printed(validated)
    assert "variable BUILD_NOTE holds what looks like an AWS access key ID" in validated.stderr
    runs = [validated]
    for output in ("text", "json"):
        planned = ecsync("plan", str(root), *aws, "--output", output)
        assert planned.returncode == 2, printed(planned)
        runs.append(planned)
    applied = ecsync("apply", str(root), *aws)
    assert applied.returncode == 1, printed(applied)  # vault-bad fails preflight
    assert "preflight_failed TaskDefinition/vault-bad" in applied.stdout
    runs.append(applied)

    (root / "stack.yaml").write_text(manifests(sandbox, 1))
    changed = ecsync("plan", str(root), *aws)
    shown = f'/containerDefinitions/0/environment/0/value: "{REDACTED}" -> "{REDACTED}"'
    assert shown in changed.stdout
    changed_json = ecsync("plan", str(root), *aws, "--output", "json")
    actions = json.loads(changed_json.stdout)["actions"]
    assert (REDACTED, REDACTED) in [
        (c["desired"], c["live"]) for a in actions for c in a["changes"]
    ]
    reapplied = ecsync("apply", str(root), *aws)
    runs += [changed, changed_json, reapplied]

    assert_clean(*(printed(done) for done in runs))


def test_planted_secrets_appear_nowhere_in_a_daemon_run(
    daemons: Callable[..., Daemon],
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """A daemon that applies, re-registers on an edit and corrects tag drift logs no planted
    value, and neither /status, /metrics nor `ecsync status` shows one."""
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "stack.yaml").write_text(manifests(sandbox, 0))
    daemon = daemons("--source", str(folder), "--resync", "1s")
    daemon.wait_for("service_created")
    warning = daemon.wait_for("manifest_warning", lambda e: "BUILD_NOTE" in e["message"])
    assert warning["path"].endswith("environment[2].value")
    daemon.wait_for("preflight_failed", lambda e: e["name"] == "vault-bad")

    (folder / "stack.yaml").write_text(manifests(sandbox, 1))
    registered = daemon.wait_for(
        "task_definition_registered", lambda e: e["name"] == "vault-web" and e["fields"]
    )
    assert {f["desired"] for f in registered["fields"]} == {REDACTED}

    ecs = boto_client("ecs")
    arn = ecs.describe_services(cluster="vault", services=["web"])["services"][0]["serviceArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "deploy-token", "value": TAG_SECRETS[1]}])
    drift = daemon.wait_for("drift_detected", lambda e: e["kind"] == "Service")
    assert drift["fields"] == [
        {"path": "/tags/deploy-token", "desired": REDACTED, "live": REDACTED}
    ]
    daemon.wait_for("drift_corrected", lambda e: e["kind"] == "Service")

    status = daemon.get("/status")[1].decode()
    bad = next(r for r in json.loads(status)["resources"] if r["name"] == "vault-bad")
    assert bad["lastError"].startswith("preflight role: executionRoleArn 'not-an-arn'")
    metrics = daemon.get("/metrics")[1].decode()
    assert 'result="preflight_failed"' in metrics
    shown = cli.run("status", "--url", daemon.url)
    assert daemon.stop() == 0

    assert_clean("".join(daemon.lines), status, metrics, shown.stdout + shown.stderr)
