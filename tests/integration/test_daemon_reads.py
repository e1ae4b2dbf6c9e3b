"""What the daemon's passes read against the moto server: one read of everything per resync,
and no read of the whole account for revision cleanup on a one-service edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from controller.aws.clients import Aws
from controller.core.settings import defaults
from controller.daemon.loop import RESYNC, SOURCE, Controller
from controller.daemon.metrics import Metrics
from controller.daemon.status import StatusBoard
from controller.reconcile.sync import sync
from tests.support import arrange
from tests.support.counting import CallCounter
from tests.support.sources import FixedFolder

SHOP = """\
apiVersion: ecsync/v1
kind: Cluster
metadata: {{name: apps}}
spec: {{}}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: api}}
spec:
  containerDefinitions:
    - {{name: app, image: "ghcr.io/acme/api:{tag}", memory: 128}}
---
apiVersion: ecsync/v1
kind: Service
metadata: {{name: api}}
spec: {{cluster: apps, taskDefinition: api, desiredCount: {count}}}
"""
ACCOUNT_WIDE = ("ListClusters", "ListServices")


def controller_on(aws: Aws, root: Path) -> Controller:
    """A daemon loop on `root` (keeping two revisions) that has run its first full pass."""
    controller = Controller(
        aws, FixedFolder(root), defaults(keep_revisions=2, resync=3600),
        board=StatusBoard(), metrics=Metrics(),
    )  # fmt: skip
    controller.process([SOURCE])
    controller.process(controller.queue.get_batch(timeout=1))
    return controller


def released(aws: Aws, root: Path, tags: list[str]) -> None:
    """The shop applied once per image tag (every revision kept): one revision each."""
    root.mkdir(exist_ok=True)
    for tag in tags:
        (root / "shop.yaml").write_text(SHOP.format(tag=tag, count=1))
        assert sync(aws, root, defaults(keep_revisions=None), apply=True).converged


def test_a_one_service_edit_does_not_read_the_account_for_revision_cleanup(
    aws: Aws, ecs: Any, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """Revision 1 is beyond the two to keep but a hand-made service runs it: the first pass
    reads the account's services once to know that; a later one-service edit writes the
    service and lists no cluster and no service, and revision 1 still stays."""
    root = tmp_path / "shop"
    released(aws, root, ["v1", "v2", "v3"])
    arrange.services(ecs, "other", [], owner=None)
    ecs.create_service(cluster="other", serviceName="legacy", taskDefinition="api:1")
    calls_sent.clear()

    controller = controller_on(aws, root)
    assert calls_sent["ListClusters"] == 1
    calls_sent.clear()

    (root / "shop.yaml").write_text(SHOP.format(tag="v3", count=2))
    controller.process([SOURCE])
    controller.process(controller.queue.get_batch(timeout=1))

    assert calls_sent["UpdateService"] == 1
    assert [calls_sent[name] for name in ACCOUNT_WIDE] == [0, 0]
    arns = ecs.list_task_definitions(familyPrefix="api", status="ACTIVE")["taskDefinitionArns"]
    assert sorted(int(arn.rsplit(":", 1)[1]) for arn in arns) == [1, 2, 3]


def test_a_resync_reads_everything_once(
    aws: Aws, ecs: Any, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """A resync is one pass: each kind's read is made once, whatever the number of keys."""
    root = tmp_path / "shop"
    released(aws, root, ["v1"])
    controller = controller_on(aws, root)
    calls_sent.clear()

    controller.process([RESYNC])

    assert calls_sent["DescribeClusters"] == 1
    assert calls_sent["DescribeServices"] == 1
    assert sum(calls_sent[name] for name in ("CreateService", "UpdateService")) == 0
