"""The fast JSON parser gives exactly what botocore's parser gives: same values, same types,
same key order, same errors."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore import parsers
from botocore.model import ServiceModel, Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller.aws import parsing
from controller.aws.clients import Aws, AwsConfig
from tests.fidelity import corpus

SERVICES = ("ecs", "ecr", "application-autoscaling", "logs")
"""The JSON-protocol services ecsync reads."""
_MODELS = {name: botocore.session.get_session().get_service_model(name) for name in SERVICES}


def _identity(value: Any) -> Any:
    return value


PARSER_DEFAULTS: list[dict[str, Any]] = [
    {},
    {"timestamp_parser": parsing.as_sent},
    {"timestamp_parser": _identity},
]
"""botocore's own defaults (datetimes, bytes), the session ecsync makes (timestamps as sent,
never converted), and a timestamp parser of another's making (called on each timestamp)."""
DEFAULT_IDS = ["botocore-defaults", "ecsync", "identity"]


def _both(response: dict[str, Any], shape: Shape, defaults: dict[str, Any]) -> tuple[Any, Any]:
    """(botocore's result or exception, the fast parser's), for the same response."""
    results = []
    for parser in (parsers.JSONParser(**defaults), parsing.FastJSONParser(**defaults)):
        try:
            results.append(parser.parse(dict(response), shape))
        except Exception as error:  # compared: both must fail alike
            results.append((type(error), str(error)))
    return results[0], results[1]


def _response(body: bytes, status: int = 200) -> dict[str, Any]:
    return {
        "body": body,
        "headers": {"x-amzn-RequestId": "req-1", "Content-Type": "application/x-amz-json-1.1"},
        "status_code": status,
        "context": {"operation_name": "Op"},
    }


def _same(botocore_result: Any, fast_result: Any) -> None:
    """Equal, with the same types and the same key order at every level."""
    assert repr(fast_result) == repr(botocore_result)
    assert fast_result == botocore_result


# -- values for a shape ---------------------------------------------------------------------

_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_DOCUMENTS = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def _joined(parts: tuple[dict[str, Any], dict[str, Any], bool]) -> dict[str, Any]:
    """Unknown members, then known ones in the model's order (or all of them reversed, as a
    sender that does not keep the model's order would send them)."""
    unknown, known, reverse = parts
    joined = {**unknown, **known}
    return dict(reversed(joined.items())) if reverse else joined


def values(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """JSON values AWS could send for `shape`: members set or not, nulls, unknown members."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return _DOCUMENTS
        if depth > 3:
            return st.just({})
        members = {
            ref.serialization.get("name", name): values(ref, depth + 1) | st.none()
            for name, ref in shape.members.items()  # type: ignore[attr-defined]
        }
        if shape.metadata.get("union"):
            return st.one_of([st.fixed_dictionaries({k: v}) for k, v in members.items()])
        known = st.fixed_dictionaries({}, optional=members)
        unknown = st.dictionaries(
            st.text(min_size=1, max_size=6).filter(lambda k: k not in members), _JSON_SCALARS,
            max_size=2,
        )  # fmt: skip
        return st.tuples(unknown, known, st.booleans()).map(_joined)
    if kind in ("list", "map") and depth > 3:
        return st.just([] if kind == "list" else {})
    if kind == "list":
        return st.lists(values(shape.member, depth + 1) | st.none(), max_size=3)  # type: ignore[attr-defined]
    if kind == "map":
        return st.dictionaries(st.text(max_size=5), values(shape.value, depth + 1), max_size=3)  # type: ignore[attr-defined]
    if kind == "blob":
        return st.binary(max_size=8).map(lambda raw: base64.b64encode(raw).decode())
    if kind == "timestamp":
        return st.floats(min_value=0, max_value=4e9, allow_nan=False) | st.integers(
            0, 4_000_000_000
        )
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "long"):
        return st.integers()
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    return st.text(max_size=8)


def _outputs() -> list[tuple[str, Shape]]:
    found: list[tuple[str, Shape]] = []
    for name, model in _MODELS.items():
        for operation in model.operation_names:
            op = model.operation_model(operation)
            if op.output_shape is not None and not op.output_shape.event_stream_name:
                found.append((f"{name}.{operation}", op.output_shape))
    return found


OUTPUTS = _outputs()


@pytest.mark.parametrize("defaults", PARSER_DEFAULTS, ids=DEFAULT_IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_read_answer_parses_as_botocore_parses_it(
    defaults: dict[str, Any], data: st.DataObject
) -> None:
    """Any answer to any operation of ECS, ECR, Application Auto Scaling or CloudWatch Logs,
    unknown members and nulls included, parses to exactly botocore's result."""
    _, shape = data.draw(st.sampled_from(OUTPUTS))
    answer = data.draw(values(shape))
    _same(*_both(_response(json.dumps(answer).encode()), shape, defaults))


# -- generated shapes -----------------------------------------------------------------------

_SCALAR_TYPES = ("string", "integer", "long", "boolean", "double", "float", "blob", "timestamp")


@st.composite
def models(draw: Callable[..., Any]) -> ServiceModel:
    """A JSON-protocol service with one operation whose output is made of random shapes:
    nesting, recursion, renamed members, lists, maps, documents and unions."""
    count = draw(st.integers(2, 7))
    names = [f"S{i}" for i in range(count)]
    shapes: dict[str, Any] = {}
    for index, name in enumerate(names):
        kind = (
            "structure"
            if index == 0
            else draw(st.sampled_from(("structure", "list", "map", *_SCALAR_TYPES)))
        )
        refs = st.sampled_from(names)
        if kind == "structure":
            members = draw(
                st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), refs, max_size=4)
            )
            shapes[name] = {
                "type": "structure",
                "members": {
                    m: {
                        "shape": target,
                        **({"locationName": f"{m}X"} if draw(st.booleans()) else {}),
                    }
                    for m, target in members.items()
                },
            }
            trait = draw(st.sampled_from((None, None, "document", "union"))) if index else None
            if trait == "document":
                shapes[name]["document"] = True
            elif trait == "union" and members:
                shapes[name]["union"] = True
        elif kind == "list":
            shapes[name] = {"type": "list", "member": {"shape": draw(refs)}}
        elif kind == "map":
            shapes[name] = {"type": "map", "key": {"shape": "Key"}, "value": {"shape": draw(refs)}}
        else:
            shapes[name] = {"type": kind}
    shapes["Key"] = {"type": "string"}
    return ServiceModel(
        {
            "metadata": {"protocol": "json", "apiVersion": "2020-01-01", "endpointPrefix": "x",
                         "serviceId": "X", "jsonVersion": "1.1", "targetPrefix": "X"},
            "operations": {
                "Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                       "output": {"shape": "S0"}}
            },
            "shapes": shapes,
        }
    )  # fmt: skip


@pytest.mark.parametrize("defaults", PARSER_DEFAULTS, ids=DEFAULT_IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_shapes_parse_as_botocore_parses_them(
    defaults: dict[str, Any], data: st.DataObject
) -> None:
    """Answers to generated shapes (recursive, renamed, documents, unions) parse to exactly
    botocore's result, or fail as botocore fails."""
    shape = data.draw(models()).operation_model("Op").output_shape
    assert shape is not None
    answer = data.draw(values(shape))
    _same(*_both(_response(json.dumps(answer).encode()), shape, defaults))


# -- the fidelity corpus --------------------------------------------------------------------


def _wire(value: Any) -> Any:
    """A case's YAML value as the JSON protocol sends it (dates as epoch seconds)."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), datetime.UTC).timestamp()
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _answers(case: corpus.Case) -> list[tuple[str, str, Any]]:
    """(service, operation, answer) for each JSON-protocol read the case's live state is."""
    live = _wire(case.live)
    folder = case.path.parent.name
    if folder == "service":
        return [("ecs", "DescribeServices", {"services": [live], "failures": []})]
    if folder == "cluster":
        return [("ecs", "DescribeClusters", {"clusters": [live]})]
    if folder == "task-definition":
        return [("ecs", "DescribeTaskDefinition", live)]
    if folder == "capacity-provider":
        return [("ecs", "DescribeCapacityProviders", {"capacityProviders": [live]})]
    if folder == "repository":
        found = [("ecr", "DescribeRepositories", {"repositories": [live["repository"]]})]
        if "tags" in live:
            found.append(("ecr", "ListTagsForResource", {"tags": live["tags"]}))
        return found
    if folder == "scalable-target":
        found = [("application-autoscaling", "DescribeScalableTargets",
                  {"ScalableTargets": [live["target"]]})]  # fmt: skip
        if "scheduledActions" in live:
            found.append(("application-autoscaling", "DescribeScheduledActions",
                          {"ScheduledActions": live["scheduledActions"]}))  # fmt: skip
        return found
    if folder == "scaling-policy":
        return [("application-autoscaling", "DescribeScalingPolicies", {"ScalingPolicies": [live]})]
    if folder == "log-group":
        return [("logs", "DescribeLogGroups", {"logGroups": [live["logGroup"]]})]
    return []  # schedule: EventBridge Scheduler speaks rest-json, which botocore parses


CASES = [corpus.read_case(path) for path in corpus.case_files()]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
@pytest.mark.parametrize("defaults", PARSER_DEFAULTS, ids=DEFAULT_IDS)
def test_fidelity_answers_parse_as_botocore_parses_them(
    case: corpus.Case, defaults: dict[str, Any]
) -> None:
    """Every real AWS answer of the fidelity corpus parses to exactly botocore's result."""
    for service, operation, answer in _answers(case):
        shape = _MODELS[service].operation_model(operation).output_shape
        assert shape is not None
        _same(*_both(_response(json.dumps(answer).encode()), shape, defaults))


# -- what is left to botocore ---------------------------------------------------------------

_DESCRIBE_SERVICES: Any = _MODELS["ecs"].operation_model("DescribeServices").output_shape


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, b'{"__type": "ClusterNotFoundException", "message": "Cluster not found."}'),
        (400, b'{"__type": "com.amazonaws.ecs#InvalidParameterException", "Message": "bad"}'),
        (500, b""),
        (503, b"<html><body>Service Unavailable</body></html>"),
        (200, b""),
        (200, b"not json"),
        (200, b"[1, 2]"),
        (200, b"null"),
        # what orjson refuses goes to json.loads, which takes it
        (200, b'{"services": [{"desiredCount": 123456789012345678901234567890}]}'),
        (200, b'{"services": [{"desiredCount":-9223372036854775809, "runningCount": 1}]}'),
        (200, b'{"services": [{"desiredCount": 1, "pendingCount":\n18446744073709551616}]}'),
        (200, b'{"services": [{"deployments": [{"id": "ecs-svc/9223370556566218549"}]}]}'),
        (200, b'{"services": [{"desiredCount": NaN, "runningCount": Infinity}]}'),
        (200, b'{"services": [{"serviceName": "\\ud800"}]}'),
        (200, b'{"services": [{"serviceName": "\xff"}]}'),
        (200, b'\xef\xbb\xbf{"services": []}'),
    ],
)
def test_errors_and_odd_bodies_get_botocore_own_answer(status: int, body: bytes) -> None:
    """Error answers, empty bodies and bodies that are not a JSON object get botocore's own
    answer."""
    _same(*_both(_response(body, status), _DESCRIBE_SERVICES, {}))


def test_ecsync_clients_parse_json_with_the_fast_parser() -> None:
    """Every client of an ecsync connection parses the JSON protocol with the fast parser,
    timestamps left as sent; other protocols keep botocore's parser."""
    factory = Aws(AwsConfig(region="us-east-1")).session._session.get_component(
        "response_parser_factory"
    )
    json_parser = factory.create_parser("json")
    assert isinstance(json_parser, parsing.FastJSONParser)
    assert json_parser.parse_timestamp(1700000000.5) == 1700000000.5
    assert type(factory.create_parser("rest-json")) is parsers.RestJSONParser


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(value=_ANY_JSON, indent=st.sampled_from([None, 1]))
def test_bodies_decode_as_json_loads_decodes_them(value: Any, indent: int | None) -> None:
    """Whichever decoder reads a body, the values and their types are `json.loads`' own:
    integers of any width, NaN and infinities, any text."""
    body = json.dumps(value, indent=indent).encode()
    assert repr(parsing.decode(body)) == repr(json.loads(body.decode()))
