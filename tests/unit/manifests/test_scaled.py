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


ALONE = """\
apiVersion: ecsync/v1
kind: ScalableTarget
metadata: {name: prod/api}
spec: {MinCapacity: 1, MaxCapacity: 4}
---
apiVersion: ecsync/v1
kind: ScalingPolicy
metadata: {name: prod/worker/cpu}
spec:
  PolicyType: TargetTrackingScaling
  TargetTrackingScalingPolicyConfiguration:
    TargetValue: 50
    PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
"""


def test_a_target_or_policy_whose_parent_is_not_in_the_manifests_warns(
    root: Path, write: Write
) -> None:
    """A target for a service the manifests lack, and a policy for a target they lack, load
    with a warning at metadata.name that it must already exist in AWS."""
    write("app.yaml", MANIFESTS)
    write("alone.yaml", ALONE)
    result = load(root)
    assert result.errors == ()
    messages = sorted(
        (w.resource, w.path, w.message) for w in result.warnings if w.path == "metadata.name"
    )
    assert messages == [
        (
            "ScalableTarget/prod/api",
            "metadata.name",
            "service 'api' of cluster 'prod' is not in the manifests; it must already exist in AWS",
        ),
        (
            "ScalingPolicy/prod/worker/cpu",
            "metadata.name",
            "no ScalableTarget 'prod/worker' in the manifests; that scalable target must already "
            "be registered in AWS",
        ),
    ]
