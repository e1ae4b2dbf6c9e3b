"""Reading and pacing the embedded AWS's service deployments, for the tests of service `web`
in cluster `prod`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ecsync_local.fixes import deployments as deployment_fixes

CONTAINER = {"name": "web", "image": "nginx:1.27", "memory": 128}
PACE = 10.0
"""Seconds per deployment stage in the slow tests."""


class Clock:
    """The stand-in's clock, moved by hand."""

    def __init__(self) -> None:
        self.at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def stages(self, count: float) -> None:
        self.at += timedelta(seconds=PACE * count)


def hand_moved_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Make the (in-process) stand-in read a clock that only the test moves."""
    fake = Clock()
    monkeypatch.setattr(deployment_fixes, "_now", fake.now)
    return fake


def slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deployments started from now on take PACE seconds a stage."""
    monkeypatch.setenv("ECSYNC_LOCAL_STAGE_SECONDS", str(PACE))


def service(ecs: Any) -> dict[str, Any]:
    found: dict[str, Any] = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    return found


def current(ecs: Any) -> dict[str, Any]:
    """The service's current service deployment, as DescribeServiceDeployments answers it."""
    arn = service(ecs)["currentServiceDeployment"]
    found: dict[str, Any] = ecs.describe_service_deployments(serviceDeploymentArns=[arn])
    return found["serviceDeployments"][0]  # type: ignore[no-any-return]


def listed(ecs: Any, **filters: Any) -> list[dict[str, Any]]:
    answer = ecs.list_service_deployments(cluster="prod", service="web", **filters)
    return answer["serviceDeployments"]  # type: ignore[no-any-return]
