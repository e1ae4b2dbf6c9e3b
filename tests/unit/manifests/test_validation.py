"""Spec validation: strict types, readable messages, and the spec as written."""

from __future__ import annotations

from typing import Any

import pytest

from controller.core.kinds import Kind
from controller.manifests.errors import ManifestError
from controller.manifests.validation import validate
from controller.manifests.yamlload import Limits, parse


def check(kind: Kind, spec_yaml: str) -> tuple[dict[str, Any] | None, list[ManifestError]]:
    """Validate a spec written as the indented body of `spec:` in a one-document file."""
    parsed = parse(f"spec:\n{spec_yaml}".encode(), "f.yaml", Limits())
    assert parsed.errors == ()
    return validate(kind, parsed.documents[0], f"{kind}/x")


def only_error(kind: Kind, spec_yaml: str) -> tuple[int, int, str, str]:
    """(line, column, path, message) of the single error `spec_yaml` must produce."""
    spec, errors = check(kind, spec_yaml)
    assert spec is None
    assert len(errors) == 1, [str(e) for e in errors]
    error = errors[0]
    return error.location.line, error.location.column, error.path, error.message


def test_spec_keeps_only_written_fields_and_drops_nulls() -> None:
    """The dumped spec has exactly the user's fields; explicit nulls are removed."""
    spec, errors = check(
        Kind.SERVICE, "  desiredCount: 0\n  launchType: null\n  deploymentConfiguration: {}\n"
    )
    assert errors == []
    assert spec == {"desiredCount": 0, "deploymentConfiguration": {}}


def test_omitted_or_null_spec_is_empty_for_kinds_without_required_fields() -> None:
    """A Cluster needs no spec: `spec:` with nothing under it is an empty spec."""
    assert check(Kind.CLUSTER, "") == ({}, [])


def test_spec_that_is_not_a_mapping_is_an_error() -> None:
    """`spec: [a]` is reported at spec, saying a mapping is expected."""
    parsed = parse(b"spec: [a]\n", "f", Limits())
    _, errors = validate(Kind.CLUSTER, parsed.documents[0], "Cluster/x")
    assert [(e.path, e.message) for e in errors] == [
        ("spec", "spec must be a mapping of the AWS request fields, not a list")
    ]


@pytest.mark.parametrize(
    ("spec_yaml", "expected"),
    [
        (
            "  desiredCount: '2'\n",
            (
                2,
                17,
                "spec.desiredCount",
                "expected an integer, got the string '2'; remove the quotes around it",
            ),
        ),
        (
            "  desiredCount: 2.5\n",
            (2, 17, "spec.desiredCount", "expected an integer, got the number 2.5"),
        ),
        (
            "  enableECSManagedTags: 'true'\n",
            (
                2,
                25,
                "spec.enableECSManagedTags",
                "expected true or false, got the string 'true'; remove the quotes around it",
            ),
        ),
        (
            "  enableECSManagedTags: yes\n",
            (2, 25, "spec.enableECSManagedTags", "expected true or false, got the string 'yes'"),
        ),
        (
            "  tags: {version: 2}\n",
            (
                2,
                19,
                "spec.tags.version",
                'expected a string, got the number 2; quote it ("2") to write it as text',
            ),
        ),
        (
            "  tags: {public: true}\n",
            (
                2,
                18,
                "spec.tags.public",
                'expected a string, got true; quote it ("true") to write it as text',
            ),
        ),
        (
            "  loadBalancers: {containerPort: 80}\n",
            (2, 18, "spec.loadBalancers", "expected a list, got a mapping"),
        ),
        (
            "  networkConfiguration: [subnet-1]\n",
            (2, 25, "spec.networkConfiguration", "expected a mapping, got a list"),
        ),
    ],
)
def test_wrong_types_are_never_coerced(spec_yaml: str, expected: tuple[int, int, str, str]) -> None:
    """Strings are not numbers, numbers are not strings, and the message says how to fix it."""
    assert only_error(Kind.SERVICE, spec_yaml) == expected


def test_floats_accept_whole_numbers() -> None:
    """A double field takes `10` as well as `10.5`: JSON does not distinguish them."""
    spec, errors = check(
        Kind.SERVICE,
        "  deploymentConfiguration:\n    canaryConfiguration: {canaryPercent: 10}\n",
    )
    assert errors == []
    assert spec == {"deploymentConfiguration": {"canaryConfiguration": {"canaryPercent": 10.0}}}


def test_unknown_field_suggests_the_closest_name_at_that_level() -> None:
    """A typo inside a nested model is matched against that model's own fields."""
    assert only_error(
        Kind.SERVICE, "  networkConfiguration:\n    awsvpcConfiguration: {subnet: [a]}\n"
    ) == (
        3,
        27,
        "spec.networkConfiguration.awsvpcConfiguration.subnet",
        "unknown field 'subnet'; did you mean 'subnets'?",
    )


def test_unknown_field_without_a_close_match_lists_small_models_fields() -> None:
    """With no close match, a small model's valid fields are listed."""
    _, _, _, message = only_error(
        Kind.SERVICE, "  networkConfiguration:\n    awsvpcConfiguration: {subnets: [a], zzz: 1}\n"
    )
    assert message == (
        "unknown field 'zzz'; fields here are assignPublicIp, securityGroups, subnets"
    )


def test_enum_values_suggest_the_right_spelling() -> None:
    """A lower-case enum value is matched case-insensitively to the AWS spelling."""
    assert only_error(
        Kind.TASK_DEFINITION, "  containerDefinitions: []\n  networkMode: AWSVPC\n"
    ) == (
        3,
        16,
        "spec.networkMode",
        "must be one of bridge, host, awsvpc, none; got the string 'AWSVPC'; "
        "did you mean 'awsvpc'?",
    )


def test_missing_required_field_points_at_its_parent() -> None:
    """A missing required member is reported at the mapping that lacks it."""
    assert only_error(
        Kind.TASK_DEFINITION,
        "  containerDefinitions:\n    - name: web\n      secrets:\n        - name: A\n",
    ) == (
        5,
        11,
        "spec.containerDefinitions[0].secrets[0].valueFrom",
        "required field 'valueFrom' is missing; add it",
    )


def test_the_name_field_is_not_part_of_the_spec() -> None:
    """`family` comes from metadata.name, so writing it in the spec is an unknown field."""
    _, _, path, message = only_error(
        Kind.TASK_DEFINITION, "  family: web\n  containerDefinitions: []\n"
    )
    assert (path, message.split(";")[0]) == ("spec.family", "unknown field 'family'")


def test_several_errors_are_all_reported() -> None:
    """Validation does not stop at the first problem in a spec."""
    _, errors = check(Kind.SERVICE, "  desiredCount: 'x'\n  launchType: nope\n  foo: 1\n")
    assert sorted(e.path for e in errors) == ["spec.desiredCount", "spec.foo", "spec.launchType"]
