"""The `ecsync/image-update` annotation: parsed on task definitions, refused elsewhere, in the schema."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from controller.core.kinds import Kind
from controller.manifests import schema
from controller.manifests.switches import parse

COMBINED = Draft202012Validator(schema.all_schemas()[schema.COMBINED])


def task_definition(annotations: dict[str, str]) -> dict[str, object]:
    return {
        "apiVersion": "ecsync/v1",
        "kind": "TaskDefinition",
        "metadata": {"name": "web", "annotations": annotations},
        "spec": {"containerDefinitions": [{"name": "web", "image": "nginx", "memory": 128}]},
    }


def test_digest_on_a_task_definition_is_the_switch() -> None:
    """`ecsync/image-update: digest` on a TaskDefinition sets `image_update` to digest."""
    annotations, errors = parse(Kind.TASK_DEFINITION, {"ecsync/image-update": "digest"})

    assert errors == []
    assert annotations.image_update == "digest"


def test_without_the_annotation_no_image_is_followed() -> None:
    """No annotation leaves `image_update` empty: images are registered as written."""
    annotations, _ = parse(Kind.TASK_DEFINITION, {})

    assert annotations.image_update == ""


def test_on_a_service_it_is_an_error_that_names_the_task_definition() -> None:
    """A Service does not take the switch: the error says to put it on the TaskDefinition."""
    annotations, errors = parse(Kind.SERVICE, {"ecsync/image-update": "digest"})

    assert annotations.image_update == ""
    assert errors == [
        (
            "ecsync/image-update",
            "only kind TaskDefinition takes ecsync/image-update, not Service: put it on the "
            "TaskDefinition whose images should follow their tags",
        )
    ]


def test_another_value_is_an_error_naming_the_one_there_is() -> None:
    """Only "digest" is a value; "tag" is refused, saying so."""
    _, errors = parse(Kind.TASK_DEFINITION, {"ecsync/image-update": "tag"})

    assert errors == [("ecsync/image-update", 'the only image update is "digest", not "tag"')]


def test_the_schema_lists_it_for_task_definitions_only() -> None:
    """`ecsync schema` accepts the switch on a TaskDefinition and flags a wrong value."""
    good = task_definition({"ecsync/image-update": "digest"})
    bad = task_definition({"ecsync/image-update": "latest"})

    assert list(COMBINED.iter_errors(good)) == []
    assert [e.message for e in COMBINED.iter_errors(bad)] != []
    definitions = schema.all_schemas()
    assert "ecsync/image-update" in str(definitions["TaskDefinition.schema.json"])
    assert "ecsync/image-update" not in str(definitions["Service.schema.json"])
