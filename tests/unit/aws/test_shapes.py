"""The projection's member sets: botocore's own models, loaded without leaving garbage."""

from __future__ import annotations

import gc

import botocore.session
import pytest

from controller.aws import shapes

READ_SERVICES = ("ecs", "ecr", "logs", "application-autoscaling", "scheduler")


@pytest.mark.parametrize("service", READ_SERVICES)
def test_members_are_those_of_botocores_service_model(service: str) -> None:
    """Every operation's input members are those a botocore session's model gives."""
    model = botocore.session.get_session().get_service_model(service)
    for operation in model.operation_names:
        shape = model.operation_model(operation).input_shape
        expected = frozenset(shape.members if shape is not None else ())
        assert shapes.request_members(service, operation) == expected, operation


def test_an_unknown_operation_is_an_error() -> None:
    """An operation the model lacks is refused by name, not answered with no members."""
    with pytest.raises(KeyError, match="CreateNothing"):
        shapes.request_members("ecs", "CreateNothing")


def test_loading_a_model_leaves_no_reference_cycles(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model read for its members is freed as soon as it is read: nothing is left for the
    cyclic collector (a botocore session's model stayed until the collector ran)."""
    monkeypatch.setattr(shapes, "_MEMBERS", {})
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        shapes.request_members("ecs", "CreateService")
        left = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert left == 0


def test_project_keeps_the_create_members_only() -> None:
    """A described item keeps the create call's members, without tags or what is excluded."""
    described = {"serviceName": "web", "desiredCount": 2, "status": "ACTIVE", "tags": []}
    projected = shapes.project("ecs", "CreateService", described, exclude=("serviceName",))
    assert projected == {"desiredCount": 2}
