"""The lean path's parameter check against botocore's own validator and serialiser."""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.serialize import JSONSerializer
from botocore.validate import ParamValidator

from controller.aws import paramcheck
from tests.unit.aws.lean_reads import PAIRS

_SESSION = botocore.session.get_session()
_UNKNOWN = object()


def operation_model(service: str, operation: str) -> OperationModel:
    return _SESSION.get_service_model(service).operation_model(operation)


def example(shape: Shape, depth: int = 0) -> Any:
    """A value of `shape` that botocore's validator accepts (members filled to some depth)."""
    least = shape.metadata.get("min", 0)
    if isinstance(shape, StructureShape):
        members = (
            shape.members
            if depth < 3
            else {name: shape.members[name] for name in shape.required_members}
        )
        return {name: example(ref, depth + 1) for name, ref in members.items()}
    if isinstance(shape, ListShape):
        return [example(shape.member, depth + 1) for _ in range(max(1, least))]
    if isinstance(shape, MapShape):
        return {example(shape.key, depth + 1): example(shape.value, depth + 1)}
    scalars: dict[str, Any] = {
        "string": (shape.metadata.get("enum") or ["x" * max(1, least)])[0],
        "integer": max(1, least),
        "long": max(1, least),
        "boolean": True,
        "timestamp": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
        "blob": b"blob",
        "double": 1.5,
        "float": 1.5,
    }
    return scalars.get(shape.type_name, "x")


def variants(value: Any, shape: Shape) -> Iterator[Any]:
    """`value` with one thing changed at a time, at every level: a member dropped, set to
    None or to a value of the wrong type, emptied, a string too short, an unknown member."""
    yield value
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        yield {**value, "notAMember": "x"}
        for name, item in value.items():
            rest = {k: v for k, v in value.items() if k != name}
            yield rest
            for wrong in (None, 7, "7", True, [item], {"k": item}):
                yield {**value, name: wrong}
            for inner in itertools.islice(variants(item, shape.members[name]), 1, None):
                yield {**value, name: inner}
    elif isinstance(shape, ListShape) and isinstance(value, list):
        yield []
        yield tuple(value)
        yield [*value, None]
        for inner in itertools.islice(variants(value[0], shape.member), 1, 12):
            yield [inner]
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        yield {}
        yield {7: next(iter(value.values()))}
    elif isinstance(value, str):
        yield ""


def botocore_body(model: OperationModel, params: dict[str, Any]) -> bytes:
    body: bytes = JSONSerializer().serialize_to_request(params, model)["body"]
    return body


@pytest.mark.parametrize(("service", "operation"), PAIRS)
def test_the_check_passes_only_what_botocore_passes_and_sends_as_is(
    service: str, operation: str
) -> None:
    """For every read ecsync sends, and many variants of its parameters, the check passes
    only parameters botocore's validator accepts and whose JSON body is `json.dumps` of
    them; and it passes the plain ones, so the lean path is taken."""
    model = operation_model(service, operation)
    shape = model.input_shape
    assert shape is not None
    check = paramcheck.compile_input(shape)
    validator = ParamValidator()
    passed = 0
    for params in variants(example(shape), shape):
        if not check(params):
            continue
        passed += 1
        assert not validator.validate(params, shape).has_errors(), params
        assert json.dumps(params).encode() == botocore_body(model, params), params
    assert passed >= 1


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("ecs", "DescribeServices", {"cluster": "prod", "services": ["web"], "include": ["TAGS"]}),
        ("ecs", "ListTaskDefinitions", {"status": "ACTIVE", "maxResults": 100, "nextToken": "t"}),
        ("ecs", "DescribeClusters", {"clusters": ("a", "b"), "include": ["TAGS", "SETTINGS"]}),
        ("ecs", "ListClusters", {}),
        ("ecr", "GetLifecyclePolicy", {"repositoryName": "web"}),
        ("ecr", "DescribeRepositories", {"repositoryNames": ["web"], "maxResults": 1000}),
        ("logs", "DescribeLogGroups", {"logGroupIdentifiers": ["/ecs/web"], "limit": 50}),
        ("application-autoscaling", "DescribeScalableTargets", {"ServiceNamespace": "ecs"}),
        ("kms", "ListAliases", {"Limit": 100, "Marker": "m"}),
    ],
)
def test_the_parameters_ecsync_sends_pass(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    """The parameters the readers send pass the check, with botocore's body."""
    model = operation_model(service, operation)

    assert paramcheck.compile_input(model.input_shape)(params)
    assert json.dumps(params).encode() == botocore_body(model, params)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"services": ["web"]}, "no cluster is fine, but services must be a list of strings"),
        ({"services": "web"}, "a string is not a list"),
        ({"services": ["web"], "include": ["TAGS"], "extra": 1}, "unknown member"),
        ({"services": [7]}, "not a string"),
        ({"services": ["web"], "cluster": None}, "None is not a string"),
        ({}, "services is required"),
    ],
)
def test_what_botocore_refuses_is_left_to_botocore(params: dict[str, Any], reason: str) -> None:
    """Parameters botocore's validator refuses fail the check, so that botocore raises its
    own ParamValidationError (the first row passes both)."""
    shape = operation_model("ecs", "DescribeServices").input_shape
    assert shape is not None
    errors = ParamValidator().validate(params, shape).has_errors()

    assert paramcheck.compile_input(shape)(params) is not errors, reason


def test_a_timestamp_parameter_is_left_to_botocore() -> None:
    """A timestamp (which botocore turns into epoch seconds) fails the check."""
    shape = operation_model("ecs", "ListServiceDeployments").input_shape
    assert shape is not None
    params = {
        "service": "web",
        "createdAt": {"after": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)},
    }

    assert not ParamValidator().validate(params, shape).has_errors()
    assert not paramcheck.compile_input(shape)(params)
