"""ECS services: batched reads (10 per DescribeServices, batches side by side), listings,
the task definitions services use, the writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from controller.aws import batching, calls, creating, deployments, errors, shapes, tags
from controller.core.field_facts import SERVICE_REPLACE_FIELDS, SERVICE_UPDATE_FIELDS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live
from controller.core.service_state import Deployment, ServiceState

if TYPE_CHECKING:
    from controller.aws.clients import Aws

_FROM_PRIMARY_DEPLOYMENT = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)
"""CreateService members that DescribeServices reports only on the deployments."""
_EVENTS_KEPT = 5
T = TypeVar("T")
STATE = "state"
"""The `Live.status` key of a service's `ServiceState`."""


def read_services(aws: Aws, wanted: Mapping[str, frozenset[str]]) -> dict[ResourceId, Live]:
    """The ACTIVE services among `wanted` (cluster name -> service names).

    A missing cluster or service is simply absent from the result. Each answer
    is parsed as it arrives (a read of 10,000 services never holds every raw
    answer at once).
    """

    def active(service: dict[str, Any]) -> Live | None:
        return parse_service(service) if service.get("status") == "ACTIVE" else None

    return {live.id: live for live in _described(aws, wanted, include_tags=True, each=active)}


def describe_services(
    aws: Aws, wanted: Mapping[str, Iterable[str]], *, include_tags: bool
) -> list[dict[str, Any]]:
    """DescribeServices' items for `wanted` (cluster -> names), 10 names per call, sent side
    by side; only the items a batch asked for, in its cluster. Items of every status are
    returned.

    Each cluster's first batch goes first, and the rest of its batches only when
    it exists: a missing cluster (ClusterNotFoundException, as before a first
    sync creates it) costs one call, not one per 10 services.
    """
    return _described(aws, wanted, include_tags=include_tags, each=lambda service: service)


def _described(
    aws: Aws,
    wanted: Mapping[str, Iterable[str]],
    *,
    include_tags: bool,
    each: Callable[[dict[str, Any]], T | None],
) -> list[T]:
    """`describe_services`, each item the batch asked for going through `each` as its
    answer arrives (None: dropped)."""
    extra = {"include": ["TAGS"]} if include_tags else {}
    by_cluster = [
        batching.batches(
            sorted(set(wanted[cluster])),
            batching.DESCRIBE_SERVICES,
            f"Service/{cluster}",
            "services",
            cluster=cluster,
            **extra,
        )
        for cluster in sorted(wanted)
    ]

    def keep(request: batching.Batch, page: list[Any]) -> list[Any]:
        cluster, asked = request.params["cluster"], set(request.names)
        return [
            kept
            for service in page
            if cluster_of(service) == cluster and service.get("serviceName") in asked
            if (kept := each(service)) is not None
        ]

    firsts = [requests[0] for requests in by_cluster if requests]
    first_pages = _describe(aws, firsts, keep)
    present = {
        request.params["cluster"]
        for request, page in zip(firsts, first_pages, strict=True)
        if page is not None
    }
    rest = [r for requests in by_cluster for r in requests[1:] if r.params["cluster"] in present]
    return [item for page in [*first_pages, *_describe(aws, rest, keep)] for item in page or []]


def _describe(
    aws: Aws,
    requests: list[batching.Batch],
    keep: Callable[[batching.Batch, list[Any]], list[Any]],
) -> list[list[Any] | None]:
    """The pages of DescribeServices `requests`, each reduced by `keep` as it arrives; None
    for a cluster that does not exist."""
    return batching.describe(
        aws,
        "ecs",
        "describe_services",
        "services",
        requests,
        absent=lambda exc: exc.code == "ClusterNotFoundException",
        keep=keep,
    )


def list_owned_services(aws: Aws, instance: str, clusters: Iterable[str]) -> dict[ResourceId, Live]:
    """Every ACTIVE service in `clusters` tagged as owned by `instance`."""
    services = read_services(aws, list_services_in(aws, clusters))
    return {id: live for id, live in services.items() if live.owner == instance}


def list_services_in(aws: Aws, clusters: Iterable[str]) -> dict[str, frozenset[str]]:
    """The service names ListServices reports in each of `clusters`, the clusters listed
    side by side; a cluster that does not exist is left out."""
    names = sorted(set(clusters))

    def listed(cluster: str) -> frozenset[str] | None:
        try:
            return list_service_names(aws, cluster)
        except errors.NotFoundError:
            return None

    return {
        cluster: found
        for cluster, found in zip(names, batching.each(listed, names), strict=True)
        if found is not None
    }


def list_service_names(aws: Aws, cluster: str) -> frozenset[str]:
    """The names of the services ListServices reports in `cluster` (paginated).

    Raises `errors.NotFoundError` when the cluster does not exist.
    """
    arns = calls.paginate(
        aws,
        "ecs",
        "list_services",
        "serviceArns",
        f"Cluster/{cluster}",
        cluster=cluster,
        maxResults=100,
    )
    return frozenset(_name_of(a) for a in arns if _arn_in_cluster(a, cluster))


def task_definitions_of(service: Mapping[str, Any]) -> frozenset[str]:
    """The task definitions a DescribeServices item uses, its own and each deployment's, as
    ECS reports them (normally revision ARNs)."""
    found = {service.get("taskDefinition")}
    found.update(d.get("taskDefinition") for d in service.get("deployments") or [])
    return frozenset(value for value in found if isinstance(value, str) and value)


def state_of(live: Live) -> ServiceState | None:
    """A service's typed runtime state, as `parse_service` read it."""
    state = live.status.get(STATE)
    return state if isinstance(state, ServiceState) else None


def cluster_of(service: Mapping[str, Any]) -> str:
    """The name of the cluster a DescribeServices item belongs to."""
    return _name_of(service.get("clusterArn", ""))


def _name_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _arn_in_cluster(arn: str, cluster: str) -> bool:
    """Whether a service ARN belongs to `cluster` (ListServices may match by substring).

    Old-format ARNs (`service/name`) carry no cluster; DescribeServices checks those.
    """
    parts = arn.split(":", 5)[-1].split("/")
    return len(parts) < 3 or parts[1] == cluster


def parse_service(service: Mapping[str, Any]) -> Live:
    """One DescribeServices `services[]` item (asked with `include=["TAGS"]`) as live state.

    Pure: the fidelity corpus runs it on recorded AWS answers.
    """
    cluster = cluster_of(service)
    spec = shapes.project("ecs", "CreateService", service, exclude=("serviceName",))
    spec["cluster"] = cluster
    if service.get("roleArn"):
        spec["role"] = service["roleArn"]
    primary: Mapping[str, Any] = next(
        (d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), {}
    )
    spec.update((k, primary[k]) for k in _FROM_PRIMARY_DEPLOYMENT if k in primary)
    spec["tags"] = tags.from_ecs(service.get("tags"))
    return Live(
        id=ResourceId(Kind.SERVICE, service["serviceName"], cluster),
        arn=service["serviceArn"],
        spec=spec,
        owner=spec["tags"].get(OWNER_TAG),
        status={STATE: service_state(service)},
    )


def service_state(service: Mapping[str, Any]) -> ServiceState:
    """A DescribeServices `services[]` item's runtime state, typed. Missing counts stay
    None (a document health cannot judge); timestamps are not kept."""
    return ServiceState(
        status=service.get("status", "ACTIVE"),
        desired_count=_count(service.get("desiredCount")),
        running_count=_count(service.get("runningCount")),
        pending_count=_count(service.get("pendingCount")) or 0,
        task_definition=service.get("taskDefinition"),
        deployments=tuple(
            Deployment(
                id=d.get("id"),
                status=d.get("status"),
                rollout_state=d.get("rolloutState"),
                rollout_state_reason=d.get("rolloutStateReason"),
                task_definition=d.get("taskDefinition"),
                desired_count=_count(d.get("desiredCount")) or 0,
                running_count=_count(d.get("runningCount")) or 0,
                pending_count=_count(d.get("pendingCount")) or 0,
                failed_tasks=_count(d.get("failedTasks")) or 0,
            )
            for d in service.get("deployments") or ()
        ),
        events=tuple(
            str(e.get("message", "")) for e in (service.get("events") or ())[:_EVENTS_KEPT]
        ),
        current_deployment=service.get("currentServiceDeployment") or None,
    )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Written:
    """A service write: the service's ARN, and the service deployment the answer names
    (`currentServiceDeployment`; None when the endpoint reports none, or nothing was sent)."""

    arn: str
    deployment: str | None = None


class ServiceWriter:
    """CreateService / UpdateService (changed fields only) / scale to 0 + DeleteService.

    `create_deploying` and `update_deploying` also say which deployment the write left ECS
    working on, so that the rollout can be followed by its own record."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        return self.create_deploying(aws, id, spec).arn

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        return self.update_deploying(aws, id, spec, live, fields).arn

    def create_deploying(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> Written:
        params = tags.ecs_request(spec)
        named = params.pop("cluster", None)
        cluster = id.cluster or named
        answer = creating.create_owned(
            aws,
            "ecs",
            "create_service",
            id,
            spec,
            read_back=lambda: next(
                iter(read_services(aws, {cluster: frozenset({id.name})}).values()), None
            ),
            answer=("service", "serviceArn"),
            cluster=cluster,
            serviceName=id.name,
            **params,
        )
        return Written(str(answer["service"]["serviceArn"]), deployments.started_by(answer))

    def update_deploying(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> Written:
        resource = str(id)
        errors.refuse_update(
            "UpdateService",
            resource,
            fields & SERVICE_REPLACE_FIELDS,
            "ECS cannot change them on an existing service, which must be replaced",
        )
        errors.refuse_update("UpdateService", resource, fields - SERVICE_UPDATE_FIELDS - {"tags"})
        changed = {f: spec[f] for f in sorted(fields & SERVICE_UPDATE_FIELDS) if f in spec}
        deployment = None
        if changed:
            answer = calls.call(
                aws,
                "ecs",
                "update_service",
                resource,
                cluster=_cluster_of(id, live),
                service=id.name,
                **changed,
            )
            deployment = deployments.started_by(answer)
        if "tags" in fields:
            tags.retag_ecs(aws, live.arn, resource, spec.get("tags", {}), live.spec.get("tags", {}))
        return Written(live.arn, deployment)

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """Scale to 0 first (when not already there), then DeleteService."""
        resource = str(id)
        cluster = _cluster_of(id, live)
        try:
            state = state_of(live)
            count = state.desired_count if state is not None else live.spec.get("desiredCount")
            if count != 0:
                calls.call(
                    aws,
                    "ecs",
                    "update_service",
                    resource,
                    cluster=cluster,
                    service=id.name,
                    desiredCount=0,
                )
            calls.call(aws, "ecs", "delete_service", resource, cluster=cluster, service=id.name)
        except errors.NotFoundError:
            return
        except errors.PermanentAwsError as exc:
            if exc.code != "ServiceNotActiveException":
                raise


def _cluster_of(id: ResourceId, live: Live) -> str:
    return id.cluster or str(live.spec["cluster"])
