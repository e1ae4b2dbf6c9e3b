"""Fixtures for tests that talk to the moto server: plain clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def ecs(boto_client: Callable[[str], Any]) -> Any:
    """A plain ECS client, for arranging state and making drift by hand."""
    return boto_client("ecs")


@pytest.fixture
def ecr(boto_client: Callable[[str], Any]) -> Any:
    """A plain ECR client, for arranging state and making drift by hand."""
    return boto_client("ecr")


@pytest.fixture
def logs(boto_client: Callable[[str], Any]) -> Any:
    """A plain CloudWatch Logs client, for arranging state and making drift by hand."""
    return boto_client("logs")


@pytest.fixture
def scheduler(boto_client: Callable[[str], Any]) -> Any:
    """A plain EventBridge Scheduler client, for arranging state and making drift by hand."""
    return boto_client("scheduler")
