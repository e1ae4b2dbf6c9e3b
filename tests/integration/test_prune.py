"""Prune: only owned resources no manifest names are deleted, and only when all manifests load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.settings import defaults
from controller.plan.actions import ActionType
from controller.reconcile.sync import sync
from tests.support import arrange, cli
from tests.support.counting import CallCounter
from tests.support.stacks import active_services, deletes, write_stack

WEB = ResourceId(Kind.SERVICE, "web", "storefront")
PRUNE = defaults(prune=True)
BROKEN_YAML = """\
apiVersion: ecsync/v1
kind: Cluster
metadata:
  name: half-written
   spec: {}
"""


@pytest.fixture
def stack(
    aws: Aws, calls_sent: CallCounter, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> Path:
    """The storefront stack, converged; then a service created by hand (untagged) in its
    cluster, and the `web` service manifest removed. `calls_sent` counts from the start."""
    root = write_stack("storefront", tmp_path / "storefront", sandbox)
    assert sync(aws, root, defaults(), apply=True).converged
    ecs.create_service(
        cluster="storefront",
        serviceName="handmade",
        taskDefinition=arrange.register(ecs, "handmade", owner=None),
        desiredCount=1,
    )
    (root / "web-service.yaml").unlink()
    return root


def test_without_prune_nothing_is_deleted(aws: Aws, stack: Path) -> None:
    """A removed service manifest plans no delete unless prune is on."""
    planned = sync(aws, stack, defaults(), apply=False).plan

    assert planned is not None
    assert planned.empty
    assert deletes(planned.actions) == []


def test_prune_deletes_only_the_owned_service_after_scaling_it_to_zero(
    aws: Aws, ecs: Any, stack: Path, calls_sent: CallCounter
) -> None:
    """With prune, exactly the owned, unnamed service is scaled to 0 and then deleted;
    the untagged, hand-made service beside it stays."""
    planned = sync(aws, stack, PRUNE, apply=False).plan
    assert planned is not None
    assert [(a.type, a.id) for a in planned.actions] == [(ActionType.DELETE, WEB)]

    calls_sent.clear()
    report = sync(aws, stack, PRUNE, apply=True)

    assert report.converged
    service_writes = [
        (name, params.get("service"), params.get("desiredCount"))
        for name, params in calls_sent.sent
        if name in ("UpdateService", "DeleteService")
    ]
    assert service_writes == [("UpdateService", "web", 0), ("DeleteService", "web", None)]
    assert set(active_services(ecs, "storefront")) == {"handmade"}
    again = sync(aws, stack, PRUNE, apply=False).plan
    assert again is not None
    assert again.empty


def test_a_broken_manifest_anywhere_stops_prune(
    aws: Aws, ecs: Any, stack: Path, calls_sent: CallCounter
) -> None:
    """A YAML syntax error in any file (here a nested one) means prune deletes nothing."""
    nested = stack / "team" / "drafts"
    nested.mkdir(parents=True)
    (nested / "half.yaml").write_text(BROKEN_YAML)
    calls_sent.clear()

    report = sync(aws, stack, PRUNE, apply=True)

    assert not report.converged
    assert report.plan is None
    assert [str(e.location) for e in report.loaded.errors] == ["team/drafts/half.yaml:5:8"]
    assert [op for op in calls_sent.counts if op.startswith(("Delete", "Update"))] == []
    assert set(active_services(ecs, "storefront")) == {"handmade", "web"}


def test_cli_apply_prune_with_a_broken_manifest_exits_1_and_names_file_and_line(
    moto_endpoint: str, ecs: Any, stack: Path
) -> None:
    """`ecsync apply --prune` on a folder with a broken file exits 1, prints file:line, deletes nothing."""
    (stack / "zz-broken.yaml").write_text(BROKEN_YAML)
    ran = cli.run(
        "apply", str(stack), "--prune", "--endpoint-url", moto_endpoint,
        "--region", "us-east-1", "--log-format", "json",
    )  # fmt: skip

    assert ran.returncode == 1
    assert "zz-broken.yaml:5:8: invalid YAML" in ran.stderr
    assert "nothing changed" in ran.stderr
    assert set(active_services(ecs, "storefront")) == {"handmade", "web"}
