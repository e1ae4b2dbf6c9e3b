"""Autoscaled services through the whole pass against the local AWS: they converge, a count
the scaler set is neither drift nor a write, policies are pruned with their owner's rules,
and `ecsync import` writes them back as manifests."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from controller.aws import autoscaling
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG
from controller.core.settings import defaults
from controller.manifests.loader import load
from controller.plan.actions import ActionType
from controller.reconcile.importer import ImportRefusedError, ImportRequest, import_live
from controller.reconcile.sync import sync
from tests.support.counting import CallCounter
from tests.support.stacks import assert_converges

SERVICE = """\
apiVersion: ecsync/v1
kind: Cluster
metadata: {name: shop}
spec: {}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: web}
spec:
  containerDefinitions: [{name: app, image: "nginx:1.27", memory: 128}]
---
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec: {cluster: shop, taskDefinition: web, desiredCount: 2}
"""
SCALING = """\
apiVersion: ecsync/v1
kind: ScalableTarget
metadata: {name: shop/web}
spec:
  MinCapacity: 2
  MaxCapacity: 6
  ScheduledActions:
    - ScheduledActionName: mornings
      Schedule: cron(0 7 * * ? *)
      ScalableTargetAction: {MinCapacity: 3}
  tags: {team: web}
"""
POLICY = """\
apiVersion: ecsync/v1
kind: ScalingPolicy
metadata: {name: shop/web/cpu}
spec:
  PolicyType: TargetTrackingScaling
  TargetTrackingScalingPolicyConfiguration:
    TargetValue: 60
    PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
"""
TARGET = ResourceId(Kind.SCALABLE_TARGET, "shop/web")
CPU = ResourceId(Kind.SCALING_POLICY, "shop/web/cpu")


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    """A service, its scalable target and a target tracking policy, in three files."""
    root = tmp_path / "manifests"
    root.mkdir()
    (root / "service.yaml").write_text(SERVICE)
    (root / "scaling.yaml").write_text(SCALING)
    (root / "policy.yaml").write_text(POLICY)
    return root


def test_an_autoscaled_service_converges_and_plans_nothing(aws: Aws, manifests: Path) -> None:
    """Service, target and policy are created in that order, owned, and then in sync."""
    applied = assert_converges(aws, manifests)

    created = [r.id.kind for r in applied.results]
    assert created.index(Kind.SERVICE) < created.index(Kind.SCALABLE_TARGET)
    assert created.index(Kind.SCALABLE_TARGET) < created.index(Kind.SCALING_POLICY)
    live = autoscaling.list_owned(aws, "ecsync")
    assert set(live) == {TARGET, CPU}
    assert live[TARGET].spec["tags"] == {OWNER_TAG: "ecsync", "team": "web"}


def test_a_count_the_scaler_set_is_left_alone(
    aws: Aws, manifests: Path, ecs: Any, calls_sent: CallCounter
) -> None:
    """Scaling the service as Application Auto Scaling would gives an empty plan that says
    why, and an apply that sends no UpdateService."""
    assert_converges(aws, manifests)
    ecs.update_service(cluster="shop", service="web", desiredCount=5)
    calls_sent.clear()

    planned = sync(aws, manifests, defaults(), apply=False).plan
    applied = sync(aws, manifests, defaults(), apply=True)

    assert planned is not None
    assert planned.actions == ()
    assert planned.notes == (
        "Service/shop/web: desiredCount left to Application Auto Scaling (ScalableTarget/shop/web)",
    )
    assert applied.converged
    assert calls_sent["UpdateService"] == 0
    (service,) = ecs.describe_services(cluster="shop", services=["web"])["services"]
    assert service["desiredCount"] == 5


def test_a_changed_target_and_policy_are_written_in_place(
    aws: Aws, manifests: Path, calls_sent: CallCounter
) -> None:
    """A new maximum is one RegisterScalableTarget; a new target value one PutScalingPolicy."""
    assert_converges(aws, manifests)
    (manifests / "scaling.yaml").write_text(SCALING.replace("MaxCapacity: 6", "MaxCapacity: 9"))
    (manifests / "policy.yaml").write_text(POLICY.replace("TargetValue: 60", "TargetValue: 40"))
    calls_sent.clear()

    applied = sync(aws, manifests, defaults(), apply=True)

    assert applied.converged
    assert {(r.id, r.outcome.value) for r in applied.results} == {
        (TARGET, "updated"),
        (CPU, "updated"),
    }
    assert calls_sent["RegisterScalableTarget"] == calls_sent["PutScalingPolicy"] == 1
    assert calls_sent["PutScheduledAction"] == 0


def test_prune_deletes_a_policy_that_left_the_manifests(aws: Aws, manifests: Path) -> None:
    """With prune, a policy no manifest names any more is deleted from its owned target."""
    assert_converges(aws, manifests)
    (manifests / "policy.yaml").unlink()

    plan = sync(aws, manifests, defaults(prune=True, confirm_prune=True), apply=True).plan

    assert plan is not None
    assert [(a.type, a.id) for a in plan.actions] == [(ActionType.DELETE, CPU)]
    assert set(autoscaling.list_owned(aws, "ecsync")) == {TARGET}


def test_import_writes_a_services_target_and_policies(
    aws: Aws, manifests: Path, tmp_path: Path
) -> None:
    """Importing the cluster brings its service's scalable target, scheduled actions and
    policy; the files load and plan as in sync; a named target that is not registered is
    refused."""
    assert_converges(aws, manifests)
    out = tmp_path / "imported"

    report = import_live(aws, ImportRequest(cluster="shop"), out)

    files = sorted(str(p.relative_to(out)) for p in report.written)
    assert "scalable-targets/shop/web.yaml" in files
    assert "scaling-policies/shop/web/cpu.yaml" in files
    assert load(out).ok
    with pytest.raises(ImportRefusedError, match="ScalableTarget/shop/nope"):
        import_live(aws, ImportRequest(scalable_targets=("shop/nope",)), tmp_path / "none")


def test_import_adopts_a_target_and_with_it_its_policies(
    aws: Aws, ecs: Any, boto_client: Any, tmp_path: Path
) -> None:
    """A target registered by hand is adopted with one TagResource; its policy is then owned
    through it, and the imported manifests plan as in sync."""
    root = tmp_path / "service"
    root.mkdir()
    (root / "service.yaml").write_text(SERVICE)
    assert_converges(aws, root)
    aas = boto_client("application-autoscaling")
    dimension = {"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}
    aas.register_scalable_target(
        ResourceId="service/shop/web", MinCapacity=1, MaxCapacity=3, **dimension
    )
    aas.put_scaling_policy(
        PolicyName="cpu",
        ResourceId="service/shop/web",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
        **dimension,
    )
    request = ImportRequest(scalable_targets=("shop/web",), adopt=True)

    report = import_live(aws, request, tmp_path / "out")

    assert set(report.adopted) == {TARGET}
    assert set(autoscaling.list_owned(aws, "ecsync")) == {TARGET, CPU}
    (tmp_path / "out" / "service.yaml").write_text(SERVICE)
    plan = sync(aws, tmp_path / "out", defaults(), apply=False).plan
    assert plan is not None
    assert dataclasses.replace(plan, notes=()).empty
