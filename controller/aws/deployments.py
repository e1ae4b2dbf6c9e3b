"""ECS service deployments and revisions: the record ECS keeps of each rollout, read in batches.

AWS facts this module relies on (ECS API Reference and Developer Guide):
- DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs per call
  (`serviceDeploymentArns`, `serviceRevisionArns`); an ARN ECS does not know comes back in
  `failures`, not as an error.
- ListServiceDeployments filters by `createdAt` (`{after, before}`) and `status`, pages with
  `nextToken`, and takes `maxResults` up to 100 (20 when omitted).
- CreateService and UpdateService answer with the service, whose `currentServiceDeployment`
  names the deployment ECS works on; DescribeServices reports the same member. ECS starts a
  deployment when a service is created, when an update changes a property that needs one,
  and on `forceNewDeployment` ("View service history using Amazon ECS service deployments").
- Deployments created before 25 October 2024 cannot be described; a service deleted takes its
  deployments with it.

Reading them needs `ecs:ListServiceDeployments`, `ecs:DescribeServiceDeployments` and
`ecs:DescribeServiceRevisions` ("Permissions required for viewing Amazon ECS service
deployments"); without them the callers fall back to DescribeServices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls
from controller.core.service_state import (
    ROLLING,
    DeploymentRecord,
    DeploymentStatus,
    ServiceRevision,
)

if TYPE_CHECKING:
    from controller.aws.clients import Aws

DESCRIBE_SERVICE_DEPLOYMENTS = 20
DESCRIBE_SERVICE_REVISIONS = 20
LIST_SERVICE_DEPLOYMENTS = 100


def describe_deployments(aws: Aws, arns: Iterable[str]) -> dict[str, DeploymentRecord]:
    """The records of `arns`, 20 per DescribeServiceDeployments call, calls side by side.

    An ARN ECS does not know (in `failures`), or a record in a status this code does not
    know, is absent from the result.
    """
    items = _described(
        aws,
        "describe_service_deployments",
        arns,
        size=DESCRIBE_SERVICE_DEPLOYMENTS,
        answer="serviceDeployments",
        arn="serviceDeploymentArn",
        resource="ServiceDeployment",
    )
    records = (parse_deployment(item) for item in items)
    return {record.arn: record for record in records if record is not None}


def describe_revisions(aws: Aws, arns: Iterable[str]) -> dict[str, ServiceRevision]:
    """The service revisions of `arns`, 20 per DescribeServiceRevisions call."""
    items = _described(
        aws,
        "describe_service_revisions",
        arns,
        size=DESCRIBE_SERVICE_REVISIONS,
        answer="serviceRevisions",
        arn="serviceRevisionArn",
        resource="ServiceRevision",
    )
    return {
        item["serviceRevisionArn"]: ServiceRevision(
            item["serviceRevisionArn"], item.get("taskDefinition")
        )
        for item in items
    }


def _described(
    aws: Aws,
    operation: str,
    arns: Iterable[str],
    *,
    size: int,
    answer: str,
    arn: str,
    resource: str,
) -> list[Mapping[str, Any]]:
    """The `answer` items of ECS `operation` for `arns`, `size` ARNs per call (sent as the
    plural of the items' `arn` member), calls side by side; an item for an ARN not asked, or
    without one, is dropped. `resource` names the calls in errors and logs."""
    requests = batching.batches(sorted(set(arns)), size, resource, f"{arn}s")
    pages = batching.describe(aws, "ecs", operation, answer, requests)
    found: list[Mapping[str, Any]] = []
    for request, page in zip(requests, pages, strict=True):
        asked = set(request.names)
        for item in page or []:
            named = item.get(arn)
            if isinstance(named, str) and named in asked:
                found.append(item)
    return found


def newest_created_after(
    aws: Aws, cluster: str, service: str, after: datetime, *, excluding: str | None = None
) -> str | None:
    """The ARN of the newest deployment of `service` created after `after` (other than
    `excluding`), from ListServiceDeployments; None when there is none."""
    listed = calls.paginate(
        aws,
        "ecs",
        "list_service_deployments",
        "serviceDeployments",
        f"Service/{cluster}/{service}",
        cluster=cluster,
        service=service,
        createdAt={"after": after},
        maxResults=LIST_SERVICE_DEPLOYMENTS,
    )
    candidates = [
        item
        for item in listed
        if isinstance(item.get("serviceDeploymentArn"), str)
        and item["serviceDeploymentArn"] != excluding
    ]
    if not candidates:
        return None
    newest = max(candidates, key=lambda item: _timestamp(item.get("createdAt")))
    return str(newest["serviceDeploymentArn"])


def started_by(answer: Mapping[str, Any]) -> str | None:
    """The deployment a CreateService/UpdateService answer names (`service.
    currentServiceDeployment`); None from an endpoint that does not report it."""
    service = answer.get("service") or {}
    found = service.get("currentServiceDeployment")
    return found if isinstance(found, str) and found else None


def parse_deployment(item: Mapping[str, Any]) -> DeploymentRecord | None:
    """One DescribeServiceDeployments `serviceDeployments[]` item, typed; None without an
    ARN or with a status this code does not know. Pure, for tests on recorded answers."""
    arn, status = item.get("serviceDeploymentArn"), item.get("status")
    if not isinstance(arn, str) or not isinstance(status, str):
        return None
    if status not in DeploymentStatus.__members__:
        return None
    target = item.get("targetServiceRevision") or {}
    configuration = item.get("deploymentConfiguration") or {}
    rollback = item.get("rollback") or {}
    breaker = item.get("deploymentCircuitBreaker") or {}
    created = item.get("createdAt")
    return DeploymentRecord(
        arn=arn,
        status=DeploymentStatus(status),
        status_reason=item.get("statusReason"),
        lifecycle_stage=item.get("lifecycleStage"),
        strategy=configuration.get("strategy") or ROLLING,
        target_revision=target.get("arn"),
        production_traffic=_number(target.get("requestedProductionTrafficWeight")),
        test_traffic=_number(target.get("requestedTestTrafficWeight")),
        target_running=_count(target.get("runningTaskCount")),
        target_requested=_count(target.get("requestedTaskCount")),
        failed_tasks=_count(breaker["failureCount"]) if "failureCount" in breaker else None,
        rollback_reason=rollback.get("reason"),
        rollback_revision=rollback.get("serviceRevisionArn"),
        created_at=created if isinstance(created, datetime) else None,
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _timestamp(value: object) -> float:
    return value.timestamp() if isinstance(value, datetime) else 0.0
