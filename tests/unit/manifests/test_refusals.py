"""What AWS refuses: one case per rule, reported by validate and refused by `check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from controller.core.kinds import Kind
from controller.manifests import refusals
from controller.manifests.loader import load
from controller.manifests.refusals import model, sizes
from tests.unit.manifests.refusal_cases import Case, cases

CASES = cases()
NOT_WRITABLE_IN_A_MANIFEST = {"lifecycle-policy-json"}
"""A manifest's lifecyclePolicy is an object, so its JSON text is always valid; tested below."""
REPOSITORY = Path(__file__).resolve().parents[3]


def case_id(case: Case) -> str:
    return case.rule


def test_every_rule_has_a_case_and_there_are_at_least_40() -> None:
    """Each rule id, generated family or hand-written, has its fixture; there are 40 or more."""
    ids = set(refusals.rule_ids())
    assert len(ids) >= 40
    assert {c.rule for c in CASES} == ids - NOT_WRITABLE_IN_A_MANIFEST
    assert all(c.file.is_file() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_validate_reports_the_mistake_at_its_line(case: Case) -> None:
    """validate names the one mistake of the case, at the field and line that hold it."""
    result = load(case.file)
    assert [(e.resource, e.path) for e in result.errors] == [(case.resource, case.path)]
    assert result.errors[0].location.line == case.line()
    assert not result.ok


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_check_refuses_the_request_with_its_rule(case: Case) -> None:
    """`check` (or `check_against` its task definition) refuses the case's request by its rule."""
    operation, request = case.requests()[-1]
    found = refusals.check(operation, request)
    definition = case.task_definition()
    if definition is not None:
        found += refusals.check_against(operation, request, definition)
    kind = Kind(case.documents()[-1].data["kind"])
    spec = case.documents()[-1].data.get("spec") or {}
    where = [
        refusals.spec_path(kind, spec, operation, r.path)[0] for r in found if r.rule == case.rule
    ]
    assert case.field_path() in where, found


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_requests_before_the_refused_one_are_accepted(case: Case) -> None:
    """Only the last request of a case is refused, so the case isolates its rule."""
    for operation, request in case.requests()[:-1]:
        assert refusals.check(operation, request) == []


def test_the_sample_manifests_are_valid() -> None:
    """The repository's own manifests/ pass every rule: the rules do not refuse what AWS takes."""
    result = load(REPOSITORY / "manifests")
    assert result.ok, [str(e) for e in result.errors]


def register(**spec: Any) -> list[refusals.Refusal]:
    operation, request = refusals.request_for(Kind.TASK_DEFINITION, "web", spec)
    return refusals.check(operation, request)


APP = {"name": "app", "image": "nginx:1.27"}


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [
        (cpu, memory)
        for cpu, memories in sizes.FARGATE.items()
        for memory in (memories[0], memories[-1])
    ]
    + [("1 vCPU", "2 GB"), ("0.25 vCPU", "0.5GB"), ("16 vcpu", "120 GB"), ("8 vCPU", "60GB")],
)
def test_every_row_of_the_fargate_table_is_accepted(cpu: Any, memory: Any) -> None:
    """The first and last memory of each Fargate CPU row (8 and 16 vCPU included) are valid."""
    assert (
        register(
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu=str(cpu),
            memory=str(memory),
            containerDefinitions=[APP],
        )
        == []
    )


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [("256", "4096"), ("1024", "1024"), ("2048", "16896"), ("8192", "18432"), ("16384", "131072")],
)
def test_pairs_outside_the_fargate_table_are_refused(cpu: str, memory: str) -> None:
    """Memory off a row's range or step is refused at the memory field, naming the valid values."""
    found = register(
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=cpu,
        memory=memory,
        containerDefinitions=[APP],
    )
    assert [(r.rule, r.path) for r in found] == [("fargate-task-size", ("memory",))]
    assert "MiB" in found[0].message


def test_near_misses_that_aws_accepts_are_not_refused() -> None:
    """Equal host and container ports, reservation equal to memory, units: all accepted."""
    container = {
        "name": "app",
        "image": "nginx:1.27",
        "memory": 256,
        "memoryReservation": 256,
        "portMappings": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 81}],
        "healthCheck": {"command": ["CMD", "true"], "interval": 5, "timeout": 60, "retries": 10},
        "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "1"}],
        "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}],
    }
    init = {"name": "init", "image": "busybox", "essential": False, "memory": 64}
    assert (
        register(networkMode="awsvpc", cpu="1 vCPU", containerDefinitions=[container, init]) == []
    )


def test_tag_keys_take_letters_of_any_alphabet() -> None:
    """The tag pattern's Unicode categories (Java's \\p{L}) accept non-ASCII letters and spaces."""
    operation, request = refusals.request_for(
        Kind.CLUSTER, "shop", {"tags": {"équipe café": "ü 1", "a:b/c=d+e-f@g.h_i": ""}}
    )
    assert refusals.check(operation, request) == []


def test_a_pattern_failure_does_not_echo_the_value() -> None:
    """A value that fails a pattern may be a secret, so the message names the pattern only."""
    operation, request = refusals.request_for(Kind.CLUSTER, "shop", {"tags": {"token": "s3cr3t!"}})
    (found,) = refusals.check(operation, request)
    assert (found.rule, found.path) == (model.PATTERN, ("tags", 0, "value"))
    assert "s3cr3t" not in found.message


def test_enums_are_checked_on_raw_requests() -> None:
    """A request that never went through the spec model still gets its enum values checked."""
    found = refusals.check("CreateService", {"serviceName": "web", "launchType": "LAMBDA"})
    assert [(r.rule, r.path) for r in found] == [(model.ENUM, ("launchType",))]


def test_operations_without_rules_refuse_nothing() -> None:
    """A call that no rule covers is not refused."""
    assert refusals.check("ListClusters", {"maxResults": 5000}) == []


def test_a_lifecycle_policy_that_is_not_json_is_refused() -> None:
    """PutLifecyclePolicy text that is not a JSON object is refused before any rule reads it."""
    found = refusals.check(
        "PutLifecyclePolicy",
        {"repositoryName": "web", "lifecyclePolicyText": "{rules: [" + " " * 99},
    )
    assert [(r.rule, r.path) for r in found] == [
        ("lifecycle-policy-json", ("lifecyclePolicyText",))
    ]


def test_update_service_checks_its_load_balancers_against_the_task_definition() -> None:
    """UpdateService naming a container its task definition lacks is refused, with a suggestion."""
    definition = {"family": "web", "containerDefinitions": [{"name": "app", "image": "x"}]}
    request = {
        "service": "web",
        "loadBalancers": [{"targetGroupArn": "arn", "containerName": "ap", "containerPort": 80}],
    }
    (found,) = refusals.check_against("UpdateService", request, definition)
    assert found.rule == "load-balancer-container-exists"
    assert "did you mean 'app'?" in found.message


def test_request_for_spells_each_service_as_boto3_takes_it() -> None:
    """The name parameter is added and tags become ECS's or ECR's list, in the spec's order."""
    spec: dict[str, Any] = {"tags": {"b": "2", "a": "1"}, "imageTagMutability": "IMMUTABLE"}
    assert refusals.request_for(Kind.REPOSITORY, "web", spec) == (
        "CreateRepository",
        {
            "repositoryName": "web",
            "imageTagMutability": "IMMUTABLE",
            "tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}],
        },
    )
    assert refusals.request_for(Kind.SERVICE, "web", {"tags": {"a": "1"}}) == (
        "CreateService",
        {"serviceName": "web", "tags": [{"key": "a", "value": "1"}]},
    )
    assert refusals.request_for(Kind.TASK, "migrate", {"taskDefinition": "app"}) == (
        "RunTask",
        {"taskDefinition": "app"},
    )


def test_a_repository_sends_its_policies_as_json_text() -> None:
    """lifecyclePolicy and repositoryPolicy become their own calls, with the policy as JSON."""
    policy = {"rules": [{"rulePriority": 1}]}
    sent = refusals.requests_for(Kind.REPOSITORY, "web", {"lifecyclePolicy": policy})
    assert sent == [
        ("CreateRepository", {"repositoryName": "web"}),
        (
            "PutLifecyclePolicy",
            {"repositoryName": "web", "lifecyclePolicyText": json.dumps(policy)},
        ),
    ]


def test_spec_path_maps_request_paths_back_to_the_document() -> None:
    """The name parameter is metadata.name, a tag index is its key, policy text is the policy."""
    spec = {"tags": {"team": "a", "aws:x": "b"}}
    assert refusals.spec_path(Kind.CLUSTER, spec, "CreateCluster", ("clusterName",)) == (
        ("metadata", "name"),
        False,
    )
    assert refusals.spec_path(Kind.CLUSTER, spec, "CreateCluster", ("tags", 1, "key")) == (
        ("spec", "tags", "aws:x"),
        True,
    )
    path = ("lifecyclePolicyText", "rules", 0)
    assert refusals.spec_path(Kind.REPOSITORY, {}, "PutLifecyclePolicy", path) == (
        ("spec", "lifecyclePolicy", "rules", 0),
        False,
    )


def test_a_rule_id_cannot_be_registered_twice() -> None:
    """Rule ids name fixtures and log lines, so a second registration of one is an error."""
    with pytest.raises(ValueError, match="registered twice"):
        refusals.base.rule("family-name", "RegisterTaskDefinition")(lambda request: iter(()))
