"""Planted secrets never leave ecsync: every command's output, the daemon's log and endpoints.

The manifests plant plain-text secrets under a secret-looking environment
name, as an AWS access key ID under an innocent name, as the value of a
secret-looking tag, and inside command lines: `--db-password=…` in the
entryPoint, `["--token", "…"]`, a URL's password, and `PGPASSWORD=…` and
`mysql -p…` in a shell string and a health check. The test then greps everything ecsync prints or
serves for them: `validate`, `plan` (text and JSON, with the secrets changing),
`apply`, and a daemon run with a manifest edit and hand-made drift, plus its
`/status`, `/metrics` and `ecsync status`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ecsync_local as local
from tests.support import cli
from tests.support.daemon import Daemons

PASSWORDS = ("hunter2-planted-XYZ", "hunter2-planted-ABC")
ACCESS_KEYS = ("AKIAPLANTED0XYZ12345", "AKIAPLANTED0ABC12345")
TAG_SECRETS = ("tagsecret-planted-XYZ", "tagsecret-planted-BYHAND")
COMMAND_SECRETS = ("cmdsecret-planted-XYZ", "cmdsecret-planted-ABC")
"""Each planted in several command-line spellings, with a suffix naming the spelling."""
PLANTED = (*PASSWORDS, *ACCESS_KEYS, *TAG_SECRETS, *COMMAND_SECRETS)
REDACTED = "*****"


def manifests(sandbox: local.Sandbox, version: int) -> str:
    """A cluster, a task definition and a service; one more task definition fails preflight."""
    password, key, planted = PASSWORDS[version], ACCESS_KEYS[version], COMMAND_SECRETS[version]
    command_lines = f"""
      entryPoint: ["/bin/app", "--db-password={planted}-flag"]
      command:
        - --token
        - {planted}-split
        - --dsn
        - "postgres://app:{planted}-url@db.internal:5432/app"
        - "sh -c 'export PGPASSWORD={planted}-env && mysql -u app -p{planted}-mysql -P 3306'"
      healthCheck:
        command: [CMD-SHELL, "curl -fsu admin:{planted}-curl http://localhost/ || exit 1"]"""
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
      image: nginx:1.27{command_lines}{environment}
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
    """None of `outputs` holds a planted value."""
    for output in outputs:
        leaked = [value for value in PLANTED if value in output]
        assert leaked == [], output


def ecsync(*args: str) -> subprocess.CompletedProcess[str]:
    """`ecsync ARGS... --log-format json`, output captured."""
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
    for path, what in [
        ("entryPoint[1]", "entryPoint of container web holds the value of `--db-password`"),
        ("command[1]", "command of container web holds the value of `--token`"),
        ("command[3]", "command of container web holds the value of `--dsn`"),
        ("command[4]", "command of container web holds the value of `PGPASSWORD`"),
        ("healthCheck.command[1]", "healthCheck.command of container web holds the password"),
    ]:
        assert f"spec.containerDefinitions[0].{path}: {what}" in validated.stderr
    runs = [validated]
    for output in ("text", "json"):
        planned = ecsync("plan", str(root), *aws, "--output", output)
        assert planned.returncode == 1, printed(planned)  # vault-bad fails preflight
        assert "preflight role" in planned.stdout
        runs.append(planned)
    applied = ecsync("apply", str(root), *aws)
    assert applied.returncode == 1, printed(applied)  # vault-bad fails preflight
    assert "preflight_failed TaskDefinition/vault-bad" in applied.stdout
    runs.append(applied)

    (root / "stack.yaml").write_text(manifests(sandbox, 1))
    changed = ecsync("plan", str(root), *aws)
    for shown in [
        f'/containerDefinitions/0/environment/0/value: "{REDACTED}" -> "{REDACTED}"',
        f'/containerDefinitions/0/command/1: "{REDACTED}" -> "{REDACTED}"',
        f'/containerDefinitions/0/entryPoint/1: "--db-password={REDACTED}" -> ',
        f"PGPASSWORD={REDACTED} && mysql -u app -p{REDACTED} -P 3306",
        f"curl -fsu admin:{REDACTED} http://localhost/",
    ]:
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
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """A daemon that warns about command-line secrets, applies, re-registers on an edit and
    corrects tag drift logs no planted value, and neither /status, /metrics nor `ecsync status`
    shows one."""
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "stack.yaml").write_text(manifests(sandbox, 0))
    daemon = start_daemon("--source", str(folder), "--resync", "1s")
    daemon.wait_for("service_created")
    warning = daemon.wait_for("manifest_warning", lambda e: "BUILD_NOTE" in e["message"])
    assert warning["path"].endswith("environment[2].value")
    warning = daemon.wait_for("manifest_warning", lambda e: e["path"].endswith("command[1]"))
    assert warning["message"].startswith("command of container web holds the value of `--token`")
    daemon.wait_for("preflight_failed", lambda e: e["name"] == "vault-bad")

    (folder / "stack.yaml").write_text(manifests(sandbox, 1))
    registered = daemon.wait_for(
        "task_definition_registered", lambda e: e["name"] == "vault-web" and e["fields"]
    )
    assert all(REDACTED in f["desired"] for f in registered["fields"])
    assert {f["path"] for f in registered["fields"]} >= {
        "/containerDefinitions/0/entryPoint/1",
        "/containerDefinitions/0/command/4",
        "/containerDefinitions/0/healthCheck/command/1",
    }

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
