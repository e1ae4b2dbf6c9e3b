"""`ecsync import` through the real command line, then `validate` and `plan` on its output."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from tests.support import cli, handmade


@pytest.fixture
def shop(sandbox: local.Sandbox, boto_client: Callable[[str], Any]) -> handmade.Shop:
    """The shop built by hand with plain boto3, as a team without ecsync built it."""
    return handmade.build(boto_client("ecs"), boto_client("ecr"), sandbox)


def ecsync(endpoint: str, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`ecsync COMMAND ARGS` against the moto server, logging JSON."""
    return cli.run(
        command, *args, "--endpoint-url", endpoint, "--region", "us-east-1",
        "--log-format", "json",
    )  # fmt: skip


def import_shop(endpoint: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    repositories = [arg for name in handmade.REPOSITORIES for arg in ("--repository", name)]
    return ecsync(
        endpoint, "import", "--cluster", handmade.CLUSTER, *repositories, "--out", str(out), *extra
    )


def test_import_then_validate_and_plan_exit_0(
    moto_endpoint: str, shop: handmade.Shop, tmp_path: Path
) -> None:
    """`ecsync import` exits 0 and lists what it wrote; `validate` and `plan` on the
    folder both exit 0 right after."""
    out = tmp_path / "imported"

    ran = import_shop(moto_endpoint, out)

    assert ran.returncode == 0, ran.stderr
    assert f"wrote {out / 'services/shop/web.yaml'}" in ran.stdout.splitlines()
    assert "note: Service/shop/billing is owned by the ecsync instance 'billing-team'" in ran.stderr
    validated = cli.run("validate", str(out))
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout.startswith("9 resource(s) in 9 file(s): valid")
    planned = ecsync(moto_endpoint, "plan", str(out))
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "no changes" in planned.stdout


def test_adopt_then_prune_after_removing_a_file_deletes_that_service_only(
    moto_endpoint: str, shop: handmade.Shop, tmp_path: Path
) -> None:
    """After `import --adopt`, `plan --prune` is empty; with one service's file removed it
    exits 2 and deletes exactly that service."""
    out = tmp_path / "imported"
    adopted = import_shop(moto_endpoint, out, "--adopt")
    assert adopted.returncode == 0, adopted.stderr
    assert "adopted Service/shop/web" in adopted.stdout.splitlines()
    assert ecsync(moto_endpoint, "plan", str(out), "--prune").returncode == 0

    (out / "services/shop/worker.yaml").unlink()
    planned = ecsync(moto_endpoint, "plan", str(out), "--prune", "--output", "json")

    assert planned.returncode == 2, planned.stderr
    actions = json.loads(planned.stdout)["actions"]
    assert [(a["action"], a["kind"], a["name"]) for a in actions] == [
        ("delete", "Service", "worker")
    ]


def test_import_refuses_without_a_target_and_with_a_missing_one(
    moto_endpoint: str, shop: handmade.Shop, tmp_path: Path
) -> None:
    """Nothing to import, or a named service that does not exist: exit 1, no files."""
    out = tmp_path / "imported"
    nothing = ecsync(moto_endpoint, "import", "--out", str(out))
    missing = ecsync(
        moto_endpoint, "import", "--cluster", "shop", "--service", "nope", "--out", str(out)
    )

    assert nothing.returncode == 1
    assert "name something to import: --cluster" in nothing.stderr
    assert missing.returncode == 1
    assert "not found in us-east-1: Service/shop/nope" in missing.stderr
    assert not out.exists()
