"""The JSON Schema for editors accepts what ecsync accepts and flags the common mistakes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from controller.cli.main import main
from controller.core.kinds import Kind
from controller.manifests import schema, yamlload
from controller.manifests.loader import DEFAULT_LIMITS

ROOT = Path(__file__).parents[3]
MANIFEST_FOLDERS = [ROOT / "manifests", ROOT / "tests" / "fixtures" / "manifests" / "valid"]
SCHEMAS = schema.all_schemas()
COMBINED = Draft202012Validator(SCHEMAS[schema.COMBINED])
SERVICE: dict[str, Any] = {
    "apiVersion": "ecsync/v1",
    "kind": "Service",
    "metadata": {"name": "web", "annotations": {"ecsync/ignore": "/desiredCount"}},
    "spec": {"cluster": "prod", "taskDefinition": "web", "desiredCount": 2},
}


def documents() -> list[tuple[str, dict[str, Any]]]:
    """Every document of the sample manifests and the valid test fixtures, as ecsync reads them."""
    found = []
    for folder in MANIFEST_FOLDERS:
        for path in sorted(folder.rglob("*")):
            hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
            if hidden or path.suffix not in (".yaml", ".yml", ".json"):
                continue
            parsed = yamlload.parse(
                path.read_bytes(), path.name, DEFAULT_LIMITS, json=path.suffix == ".json"
            )
            found += [(f"{path.relative_to(ROOT)}", d.data) for d in parsed.documents]
    return found


def messages(validator: Draft202012Validator, document: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(document)]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_schema_is_a_valid_json_schema(name: str) -> None:
    """Each generated file is a well-formed 2020-12 JSON Schema."""
    Draft202012Validator.check_schema(SCHEMAS[name])


@pytest.mark.parametrize(("file", "document"), documents())
def test_the_schemas_accept_every_valid_manifest(file: str, document: dict[str, Any]) -> None:
    """The combined schema and the kind's own schema accept every valid manifest."""
    own = Draft202012Validator(SCHEMAS[schema.file_name(Kind(document["kind"]))])
    assert messages(COMBINED, document) == []
    assert messages(own, document) == []


def test_a_misspelt_spec_field_is_flagged() -> None:
    """`desiredCont` is an unknown field, as `ecsync validate` says too."""
    document = copy.deepcopy(SERVICE)
    document["spec"]["desiredCont"] = document["spec"].pop("desiredCount")

    assert messages(COMBINED, document) == [
        "Additional properties are not allowed ('desiredCont' was unexpected)"
    ]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("spec", "desiredCount"), "2", "'2' is not of type 'integer'"),
        (("spec", "launchType"), "FARGATE_SPOT", "'FARGATE_SPOT' is not one of"),
        (("spec", "networkConfiguration"), {"awsvpcConfiguration": {}}, "'subnets' is a required"),
        (("metadata", "name"), "web service", "does not match"),
        (("metadata", "annotations", "ecsync/prune"), "flase", "'flase' is not one of"),
        (("metadata", "annotations", "ecsync/hook"), "pre-sync", "is not valid under any"),
        (("metadata", "annotations", "ecsync/ignroe"), "/x", "is not valid under any"),
        (("metadata", "nmae"), "web", "('nmae' was unexpected)"),
        (("apiVersion",), "ecsync/v2", "'ecsync/v1' was expected"),
    ],
)
def test_common_mistakes_are_flagged(path: tuple[str, ...], value: Any, expected: str) -> None:
    """Wrong types, enum values, missing required fields, invalid names, unknown or
    misplaced ecsync annotations (hooks are for Tasks) and wrong versions are errors."""
    document = copy.deepcopy(SERVICE)
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value

    found = messages(COMBINED, document)

    assert any(expected in message for message in found), found


def test_user_annotations_and_a_spec_less_cluster_are_accepted() -> None:
    """Annotations outside `ecsync/` are the user's; a spec is optional where nothing is required."""
    document = {
        "apiVersion": "ecsync/v1",
        "kind": "Cluster",
        "metadata": {"name": "prod", "annotations": {"team.acme.io/owner": "web"}},
    }
    assert messages(COMBINED, document) == []


@pytest.mark.parametrize("phase", ["pre-sync", "post-sync", "sync-fail"])
def test_a_task_takes_each_hook_phase(phase: str) -> None:
    """Each of the three hooks is accepted on a Task, as validate accepts it; another is not."""

    def task(hook: str) -> dict[str, Any]:
        return {
            "apiVersion": "ecsync/v1",
            "kind": "Task",
            "metadata": {"name": "smoke", "annotations": {"ecsync/hook": hook}},
            "spec": {"cluster": "prod", "taskDefinition": "web"},
        }

    assert messages(COMBINED, task(phase)) == []
    assert messages(COMBINED, task(phase.replace("-", ""))) != []


def test_an_unknown_kind_is_flagged() -> None:
    """A kind that does not exist is named as such."""
    document = {**SERVICE, "kind": "Servic"}
    assert any("is not one of" in message for message in messages(COMBINED, document))


def test_schema_command_writes_one_file_per_kind_and_the_combined_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ecsync schema --out DIR` writes every schema; without --out it prints the combined one."""
    assert main(["schema", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SCHEMAS)
    assert json.loads((tmp_path / schema.COMBINED).read_text()) == SCHEMAS[schema.COMBINED]
    capsys.readouterr()

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == SCHEMAS[schema.COMBINED]
