"""Rollout health from ECS's own service deployment record: one fixture file per state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controller.aws.deployments import parse_deployment
from controller.reconcile.health import Health, RolloutProgress, assess_deployment

FIXTURES = Path(__file__).parents[2] / "fixtures" / "deployments"
CASES = sorted(FIXTURES.glob("*.json"))


def test_every_deployment_state_has_a_fixture() -> None:
    """The fixtures cover each status ECS reports and each strategy's stages with traffic."""
    names = {case.stem for case in CASES}
    assert {
        "pending",
        "rolling-in-progress",
        "linear-production-traffic-shift",
        "canary-bake-time",
        "successful",
        "rolling-rollback-in-progress",
        "blue-green-rollback-successful",
        "rollback-failed",
        "stopped",
    } <= names


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_fixture(case: Path) -> None:
    """Each AWS-shaped DescribeServiceDeployments item assesses to the health, message and
    progress (status, strategy, stage, traffic share) its file expects."""
    doc = json.loads(case.read_text())
    expected = doc["expected"]
    record = parse_deployment(doc["deployment"])
    assert record is not None
    assessment = assess_deployment(record)
    assert assessment.health is Health(expected["health"])
    assert assessment.message == expected["message"]
    assert assessment.progress == RolloutProgress(
        doc["deployment"]["serviceDeploymentArn"],
        expected["status"],
        expected["strategy"],
        expected["stage"],
        expected["traffic"],
    )


def test_progress_is_json_with_the_status_keys() -> None:
    """The progress `/status` shows: deployment, status, strategy, stage, trafficPercent."""
    progress = RolloutProgress("arn:d", "IN_PROGRESS", "LINEAR", "PRODUCTION_TRAFFIC_SHIFT", 30.0)
    assert progress.to_dict() == {
        "deployment": "arn:d",
        "status": "IN_PROGRESS",
        "strategy": "LINEAR",
        "stage": "PRODUCTION_TRAFFIC_SHIFT",
        "trafficPercent": 30.0,
    }
