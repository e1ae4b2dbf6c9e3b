"""The daemon with an autoscaled service: the count the scaler sets is never drift."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ecsync_local as local
from tests.support.daemon import Daemons
from tests.support.shop import service, stack, write

SCALING = """
apiVersion: ecsync/v1
kind: ScalableTarget
metadata: {name: shop/web}
spec: {MinCapacity: 1, MaxCapacity: 6}
---
apiVersion: ecsync/v1
kind: ScalingPolicy
metadata: {name: shop/web/cpu}
spec:
  PolicyType: TargetTrackingScaling
  TargetTrackingScalingPolicyConfiguration:
    TargetValue: 60
    PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
"""
ECS_COUNT = {"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}


def test_scaling_a_service_by_hand_is_not_drift_but_its_target_is(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """With a ScalableTarget on the service, a desiredCount changed as the scaler would is
    left alone through several resyncs (no drift_detected, no service_updated), while a
    maximum changed by hand on the target is drift that the daemon corrects."""
    folder = write(tmp_path / "manifests", {**stack(sandbox), "scaling.yaml": SCALING})
    daemon = start_daemon("--source", str(folder), "--resync", "0.5s")
    daemon.wait_for("scaling_policy_created", lambda e: e["name"] == "shop/web/cpu")
    daemon.wait_http("/readyz")

    boto_client("ecs").update_service(cluster="shop", service="web", desiredCount=5)
    time.sleep(3)  # six resyncs

    assert daemon.named("drift_detected") == []
    assert daemon.named("service_updated") == []
    assert service(boto_client)["desiredCount"] == 5

    aas = boto_client("application-autoscaling")
    aas.register_scalable_target(ResourceId="service/shop/web", MaxCapacity=9, **ECS_COUNT)
    drift = daemon.wait_for("drift_detected", lambda e: e["kind"] == "ScalableTarget")
    assert drift["fields"] == [{"path": "/MaxCapacity", "desired": 6, "live": 9}]
    daemon.wait_for("drift_corrected", lambda e: e["kind"] == "ScalableTarget")
    (target,) = aas.describe_scalable_targets(ResourceIds=["service/shop/web"], **ECS_COUNT)[
        "ScalableTargets"
    ]
    assert target["MaxCapacity"] == 6
    assert [e["kind"] for e in daemon.named("drift_detected")] == ["ScalableTarget"]
    assert daemon.stop() == 0
