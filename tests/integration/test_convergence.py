"""Convergence: apply on a manifest set it has never seen, then plan is empty.

The stacks in `tests/fixtures/stacks/` together use every kind and most of
the optional fields of each; they name the sandbox network through
placeholders that `stacks.write_stack` fills in.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller.aws.clients import Aws
from controller.core.kinds import Kind
from controller.manifests.loader import load
from tests.support import arrange
from tests.support.stacks import STACKS, assert_converges, write_stack

SAMPLE = Path(__file__).resolve().parents[2] / "manifests"
PINNED_FAMILY = "legacy-api"


@pytest.mark.parametrize("name", ["storefront", "batch-ec2", "registry-mirror", "nightly-jobs"])
def test_stack_converges_and_then_plans_nothing(
    name: str, aws: Aws, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """Each fixture stack converges in one apply, after which plan finds nothing to change."""
    root = write_stack(name, tmp_path / name, sandbox)

    assert_converges(aws, root)


def test_service_pinned_to_an_external_revision_converges(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A service pinned to a `family:revision` registered by hand converges and runs that revision."""
    arn = arrange.register(ecs, PINNED_FAMILY, owner=None, fargate=True)
    pinned = arn.rsplit("/", 1)[1]
    root = write_stack("pinned-legacy", tmp_path / "pinned", sandbox, PINNED=pinned)

    assert_converges(aws, root)

    described = ecs.describe_services(cluster="legacy", services=["api"])["services"][0]
    assert described["taskDefinition"].rsplit("/", 1)[-1] == pinned
    revisions = ecs.list_task_definitions(familyPrefix=PINNED_FAMILY)["taskDefinitionArns"]
    assert revisions == [arn]


def test_all_stacks_together_cover_every_kind(sandbox: local.Sandbox, tmp_path: Path) -> None:
    """The fixture stacks name every kind a plan converges (one-off tasks aside)."""
    kinds: set[Kind] = set()
    for stack in sorted(p.name for p in STACKS.iterdir() if p.is_dir()):
        loaded = load(write_stack(stack, tmp_path / stack, sandbox, PINNED="legacy-api:1"))
        assert loaded.ok, [str(e) for e in loaded.errors]
        kinds |= {d.id.kind for d in loaded.resources}

    assert kinds == set(Kind) - {Kind.TASK}


def test_sample_manifests_converge(aws: Aws, sandbox: local.Sandbox, tmp_path: Path) -> None:
    """The repository's sample `manifests/` converge on the sandbox, then plan is empty."""
    root = tmp_path / "manifests"
    shutil.copytree(SAMPLE, root)

    applied = assert_converges(aws, root)

    outcomes = {str(r.id): str(r.outcome) for r in applied.results}
    assert outcomes.pop("Task/acme-prod/migrate") == "succeeded"
    assert set(outcomes.values()) <= {"created", "registered"}
