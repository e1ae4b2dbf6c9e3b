"""Service deployment reads: AWS-shaped answers parsed, 20 ARNs per call, the newest listed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.parsers import JSONParser

from controller.aws import calls, deployments
from controller.core.service_state import DeploymentStatus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "deployments"
ARN = "arn:aws:ecs:eu-west-1:123456789012"


def parsed(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """`body` as boto3 hands it over: parsed by botocore against the ECS output shape
    (timestamps become datetimes)."""
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model(operation).output_shape
    assert shape is not None
    response = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}
    answer: dict[str, Any] = JSONParser().parse(response, shape)
    answer.pop("ResponseMetadata", None)
    return answer


def fixture(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return doc


def test_a_rolled_back_blue_green_record_is_read_whole() -> None:
    """A ROLLBACK_SUCCESSFUL record gives its status, strategy, stage, traffic, circuit
    breaker failures, rollback reason and restored revision, and its creation time."""
    item = parsed(
        "DescribeServiceDeployments",
        {"serviceDeployments": [fixture("blue-green-rollback-successful")["deployment"]]},
    )["serviceDeployments"][0]
    record = deployments.parse_deployment(item)
    assert record is not None
    assert record.status is DeploymentStatus.ROLLBACK_SUCCESSFUL
    assert (record.strategy, record.lifecycle_stage) == ("BLUE_GREEN", "CLEAN_UP")
    assert (record.production_traffic, record.failed_tasks) == (0.0, 3)
    assert record.rollback_reason == "ECS deployment circuit breaker: tasks failed to start."
    assert record.rollback_revision == f"{ARN}:service-revision/prod/web/1733380000000000007"
    assert record.target_revision == f"{ARN}:service-revision/prod/web/1733390000000000008"
    assert record.created_at is not None
    assert record.created_at.tzinfo is not None


def test_a_record_without_a_strategy_is_rolling_and_an_unknown_status_is_skipped() -> None:
    """No `deploymentConfiguration.strategy` means ROLLING (the API's default); a status
    this code does not know, or no ARN, gives no record."""
    record = deployments.parse_deployment(
        {"serviceDeploymentArn": "arn:x", "status": "IN_PROGRESS"}
    )
    assert record is not None
    assert record.strategy == "ROLLING"
    assert deployments.parse_deployment({"serviceDeploymentArn": "arn:x", "status": "NEW"}) is None
    assert deployments.parse_deployment({"status": "IN_PROGRESS"}) is None


def test_records_are_described_twenty_arns_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """45 ARNs take three DescribeServiceDeployments calls (20, 20, 5); an ARN in
    `failures` is absent from the result."""
    sent: list[list[str]] = []

    def fake_call(aws: Any, service: str, operation: str, resource: str, /, **params: Any) -> Any:
        assert (service, operation) == ("ecs", "describe_service_deployments")
        asked = params["serviceDeploymentArns"]
        sent.append(asked)
        known = [a for a in asked if not a.endswith("/7")]
        return {
            "serviceDeployments": [
                {"serviceDeploymentArn": a, "status": "SUCCESSFUL"} for a in known
            ],
            "failures": [{"arn": a, "reason": "MISSING"} for a in asked if a.endswith("/7")],
        }

    monkeypatch.setattr(calls, "call", fake_call)
    arns = [f"{ARN}:service-deployment/prod/web/{n}" for n in range(45)]
    found = deployments.describe_deployments(None, arns)  # type: ignore[arg-type]
    assert sorted(len(batch) for batch in sent) == [5, 20, 20]
    assert set(found) == set(arns) - {f"{ARN}:service-deployment/prod/web/7"}


def test_revisions_are_described_twenty_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """DescribeServiceRevisions is asked 20 ARNs at a time and gives each task definition."""
    sent: list[int] = []

    def fake_call(aws: Any, service: str, operation: str, resource: str, /, **params: Any) -> Any:
        assert operation == "describe_service_revisions"
        sent.append(len(params["serviceRevisionArns"]))
        return {
            "serviceRevisions": [
                {"serviceRevisionArn": a, "taskDefinition": f"{ARN}:task-definition/web:{a[-1]}"}
                for a in params["serviceRevisionArns"]
            ]
        }

    monkeypatch.setattr(calls, "call", fake_call)
    arns = [f"{ARN}:service-revision/prod/web/{n}" for n in range(21)]
    found = deployments.describe_revisions(None, arns)  # type: ignore[arg-type]
    assert sorted(sent) == [1, 20]
    assert found[arns[3]].task_definition == f"{ARN}:task-definition/web:3"


def test_the_newest_deployment_created_after_a_write_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ListServiceDeployments is asked for deployments created after the write (100 a page,
    every page); the newest one that is not the deployment from before the write wins."""
    sent: list[dict[str, Any]] = []
    pages = {
        None: {
            "serviceDeployments": [
                {
                    "serviceDeploymentArn": "old",
                    "createdAt": datetime(2026, 1, 1, 12, 5, tzinfo=UTC),
                },
                {"serviceDeploymentArn": "a", "createdAt": datetime(2026, 1, 1, 12, 1, tzinfo=UTC)},
            ],
            "nextToken": "2",
        },
        "2": {
            "serviceDeployments": [
                {"serviceDeploymentArn": "b", "createdAt": datetime(2026, 1, 1, 12, 2, tzinfo=UTC)}
            ]
        },
    }

    def fake_call(aws: Any, service: str, operation: str, resource: str, /, **params: Any) -> Any:
        sent.append(params)
        return pages[params.get("nextToken")]

    monkeypatch.setattr(calls, "call", fake_call)
    after = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    found = deployments.newest_created_after(None, "prod", "web", after, excluding="old")  # type: ignore[arg-type]
    assert found == "b"
    assert sent[0] == {
        "cluster": "prod",
        "service": "web",
        "createdAt": {"after": after},
        "maxResults": 100,
    }
    assert len(sent) == 2


def test_a_write_answer_names_the_deployment_it_left_ecs_working_on() -> None:
    """UpdateService's answer gives `service.currentServiceDeployment`; an answer from an
    endpoint without service deployments gives None."""
    answer = {"service": {"serviceName": "web", "currentServiceDeployment": "arn:d"}}
    assert deployments.started_by(answer) == "arn:d"
    assert deployments.started_by({"service": {"serviceName": "web"}}) is None
