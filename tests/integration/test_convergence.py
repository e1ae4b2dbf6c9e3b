"""Convergence: apply on a manifest set it has never seen, then plan is empty.

The stacks in `tests/fixtures/stacks/` together use every kind and most of
the optional fields of each; they name the sandbox network through
placeholders that `write_stack` fills in.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from string import Template
from typing import Any

import pytest

from controller.aws import local
from controller.aws.clients import Aws
from controller.core.kinds import Kind
from controller.manifests.loader import load
from controller.reconcile.sync import SyncOptions, SyncReport, sync
from tests.support import arrange

REPO = Path(__file__).resolve().parents[2]
STACKS = REPO / "tests" / "fixtures" / "stacks"
SAMPLE = REPO / "manifests"
PINNED_FAMILY = "legacy-api"


def write_stack(name: str, dest: Path, sandbox: local.Sandbox, **values: str) -> Path:
    """Copy stack `name` into `dest` with the sandbox ids (and `values`) substituted."""
    ids = {
        "SUBNET_A": sandbox.subnet_ids[0],
        "SUBNET_B": sandbox.subnet_ids[1],
        "SECURITY_GROUP": sandbox.security_group_id,
        "ASG_NAME": sandbox.asg_name,
        "ASG_ARN": sandbox.asg_arn,
        **values,
    }
    dest.mkdir(parents=True, exist_ok=True)
    for source in sorted((STACKS / name).glob("*.yaml")):
        (dest / source.name).write_text(Template(source.read_text()).substitute(ids))
    return dest


def assert_converges(aws: Aws, root: Path) -> SyncReport:
    """Apply converges with no failure, and the plan that follows has nothing to do."""
    applied = sync(aws, root, SyncOptions(), apply=True)
    assert applied.loaded.ok, [str(e) for e in applied.loaded.errors]
    assert applied.plan is not None
    failures = [(str(r.id), r.error) for r in applied.results if r.outcome.failed]
    assert failures == []
    assert applied.converged, applied.plan.to_dict()

    again = sync(aws, root, SyncOptions(), apply=False)
    assert again.plan is not None
    assert again.plan.to_dict()["actions"] == []
    assert again.plan.to_dict()["problems"] == []
    assert len(again.plan.in_sync) == len(applied.loaded.resources)
    return applied


@pytest.mark.parametrize("name", ["storefront", "batch-ec2", "registry-mirror"])
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
