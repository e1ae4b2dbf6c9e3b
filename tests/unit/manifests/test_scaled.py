"""A Service that a ScalableTarget of the manifests scales is marked as scaled by it."""

from __future__ import annotations

from pathlib import Path

from controller.core.kinds import Kind
from controller.manifests.loader import load
from tests.unit.manifests.conftest import Write

MANIFESTS = """\
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec: {cluster: prod, taskDefinition: "web:1", desiredCount: 2}
---
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec: {cluster: staging, taskDefinition: "web:1", desiredCount: 2}
---
apiVersion: ecsync/v1
kind: ScalableTarget
metadata: {name: prod/web}
spec: {MinCapacity: 1, MaxCapacity: 4}
"""


def test_only_the_service_the_target_names_is_scaled(root: Path, write: Write) -> None:
    """`prod/web` marks the service web of cluster prod, not web of cluster staging."""
    write("app.yaml", MANIFESTS)
    result = load(root)
    assert result.errors == ()
    scaled = {
        d.id.cluster: d.annotations.scaled_by for d in result.resources if d.id.kind is Kind.SERVICE
    }
    assert scaled == {"prod": "ScalableTarget/prod/web", "staging": ""}
