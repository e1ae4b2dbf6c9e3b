"""Loading the broken fixture set: every mistake is reported, located, with a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.manifests.loader import LoadResult, load

# file, line, column, resource, field path, a fragment of the message
EXPECTED = [
    ("bomb.yaml", 6, 38, "", "", "more than 100000 nodes"),
    ("clusters-a.yaml", 4, 9, "Cluster/prod", "metadata.name", "also at clusters-b.yaml:1"),
    (
        "clusters-a.yaml",
        8,
        25,
        "Cluster/prod",
        "spec.defaultCapacityProviderStrategy[0].capacityProvider",
        "add it to this cluster's spec.capacityProviders",
    ),
    ("clusters-b.yaml", 4, 9, "Cluster/prod", "metadata.name", "also at clusters-a.yaml:1"),
    ("duplicate-key.yml", 8, 5, "", "spec.tags.team", "duplicate key 'team' (first at line 7)"),
    ("envelope.yaml", 2, 7, "", "kind", "unknown kind 'Servce'; did you mean 'Service'?"),
    ("envelope.yaml", 6, 13, "", "apiVersion", "write 'apiVersion: ecsync/v1'"),
    ("envelope.yaml", 14, 3, "", "metadata.name", "missing metadata.name"),
    ("envelope.yaml", 20, 9, "", "metadata.name", "'Web_App' is not a valid Repository name"),
    ("envelope.yaml", 21, 3, "", "metadata.namespace", "did you mean 'name'?"),
    (
        "envelope.yaml",
        28,
        5,
        "Cluster/dev",
        'metadata.annotations["ecsync/prnue"]',
        "did you mean 'ecsync/prune'?",
    ),
    ("envelope.yaml", 29, 18, "Cluster/dev", 'metadata.annotations["ecsync/wave"]', '"soon"'),
    (
        "envelope.yaml",
        30,
        20,
        "Cluster/dev",
        'metadata.annotations["ecsync/ignore"]',
        "'desiredCount' is not a JSON pointer",
    ),
    ("latin1.yaml", 4, 12, "", "", "not valid UTF-8"),
    ("service.json", 8, 21, "Service/json-svc", "spec.desiredCount", "remove the quotes"),
    ("services.yaml", 7, 19, "Service/web", "spec.taskDefinition", "did you mean 'web'?"),
    ("services.yaml", 8, 3, "Service/web", "spec.desiredCont", "did you mean 'desiredCount'?"),
    ("services.yaml", 9, 15, "Service/web", "spec.launchType", "did you mean 'FARGATE'?"),
    (
        "services.yaml",
        16,
        18,
        "Service/both",
        'metadata.annotations["ecsync/hook"]',
        "only kind Task takes ecsync/hook",
    ),
    ("services.yaml", 19, 19, "Service/both", "spec.taskDefinition", "revision 'latest'"),
    ("services.yaml", 20, 15, "Service/both", "spec.launchType", "cannot both be set"),
    (
        "services.yaml",
        22,
        25,
        "Service/both",
        "spec.capacityProviderStrategy[0].capacityProvider",
        "'spot-fleet' is not attached to cluster 'prod'",
    ),
    ("syntax.yaml", 5, 8, "", "", "invalid YAML: mapping values are not allowed"),
    ("task-definition.yaml", 17, 8, "TaskDefinition/api", "spec.cpu", 'quote it ("256")'),
    (
        "task-definition.yaml",
        22,
        11,
        "TaskDefinition/api",
        "spec.containerDefinitions[0].portMappings[0].contianerPort",
        "did you mean 'containerPort'?",
    ),
    (
        "task-definition.yaml",
        25,
        18,
        "TaskDefinition/api",
        "spec.containerDefinitions[0].environment[0].value",
        'expected a string, got the number 8080; quote it ("8080")',
    ),
    (
        "task-definition.yaml",
        33,
        3,
        "TaskDefinition/empty",
        "spec.containerDefinitions",
        "required field 'containerDefinitions' is missing",
    ),
]


@pytest.fixture(scope="module")
def result() -> LoadResult:
    """The broken fixture folder, loaded once for all tests here."""
    return load(Path(__file__).resolve().parents[2] / "fixtures" / "manifests" / "broken")


@pytest.mark.parametrize(
    ("file", "line", "column", "resource", "path", "fragment"),
    EXPECTED,
    ids=[f"{e[0]}:{e[1]}" for e in EXPECTED],
)
def test_each_mistake_is_reported_at_its_position(
    result: LoadResult, file: str, line: int, column: int, resource: str, path: str, fragment: str
) -> None:
    """The expected error exists with its file, line, column, resource and field path."""
    matches = [
        e
        for e in result.errors
        if (e.location.file, e.location.line, e.location.column, e.resource, e.path)
        == (file, line, column, resource, path)
    ]
    assert len(matches) == 1, [str(e) for e in result.errors]
    assert fragment in matches[0].message


def test_no_other_errors_and_no_warnings_are_reported(result: LoadResult) -> None:
    """Nothing beyond the expected errors appears: each mistake is reported once."""
    assert len(result.errors) == len(EXPECTED), "\n".join(str(e) for e in result.errors)
    assert result.warnings == ()
    assert not result.ok


def test_errors_come_sorted_by_file_and_position(result: LoadResult) -> None:
    """Errors are listed in reading order: file, then line, then column."""
    where = [(e.location.file, e.location.line, e.location.column) for e in result.errors]
    assert where == sorted(where)


def test_error_text_has_file_line_column_resource_path_and_message(result: LoadResult) -> None:
    """str(error) is `file:line:col: Kind/name: field.path: message`."""
    error = next(e for e in result.errors if e.path == "spec.desiredCont")
    assert str(error) == (
        "services.yaml:8:3: Service/web: spec.desiredCont: "
        "unknown field 'desiredCont'; did you mean 'desiredCount'?"
    )


def test_error_text_omits_empty_parts(result: LoadResult) -> None:
    """A file-level error prints without resource or path: `file:line:col: message`."""
    error = next(e for e in result.errors if e.location.file == "latin1.yaml")
    assert str(error) == "latin1.yaml:4:12: not valid UTF-8; save the file as UTF-8"


def test_valid_documents_among_broken_ones_still_load(result: LoadResult) -> None:
    """Clean documents become resources; documents with any error (even a duplicate key) do not."""
    ids = {d.id for d in result.resources}
    assert ResourceId(Kind.TASK_DEFINITION, "web") in ids
    assert ResourceId(Kind.CLUSTER, "qa") not in ids
    assert all(d.id.kind is not Kind.SERVICE for d in result.resources)
