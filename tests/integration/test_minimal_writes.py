"""Minimal writes: a one-value manifest change costs exactly the writes it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.settings import defaults
from controller.plan.actions import ActionType
from controller.reconcile.sync import sync
from tests.support import arrange
from tests.support.counting import CallCounter
from tests.support.stacks import write_stack

FAMILY = ResourceId(Kind.TASK_DEFINITION, "storefront-web")
SERVICE = ResourceId(Kind.SERVICE, "web", "storefront")
READ_PREFIXES = ("Describe", "List", "Get")


def writes(counter: CallCounter) -> dict[str, int]:
    """Every operation sent that is not a read, with how often it was sent."""
    return {op: n for op, n in counter.counts.items() if not op.startswith(READ_PREFIXES)}


@pytest.fixture
def changed(
    aws: Aws, calls_sent: CallCounter, sandbox: local.Sandbox, ecr: Any, tmp_path: Path
) -> Path:
    """The storefront stack, converged, with the value of one environment variable of the app
    container changed since. CI has pushed the app's image, as preflight checks that it is
    there before a new revision is registered. (`calls_sent` is attached before `aws` makes
    its first client, so that it hears every call.)"""
    root = write_stack("storefront", tmp_path / "storefront", sandbox)
    assert sync(aws, root, defaults(), apply=True).converged
    arrange.push_image(ecr, "storefront/app", "v2.4.1")
    path = root / "web-task-definition.yaml"
    text = path.read_text()
    assert text.count("value: production") == 1
    path.write_text(text.replace("value: production", "value: staging"))
    return root


def test_one_env_change_is_one_register_and_one_service_update(
    aws: Aws, changed: Path, calls_sent: CallCounter
) -> None:
    """Changing one env var plans and sends one RegisterTaskDefinition and one UpdateService(taskDefinition)."""
    planned = sync(aws, changed, defaults(), apply=False).plan
    assert planned is not None
    assert planned.problems == ()
    assert [(a.type, a.id) for a in planned.actions] == [
        (ActionType.REGISTER, FAMILY),
        (ActionType.UPDATE, SERVICE),
    ]
    register, update = planned.actions
    assert [c.path for c in register.changes] == ["/containerDefinitions/0/environment/0/value"]
    assert (register.changes[0].desired, register.changes[0].live) == ("staging", "production")
    assert update.fields == {"taskDefinition"}

    calls_sent.clear()
    report = sync(aws, changed, defaults(), apply=True)

    assert report.converged
    assert writes(calls_sent) == {"RegisterTaskDefinition": 1, "UpdateService": 1}
    (update_params,) = calls_sent.params("UpdateService")
    assert set(update_params) == {"cluster", "service", "taskDefinition"}
    assert update_params["taskDefinition"].endswith(":task-definition/storefront-web:2")


def test_second_apply_writes_nothing(aws: Aws, changed: Path, calls_sent: CallCounter) -> None:
    """Once converged, another apply sends no write operation at all."""
    assert sync(aws, changed, defaults(), apply=True).converged

    calls_sent.clear()
    report = sync(aws, changed, defaults(), apply=True)

    assert report.converged
    assert report.results == ()
    assert writes(calls_sent) == {}
    assert sum(calls_sent.counts.values()) > 0
