"""Read cost: a no-op plan over 200 services reads in batches and describes each revision once."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from controller.aws.clients import Aws, AwsConfig
from controller.core.settings import defaults
from controller.reconcile.sync import sync
from tests.support.counting import CallCounter

CLUSTERS = {"fleet-a": 80, "fleet-b": 70, "fleet-c": 50}
"""200 services; per-cluster counts are multiples of 10 (DescribeServices takes one cluster)."""
FAMILIES = ("fleet-api", "fleet-worker", "fleet-cron")


def write_fleet(root: Path) -> Path:
    """Three clusters, three task definitions and 200 services spread over them."""
    root.mkdir()
    docs = []
    for family in FAMILIES:
        docs.append(
            f"""apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: {family}}}
spec:
  containerDefinitions:
    - {{name: app, image: "ghcr.io/acme/{family}:1.0", memory: 128}}
"""
        )
    (root / "task-definitions.yaml").write_text("---\n".join(docs))
    for cluster, count in CLUSTERS.items():
        docs = [
            f"apiVersion: ecsync/v1\nkind: Cluster\nmetadata: {{name: {cluster}}}\nspec: {{}}\n"
        ]
        for i in range(count):
            docs.append(
                f"""apiVersion: ecsync/v1
kind: Service
metadata: {{name: svc-{i:03d}}}
spec: {{cluster: {cluster}, taskDefinition: {FAMILIES[i % len(FAMILIES)]}, desiredCount: 1}}
"""
            )
        (root / f"{cluster}.yaml").write_text("---\n".join(docs))
    return root


@pytest.fixture
def fleet(aws: Aws, calls_sent: CallCounter, tmp_path: Path) -> Path:
    """The fleet, applied and converged (each family at revision 2, so that old
    revisions exist to be described too)."""
    root = write_fleet(tmp_path / "fleet")
    assert sync(aws, root, defaults(), apply=True).converged
    path = root / "task-definitions.yaml"
    path.write_text(path.read_text().replace(":1.0", ":1.1"))
    assert sync(aws, root, defaults(), apply=True).converged
    return root


def test_no_op_plan_batches_service_reads_and_caches_revisions(
    moto_endpoint: str, fleet: Path
) -> None:
    """A fresh connection plans 200 services with at most 20 DescribeServices; a second plan
    on it describes no task definition; no revision is described twice."""
    fresh = Aws(AwsConfig(region="us-east-1", endpoint_url=moto_endpoint))
    calls = CallCounter().attach(fresh)

    first = sync(fresh, fleet, defaults(), apply=False)

    assert first.plan is not None
    assert first.plan.empty
    assert len(first.plan.in_sync) == 200 + len(CLUSTERS) + len(FAMILIES)
    assert calls["DescribeServices"] <= math.ceil(200 / 10)
    assert calls["DescribeTaskDefinition"] > 0
    described_first = calls["DescribeTaskDefinition"]

    second = sync(fresh, fleet, defaults(), apply=False)

    assert second.plan is not None
    assert second.plan.empty
    assert calls["DescribeTaskDefinition"] == described_first
    described = Counter(p["taskDefinition"] for p in calls.params("DescribeTaskDefinition"))
    assert described
    assert max(described.values()) == 1
    assert len(described) == 2 * len(FAMILIES)


def test_the_applying_connection_describes_no_revision_twice(
    aws: Aws, calls_sent: CallCounter, fleet: Path
) -> None:
    """Over two applies and two plans on one connection, no revision ARN is described twice
    and every pass reads services in batches of 10."""
    for _ in range(2):
        planned = sync(aws, fleet, defaults(), apply=False).plan
        assert planned is not None
        assert planned.empty

    described = Counter(p["taskDefinition"] for p in calls_sent.params("DescribeTaskDefinition"))
    assert max(described.values(), default=0) <= 1
    assert calls_sent["DescribeServices"] <= 4 * math.ceil(200 / 10)
