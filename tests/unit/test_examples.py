"""The pre-commit hook and the example CI workflow that the README offers do what it says."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from controller.cli.main import build_parser
from controller.manifests import yamlload
from controller.manifests.loader import DEFAULT_LIMITS

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / "docs" / "examples" / "github-actions.yaml"


def read_yaml(path: Path) -> Any:
    """YAML 1.2, as GitHub reads it too (`on:` stays a string)."""
    parsed = yamlload.parse(path.read_bytes(), path.name, DEFAULT_LIMITS)
    assert parsed.errors == ()
    return parsed.documents[0].data


def steps() -> dict[str, dict[str, Any]]:
    (job,) = read_yaml(WORKFLOW)["jobs"].values()
    return {step.get("name", step.get("uses")): step for step in job["steps"]}


def test_pre_commit_hook_validates_every_manifest_on_any_manifest_change() -> None:
    """`ecsync-validate` runs `ecsync validate` once (not per file) when a YAML or JSON file changes."""
    (hook,) = read_yaml(ROOT / ".pre-commit-hooks.yaml")

    assert hook["id"] == "ecsync-validate"
    assert hook["entry"] == "ecsync validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert [bool(files.search(name)) for name in ("a.yaml", "b/c.yml", "d.json", "README.md")] == [
        True,
        True,
        True,
        False,
    ]
    assert build_parser().parse_args(hook["entry"].split()[1:]).command == "validate"


def test_workflow_validates_then_plans_every_pull_request_with_oidc() -> None:
    """Every pull request is validated, then planned with a role assumed through OIDC."""
    workflow = read_yaml(WORKFLOW)
    found = steps()

    assert workflow["on"] == {"pull_request": None}
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["permissions"]["pull-requests"] == "write"
    names = list(found)
    assert names.index("Validate") < names.index("AWS credentials (OIDC)") < names.index("Plan")
    assert found["Validate"]["run"] == 'ecsync validate "$MANIFESTS"'
    credentials = found["AWS credentials (OIDC)"]
    assert credentials["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert "role-to-assume" in credentials["with"]
    assert "aws-secret-access-key" not in credentials["with"]
    assert "github.rest.issues.createComment" in found["Comment the plan"]["with"]["script"]


@pytest.mark.parametrize("status", [0, 1, 2])
def test_plan_step_records_the_exit_status_without_failing(status: int, tmp_path: Path) -> None:
    """The plan step itself succeeds whatever `ecsync plan` exits with, and records the
    status; only the last step fails, and only for statuses other than 0 and 2."""
    fake = tmp_path / "bin" / "ecsync"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho 'Plan: 1 to update'\necho log >&2\nexit {status}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    output = tmp_path / "github-output"
    found = steps()

    ran = subprocess.run(
        ["bash", "-e", "-c", found["Plan"]["run"]],
        cwd=tmp_path,
        env={
            **os.environ,
            "PATH": f"{fake.parent}:{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output),
            "MANIFESTS": "manifests/",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert ran.returncode == 0, ran.stderr
    assert output.read_text() == f"status={status}\n"
    assert (tmp_path / "plan.txt").read_text() == "Plan: 1 to update\n"
    assert "!= '0'" in found["Fail on a plan error"]["if"]
    assert "!= '2'" in found["Fail on a plan error"]["if"]
