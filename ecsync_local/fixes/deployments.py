"""ECS service deployments: the three APIs moto lacks, and services that start and report them.

moto 5.2.5 has no ListServiceDeployments, DescribeServiceDeployments or
DescribeServiceRevisions (HTTP 500), reports no `currentServiceDeployment`,
and keeps one deployment per service whatever UpdateService changes. These
fixes record a deployment for each CreateService and each UpdateService that
starts one, answer the three APIs from the records, and make
DescribeServices agree with them (`ecsync_local.deployments` says how, how
to slow a deployment down and how to make one fail and roll back).

Requests as the ECS API Reference takes them: ListServiceDeployments
`maxResults` 1 to 100, 20 when unset (paged by `fixes.paging`), newest first,
filtered by `status` and `createdAt` (`before`/`after`); Describe* take at
most 20 ARNs and answer an unknown one in `failures` with reason MISSING.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.ecs import exceptions as ecs_exceptions
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse

from ecsync_local.deployments import book, view
from ecsync_local.fixes.patching import Fix, Method, patch

HANDLERS = (
    "list_service_deployments",
    "describe_service_deployments",
    "describe_service_revisions",
)
MOST_ARNS = 20
"""DescribeServiceDeployments and DescribeServiceRevisions: "a maximum of 20 ARNs"."""


def _now() -> datetime:
    return datetime.now(UTC)


def _refresh(backend: Any, service: Any, now: datetime) -> None:
    view.refresh(service, book.book_of(backend).records.get(service.arn, []), now)


@patch(EC2ContainerServiceResponse, "create_service")
def deploy_created_service(original: Method) -> Method:
    """AWS starts a service deployment, with a new service revision, for every new service."""

    def create_service(self: EC2ContainerServiceResponse) -> Any:
        result = original(self)
        backend = self.ecs_backend
        service = backend._get_service(
            self._get_param("cluster", "default"), self._get_param("serviceName")
        )
        book.forget(backend, service.arn)
        now = _now()
        book.start(backend, service, forced=True, now=now)
        _refresh(backend, service, now)
        return result

    return create_service


@patch(EC2ContainerServiceResponse, "update_service")
def deploy_updated_service(original: Method) -> Method:
    """AWS starts a service deployment when UpdateService changes what a service revision
    records, or forces one; moto keeps the one deployment and rewrites it. AWS reports the
    task definition's ARN; moto keeps the `family:revision` it was given."""

    def update_service(self: EC2ContainerServiceResponse) -> Any:
        backend = self.ecs_backend
        service = backend._get_service(
            self._get_param("cluster", "default"), self._get_param("service")
        )
        _refresh(backend, service, _now())
        before = copy.deepcopy(service.deployments)
        result = original(self)
        if service.task_definition and not str(service.task_definition).startswith("arn:"):
            # AWS reports the revision's ARN; moto keeps `family` or `family:revision`.
            service.task_definition = backend.describe_task_definition(service.task_definition).arn
        now = _now()
        forced = bool(self._get_param("forceNewDeployment"))
        record = book.start(backend, service, forced=forced, now=now)
        if record is not None and before:
            # moto and the other fixes wrote the request into the PRIMARY: it becomes the
            # new deployment, and the deployments that were live keep what they had.
            started = {**service.deployments[0], "id": record.ecs_id, "createdAt": now}
            service.deployments = [started, *before]
        _refresh(backend, service, now)
        return result

    return update_service


@patch(EC2ContainerServiceBackend, "describe_services")
def report_deployments(original: Method) -> Method:
    """AWS's DescribeServices reports each service as its latest service deployment stands
    (deployments[], counts, currentServiceDeployment); moto's never changes."""

    def describe_services(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        found, failures = original(self, *args, **kwargs)
        now = _now()
        for service in found:
            _refresh(self, service, now)
        return found, failures

    return describe_services


@patch(EC2ContainerServiceBackend, "delete_service")
def forget_deleted_service(original: Method) -> Method:
    """AWS deletes a service's revisions (and so its deployments) with the service."""

    def delete_service(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = original(self, *args, **kwargs)
        book.forget(self, service.arn)
        return service

    return delete_service


def list_service_deployments(self: EC2ContainerServiceResponse) -> ActionResult:
    backend = self.ecs_backend
    cluster = self._get_param("cluster", "default")
    service = backend._get_service(cluster, self._get_param("service"))
    now = _now()
    wanted = set(self._get_param("status") or [])
    window = self._get_param("createdAt") or {}
    after, before = _instant(window.get("after")), _instant(window.get("before"))
    found = []
    for record in reversed(book.book_of(backend).records.get(service.arn, [])):
        brief = record.brief(now)
        if wanted and brief["status"] not in wanted:
            continue
        if (after and record.created_at < after) or (before and record.created_at > before):
            continue
        found.append(brief)
    return ActionResult({"serviceDeployments": found})


def describe_service_deployments(self: EC2ContainerServiceResponse) -> ActionResult:
    backend = self.ecs_backend
    arns = _arns(self, "serviceDeploymentArns")
    kept = book.book_of(backend)
    now, found, failures = _now(), [], []
    for arn in arns:
        record = kept.deployments.get(arn)
        if record is None:
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        # moto keys services by "<cluster name>:<service name>".
        cluster, name = record.cluster_arn.rsplit("/", 1)[-1], record.service_arn.rsplit("/", 1)[-1]
        service = backend.services.get(f"{cluster}:{name}")
        desired = int(service.desired_count or 0) if service is not None else 0
        found.append(record.describe(now, desired))
    return ActionResult({"serviceDeployments": found, "failures": failures})


def describe_service_revisions(self: EC2ContainerServiceResponse) -> ActionResult:
    revisions = book.book_of(self.ecs_backend).revisions
    found, failures = [], []
    for arn in _arns(self, "serviceRevisionArns"):
        revision = revisions.get(arn)
        if revision is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(revision.describe())
    return ActionResult({"serviceRevisions": found, "failures": failures})


def _arns(response: EC2ContainerServiceResponse, param: str) -> list[str]:
    arns = response._get_param(param) or []
    if not 1 <= len(arns) <= MOST_ARNS:
        raise ecs_exceptions.InvalidParameterException(
            f"{param} must name between 1 and {MOST_ARNS} ARNs; split the list into calls "
            f"of {MOST_ARNS}."
        )
    return [str(arn) for arn in arns]


def _instant(value: Any) -> datetime | None:
    """A createdAt bound as the JSON protocol sends it (epoch seconds) or an ISO text."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_deployment_apis() -> None:
    """AWS answers ListServiceDeployments, DescribeServiceDeployments and
    DescribeServiceRevisions, which moto lacks; a bad ECSYNC_LOCAL_STAGE_SECONDS fails
    here, when the server starts."""
    book.pace()
    for name in HANDLERS:
        if not hasattr(EC2ContainerServiceResponse, name):
            setattr(EC2ContainerServiceResponse, name, globals()[name])


FIXES: tuple[Fix, ...] = (
    add_deployment_apis,
    deploy_created_service,
    deploy_updated_service,
    report_deployments,
    forget_deleted_service,
)
