"""The spec models generated from botocore: shape, strictness, and freshness."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

from controller.core.kinds import Kind
from controller.manifests.specs import SPEC_MODELS, generated

REPO = Path(__file__).resolve().parents[3]


def models_under(model: type[BaseModel]) -> set[type[BaseModel]]:
    """`model` and every model its fields use, recursively."""
    found: set[type[BaseModel]] = set()
    todo: list[Any] = [model]
    while todo:
        current = todo.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            if current not in found:
                found.add(current)
                todo.extend(f.annotation for f in current.model_fields.values())
        elif get_origin(current) is not None:
            todo.extend(get_args(current))
    return found


def test_every_kind_has_a_spec_model() -> None:
    """SPEC_MODELS maps each Kind to its generated model."""
    assert set(SPEC_MODELS) == set(Kind)
    assert SPEC_MODELS[Kind.SERVICE] is generated.ServiceSpec


@pytest.mark.parametrize(
    ("kind", "absent"),
    [
        (Kind.REPOSITORY, {"repositoryName", "registryId"}),
        (Kind.CLUSTER, {"clusterName"}),
        (Kind.CAPACITY_PROVIDER, {"name"}),
        (Kind.TASK_DEFINITION, {"family"}),
        (Kind.SERVICE, {"serviceName", "clientToken"}),
        (Kind.TASK, {"clientToken"}),
        (Kind.LOG_GROUP, {"logGroupName"}),
        (Kind.SCALABLE_TARGET, {"ServiceNamespace", "ResourceId", "ScalableDimension"}),
        (Kind.SCALING_POLICY, {"PolicyName", "ServiceNamespace", "ResourceId"}),
        (Kind.SCHEDULE, {"Name", "ClientToken"}),
    ],
)
def test_name_and_token_members_are_left_out(kind: Kind, absent: set[str]) -> None:
    """The name comes from metadata.name and idempotency tokens are ecsync's business."""
    fields = {f.alias or n for n, f in SPEC_MODELS[kind].model_fields.items()}
    assert not absent & fields
    assert fields


UNTAGGED = {Kind.SCALING_POLICY, Kind.SCHEDULE}
"""Kinds whose AWS create request takes no tags (PutScalingPolicy, CreateSchedule)."""


@pytest.mark.parametrize("kind", sorted(set(Kind) - UNTAGGED))
def test_tags_are_a_mapping_in_every_kind(kind: Kind) -> None:
    """`tags` takes {key: value}, not AWS's list of key/value objects, spelled `tags`
    even where the API says `Tags` (Application Auto Scaling)."""
    assert SPEC_MODELS[kind].model_fields["tags"].annotation == dict[str, str] | None


@pytest.mark.parametrize("kind", sorted(UNTAGGED))
def test_kinds_without_aws_tags_take_none(kind: Kind) -> None:
    """A kind whose create request has no tags has no `tags` field either."""
    fields = {f.alias or n for n, f in SPEC_MODELS[kind].model_fields.items()}
    assert not {"tags", "Tags"} & fields


def test_a_member_named_like_its_type_keeps_its_aws_spelling() -> None:
    """`Target: Target` validates and dumps as `Target`, though the Python field differs."""
    spec = {
        "ScheduleExpression": "rate(1 hour)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod", "RoleArn": "r"},
    }
    validated = generated.ScheduleSpec.model_validate(spec)
    assert validated.model_dump(by_alias=True, exclude_unset=True) == spec


def test_a_scalable_target_takes_its_scheduled_actions() -> None:
    """`ScheduledActions` holds PutScheduledAction requests without the target's identity."""
    action = {"ScheduledActionName": "night", "Schedule": "cron(0 20 * * ? *)"}
    spec = generated.ScalableTargetSpec.model_validate(
        {"ScheduledActions": [{**action, "ScalableTargetAction": {"MinCapacity": 1}}]}
    )
    assert spec.ScheduledActions is not None
    assert spec.ScheduledActions[0].ScheduledActionName == "night"
    with pytest.raises(ValidationError):
        generated.ScheduledActionSpec.model_validate({**action, "ResourceId": "service/a/b"})


def test_log_group_retention_is_a_spec_field() -> None:
    """`retentionInDays` (PutRetentionPolicy's) sits beside CreateLogGroup's fields."""
    spec = generated.LogGroupSpec.model_validate({"retentionInDays": 30, "tags": {"a": "b"}})
    assert spec.retentionInDays == 30


def test_tags_validate_as_a_mapping_of_strings() -> None:
    """A tag mapping validates; a list of key/value objects does not."""
    spec = generated.ClusterSpec.model_validate({"tags": {"team": "web"}})
    assert spec.model_dump(exclude_unset=True) == {"tags": {"team": "web"}}
    with pytest.raises(ValidationError):
        generated.ClusterSpec.model_validate({"tags": [{"key": "team", "value": "web"}]})


def test_repository_takes_policies_as_objects() -> None:
    """lifecyclePolicy and repositoryPolicy accept any JSON object."""
    policy = {"rules": [{"rulePriority": 1, "selection": {"countNumber": 3}}]}
    spec = generated.RepositorySpec.model_validate({"lifecyclePolicy": policy})
    assert spec.lifecyclePolicy == policy
    with pytest.raises(ValidationError):
        generated.RepositorySpec.model_validate({"repositoryPolicy": "{}"})


def test_all_models_forbid_extras_and_are_strict_and_frozen() -> None:
    """Every generated model, nested ones included, rejects unknown fields and coercion."""
    models = set().union(*(models_under(m) for m in SPEC_MODELS.values()))
    assert len(models) > 100
    for model in models:
        config = model.model_config
        assert (config.get("extra"), config.get("strict"), config.get("frozen")) == (
            "forbid",
            True,
            True,
        ), model


def test_required_members_are_required() -> None:
    """botocore's required members are required, at the top and inside nested shapes."""
    assert [n for n, f in generated.TaskDefinitionSpec.model_fields.items() if f.is_required()] == [
        "containerDefinitions"
    ]
    assert [n for n, f in generated.TaskSpec.model_fields.items() if f.is_required()] == [
        "taskDefinition"
    ]
    assert {n for n, f in generated.Secret.model_fields.items() if f.is_required()} == {
        "name",
        "valueFrom",
    }


def test_nested_models_accept_mappings_but_not_coerced_scalars() -> None:
    """A dict validates as a nested model; "8080" is not an int and 8080 is not a string."""
    spec = generated.TaskDefinitionSpec.model_validate(
        {"containerDefinitions": [{"name": "web", "portMappings": [{"containerPort": 8080}]}]}
    )
    assert spec.containerDefinitions[0].portMappings is not None
    assert spec.containerDefinitions[0].portMappings[0].containerPort == 8080
    for bad in ({"containerPort": "8080"}, {"name": 8080}):
        with pytest.raises(ValidationError):
            generated.PortMapping.model_validate(bad)


def test_enums_are_literals() -> None:
    """An enum member accepts only the AWS values, exactly spelt."""
    generated.ServiceSpec.model_validate({"launchType": "FARGATE"})
    with pytest.raises(ValidationError):
        generated.ServiceSpec.model_validate({"launchType": "Fargate"})


def load_generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """tools/gen_specs.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_specs", REPO / "tools" / "gen_specs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "gen_specs", module)  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


def ruff_format(source: str, path: Path) -> str:
    """`source` as `ruff format` would write it at `path`."""
    command = [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(path), "-"]
    return subprocess.run(command, input=source, capture_output=True, text=True, check=True).stdout


def test_committed_models_match_the_generator_and_installed_botocore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """generated.py and specs/__init__.py are what tools/gen_specs.py writes today."""
    generated_source, package_source = load_generator(monkeypatch).render()
    specs = REPO / "controller" / "manifests" / "specs"
    outputs = ((generated_source, specs / "generated.py"), (package_source, specs / "__init__.py"))
    for source, path in outputs:
        assert ruff_format(source, path) == path.read_text(encoding="utf-8"), (
            f"{path} is stale: run .venv/bin/python tools/gen_specs.py"
        )


def test_manifests_package_does_not_import_aws_sdks() -> None:
    """Loading manifests never imports boto3 or botocore (only controller.aws may)."""
    code = (
        "import sys, controller.manifests.loader\n"
        "assert not {'boto3', 'botocore'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_reserved_member_names_get_a_safe_name_with_the_aws_alias(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A member named like a keyword or a BaseModel attribute is renamed and aliased."""
    generator = load_generator(monkeypatch)
    assert generator.field_line("cluster", "str", required=False) == (
        "    cluster: str | None = None\n"
    )
    assert generator.field_line("class", "int", required=True) == (
        "    class_: int = Field(alias='class')\n"
    )
    line = generator.field_line("json", "str", required=False)
    assert line == "    json_: str | None = Field(default=None, alias='json')\n"
    typed = generator.field_line("Target", "Target", required=False, taken=frozenset({"Target"}))
    assert typed == "    Target_: Target | None = Field(default=None, alias='Target')\n"
    namespace: dict[str, Any] = {}
    source = "from pydantic import Field\nfrom controller.manifests.specs.generated import Spec\n"
    exec(f"{source}class M(Spec):\n{line}", namespace)
    model = namespace["M"].model_validate({"json": "x"})
    assert model.model_dump(by_alias=True, exclude_unset=True) == {"json": "x"}
