"""Fixtures for tests that talk to the moto server: plain clients and the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from controller.aws import local
from controller.aws.clients import Aws


@pytest.fixture
def ecs(boto_client: Callable[[str], Any]) -> Any:
    """A plain ECS client, for arranging state and making drift by hand."""
    return boto_client("ecs")


@pytest.fixture
def ecr(boto_client: Callable[[str], Any]) -> Any:
    """A plain ECR client, for arranging state and making drift by hand."""
    return boto_client("ecr")


@pytest.fixture
def sandbox(aws: Aws) -> local.Sandbox:
    """The seeded sandbox network and Auto Scaling group."""
    return local.seed_sandbox(aws)
