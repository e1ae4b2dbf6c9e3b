"""ECS services: batched reads (10 per DescribeServices), owned listings, the task
definitions in use, the writer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, clusters, errors, shapes, tags
from controller.core.field_facts import SERVICE_REPLACE_FIELDS, SERVICE_UPDATE_FIELDS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

_FROM_PRIMARY_DEPLOYMENT = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)
"""CreateService members that DescribeServices reports only on the deployments."""
_EVENTS_KEPT = 5


def read_services(aws: Aws, wanted: Mapping[str, frozenset[str]]) -> dict[ResourceId, Live]:
    """The ACTIVE services among `wanted` (cluster name -> service names).

    A missing cluster or service is simply absent from the result.
    """
    found: dict[ResourceId, Live] = {}
    for cluster in sorted(wanted):
        for batch in batching.chunks(sorted(wanted[cluster]), batching.DESCRIBE_SERVICES):
            try:
                page = calls.call(
                    aws,
                    "ecs",
                    "describe_services",
                    batching.label(f"Service/{cluster}", batch),
                    cluster=cluster,
                    services=batch,
                    include=["TAGS"],
                )
            except errors.NotFoundError as exc:
                if exc.code != "ClusterNotFoundException":
                    raise
                break
            for service in page.get("services", []):
                if (
                    service.get("status") == "ACTIVE"
                    and _name_of(service.get("clusterArn", "")) == cluster
                    and service["serviceName"] in batch
                ):
                    live = parse_service(service)
                    found[live.id] = live
    return found


def list_owned_services(aws: Aws, instance: str, clusters: Iterable[str]) -> dict[ResourceId, Live]:
    """Every ACTIVE service in `clusters` tagged as owned by `instance`."""
    wanted: dict[str, frozenset[str]] = {}
    for cluster in sorted(set(clusters)):
        try:
            wanted[cluster] = list_service_names(aws, cluster)
        except errors.NotFoundError:
            continue
    services = read_services(aws, wanted)
    return {id: live for id, live in services.items() if live.owner == instance}


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


def task_definitions_in_use(aws: Aws, known: Mapping[ResourceId, Live]) -> frozenset[str]:
    """Every task definition a service of the account uses: its own and each deployment's.

    All clusters ListClusters names are searched, so services ecsync does not
    manage (and clusters no manifest names) count too. Services in `known`
    (already read) are not described again; the rest are described 10 at a
    time. Values are as ECS reports them, normally revision ARNs.
    """
    used: set[str] = set()
    read: dict[str, set[str]] = {}
    for rid, live in known.items():
        if rid.kind is Kind.SERVICE:
            used.update(_task_definitions(live.status))
            read.setdefault(rid.cluster, set()).add(rid.name)
    for cluster in sorted(set(clusters.list_cluster_names(aws))):
        try:
            arns = calls.paginate(
                aws,
                "ecs",
                "list_services",
                "serviceArns",
                f"Cluster/{cluster}",
                cluster=cluster,
                maxResults=100,
            )
        except errors.NotFoundError:
            continue
        names = {_name_of(a) for a in arns if _arn_in_cluster(a, cluster)}
        names -= read.get(cluster, set())
        for batch in batching.chunks(sorted(names), batching.DESCRIBE_SERVICES):
            try:
                page = calls.call(
                    aws,
                    "ecs",
                    "describe_services",
                    batching.label(f"Service/{cluster}", batch),
                    cluster=cluster,
                    services=batch,
                )
            except errors.NotFoundError:
                break  # the cluster went away meanwhile, and its services with it
            for service in page.get("services", []):
                in_cluster = _name_of(service.get("clusterArn", "")) == cluster
                if in_cluster and service.get("status") != "INACTIVE":
                    used.update(_task_definitions(service))
    return frozenset(used)


def _task_definitions(service: Mapping[str, Any]) -> set[str]:
    found = {service.get("taskDefinition")}
    found.update(d.get("taskDefinition") for d in service.get("deployments") or [])
    return {value for value in found if isinstance(value, str) and value}


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
    cluster = _name_of(service.get("clusterArn", ""))
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
        status={
            "status": service.get("status"),
            "desiredCount": service.get("desiredCount"),
            "runningCount": service.get("runningCount"),
            "pendingCount": service.get("pendingCount"),
            "deployments": service.get("deployments", []),
            "events": service.get("events", [])[:_EVENTS_KEPT],
            "taskDefinition": service.get("taskDefinition"),
        },
    )


class ServiceWriter:
    """CreateService / UpdateService (changed fields only) / scale to 0 + DeleteService."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        params = tags.ecs_request(spec)
        named = params.pop("cluster", None)
        cluster = id.cluster or named
        owner = (spec.get("tags") or {}).get(OWNER_TAG)
        created = calls.create(
            aws,
            "ecs",
            "create_service",
            str(id),
            lambda: _created_service(aws, cluster, id.name, owner),
            cluster=cluster,
            serviceName=id.name,
            **params,
        )
        arn: str = created["service"]["serviceArn"]
        return arn

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        resource = str(id)
        errors.refuse_update(
            "UpdateService",
            resource,
            fields & SERVICE_REPLACE_FIELDS,
            "ECS cannot change them on an existing service, which must be replaced",
        )
        errors.refuse_update("UpdateService", resource, fields - SERVICE_UPDATE_FIELDS - {"tags"})
        changed = {f: spec[f] for f in sorted(fields & SERVICE_UPDATE_FIELDS) if f in spec}
        if changed:
            calls.call(
                aws,
                "ecs",
                "update_service",
                resource,
                cluster=_cluster_of(id, live),
                service=id.name,
                **changed,
            )
        if "tags" in fields:
            tags.retag_ecs(aws, live.arn, resource, spec.get("tags", {}), live.spec.get("tags", {}))
        return live.arn

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        """Scale to 0 first (when not already there), then DeleteService."""
        resource = str(id)
        cluster = _cluster_of(id, live)
        try:
            if live.status.get("desiredCount", live.spec.get("desiredCount")) != 0:
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


def _created_service(aws: Aws, cluster: str, name: str, owner: str | None) -> dict[str, Any] | None:
    """CreateService's answer for the service an unanswered attempt created, if it is ours."""
    found = read_services(aws, {cluster: frozenset({name})})
    live = next(iter(found.values()), None)
    if live is None or owner is None or live.owner != owner:
        return None
    return {"service": {"serviceArn": live.arn}}


def _cluster_of(id: ResourceId, live: Live) -> str:
    return id.cluster or str(live.spec["cluster"])
