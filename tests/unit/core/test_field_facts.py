"""The catalogue of ECS field facts, checked against botocore's ECS service model."""

from __future__ import annotations

import botocore.session

from controller.core import field_facts

_ECS = botocore.session.get_session().get_service_model("ecs")


def _members(operation: str) -> set[str]:
    shape = _ECS.operation_model(operation).input_shape
    assert shape is not None
    return set(shape.members)


_CREATE = _members("CreateService")
_UPDATE = _members("UpdateService")
_NOT_SPEC = {"serviceName", "clientToken", "tags", "cluster"}
"""CreateService members that are not fields ecsync updates: the name (metadata.name), the
idempotency token, tags (TagResource) and the cluster (part of the service's identity)."""


def test_replace_fields_are_the_create_members_update_lacks() -> None:
    """A service's replace fields are exactly the CreateService members UpdateService lacks."""
    assert field_facts.SERVICE_REPLACE_FIELDS == _CREATE - _UPDATE - _NOT_SPEC


def test_update_fields_are_the_members_both_calls_take() -> None:
    """A service's update fields are exactly the members both CreateService and UpdateService take."""
    assert field_facts.SERVICE_UPDATE_FIELDS == (_CREATE & _UPDATE) - _NOT_SPEC
