"""ECS clusters and capacity providers: batched reads, owned listings, writers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from controller.aws import batching, calls, creating, errors, shapes, tags
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

_CLUSTER_INCLUDE = ["TAGS", "SETTINGS", "CONFIGURATIONS"]
_CLUSTER_STATUS = (
    "status",
    "registeredContainerInstancesCount",
    "runningTasksCount",
    "pendingTasksCount",
    "activeServicesCount",
    "attachmentsStatus",
)
AWS_MANAGED_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})
"""Capacity providers every account has; ecsync never reads or writes them."""
_GONE_UPDATE_STATUS = frozenset({"DELETE_IN_PROGRESS", "DELETE_COMPLETE"})


def read_clusters(aws: Aws, names: Iterable[str]) -> dict[str, Live]:
    """The live clusters among `names`, 100 per DescribeClusters; INACTIVE ones are absent."""
    requests = batching.batches(
        sorted(set(names)),
        batching.DESCRIBE_CLUSTERS,
        "Cluster",
        "clusters",
        include=_CLUSTER_INCLUDE,
    )
    pages = batching.describe(aws, "ecs", "describe_clusters", "clusters", requests)
    return {
        cluster["clusterName"]: parse_cluster(cluster)
        for cluster in _asked_for(requests, pages, "clusterName")
        if cluster.get("status") != "INACTIVE"
    }


def _asked_for(
    requests: list[batching.Batch], pages: list[list[Any] | None], name_key: str
) -> list[dict[str, Any]]:
    """The items of each page whose `name_key` its request asked for."""
    return [
        item
        for request, page in zip(requests, pages, strict=True)
        for item in page or []
        if item.get(name_key) in request.names
    ]


def list_cluster_names(aws: Aws) -> list[str]:
    """The names of every cluster in the account and region (ListClusters, paginated)."""
    arns = calls.paginate(aws, "ecs", "list_clusters", "clusterArns", maxResults=100)
    return [arn.rsplit("/", 1)[-1] for arn in arns]


def list_owned_clusters(aws: Aws, instance: str) -> dict[str, Live]:
    """Every live cluster tagged as owned by `instance`."""
    clusters = read_clusters(aws, list_cluster_names(aws))
    return {name: live for name, live in clusters.items() if live.owner == instance}


def parse_cluster(cluster: Mapping[str, Any]) -> Live:
    """One DescribeClusters `clusters[]` item (with TAGS, SETTINGS, CONFIGURATIONS) as live
    state. Pure: the fidelity corpus runs it on recorded AWS answers."""
    return _parsed(Kind.CLUSTER, "CreateCluster", cluster, "clusterName", _CLUSTER_STATUS)


def read_capacity_providers(aws: Aws, names: Iterable[str]) -> dict[str, Live]:
    """The live capacity providers among `names`, 100 per DescribeCapacityProviders.

    FARGATE and FARGATE_SPOT are never asked for; INACTIVE providers and
    those being deleted are absent.
    """
    requests = batching.batches(
        sorted(set(names) - AWS_MANAGED_PROVIDERS),
        batching.DESCRIBE_CAPACITY_PROVIDERS,
        "CapacityProvider",
        "capacityProviders",
        include=["TAGS"],
    )
    pages = batching.describe(
        aws, "ecs", "describe_capacity_providers", "capacityProviders", requests
    )
    return {
        provider["name"]: parse_capacity_provider(provider)
        for provider in _asked_for(requests, pages, "name")
        if _provider_present(provider)
    }


def list_owned_capacity_providers(aws: Aws, instance: str) -> dict[str, Live]:
    """Every live capacity provider tagged as owned by `instance`."""
    providers = calls.paginate(
        aws,
        "ecs",
        "describe_capacity_providers",
        "capacityProviders",
        include=["TAGS"],
        maxResults=10,  # the API's own ceiling for this call
    )
    owned: dict[str, Live] = {}
    for provider in providers:
        if provider["name"] in AWS_MANAGED_PROVIDERS or not _provider_present(provider):
            continue
        live = parse_capacity_provider(provider)
        if live.owner == instance:
            owned[live.id.name] = live
    return owned


def _provider_present(provider: Mapping[str, Any]) -> bool:
    # DELETE_FAILED providers still exist, so they stay visible (and prunable).
    return (
        provider.get("status") == "ACTIVE"
        and provider.get("updateStatus") not in _GONE_UPDATE_STATUS
    )


def parse_capacity_provider(provider: Mapping[str, Any]) -> Live:
    """One DescribeCapacityProviders `capacityProviders[]` item (with TAGS) as live state.
    Pure: the fidelity corpus runs it on recorded AWS answers."""
    return _parsed(
        Kind.CAPACITY_PROVIDER,
        "CreateCapacityProvider",
        provider,
        "name",
        ("status", "updateStatus", "updateStatusReason"),
    )


def _parsed(
    kind: Kind, create: str, item: Mapping[str, Any], name_key: str, status: Sequence[str]
) -> Live:
    """A described cluster or capacity provider as live state: its `create` request's
    members (less the name) and tags as the spec, the `status` members as status."""
    spec = shapes.project("ecs", create, item, exclude=(name_key,))
    spec["tags"] = tags.from_ecs(item.get("tags"))
    arn_key = "clusterArn" if kind is Kind.CLUSTER else "capacityProviderArn"
    return Live(
        id=ResourceId(kind, item[name_key]),
        arn=item[arn_key],
        spec=spec,
        owner=spec["tags"].get(OWNER_TAG),
        status={k: item[k] for k in status if k in item},
    )


_CLUSTER_UPDATE = frozenset({"settings", "configuration", "serviceConnectDefaults"})
_CLUSTER_CAPACITY = frozenset({"capacityProviders", "defaultCapacityProviderStrategy"})


class ClusterWriter:
    """CreateCluster / UpdateCluster / PutClusterCapacityProviders / DeleteCluster."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        params = tags.ecs_request(spec)
        created = calls.call(aws, "ecs", "create_cluster", str(id), clusterName=id.name, **params)
        arn: str = created["cluster"]["clusterArn"]
        return arn

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        resource = str(id)
        errors.refuse_update(
            "UpdateCluster", resource, fields - _CLUSTER_UPDATE - _CLUSTER_CAPACITY - {"tags"}
        )
        changed = {f: spec[f] for f in sorted(fields & _CLUSTER_UPDATE) if f in spec}
        if changed:
            calls.call(aws, "ecs", "update_cluster", resource, cluster=id.name, **changed)
        if fields & _CLUSTER_CAPACITY:
            # The call replaces both lists, so both are sent (the desired value of each).
            both = {f: spec.get(f, live.spec.get(f) or []) for f in sorted(_CLUSTER_CAPACITY)}
            calls.call(
                aws, "ecs", "put_cluster_capacity_providers", resource, cluster=id.name, **both
            )
        if "tags" in fields:
            tags.retag_ecs(aws, live.arn, resource, spec.get("tags", {}), live.spec.get("tags", {}))
        return live.arn

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        try:
            calls.call(aws, "ecs", "delete_cluster", str(id), cluster=id.name)
        except errors.NotFoundError:
            return


_ASG_UPDATABLE = ("managedScaling", "managedTerminationProtection", "managedDraining")

_MANAGED_INSTANCES_UPDATABLE = (
    "infrastructureRoleArn",
    "instanceLaunchTemplate",
    "propagateTags",
    "infrastructureOptimization",
    "autoRepairConfiguration",
)
"""Members of UpdateManagedInstancesProviderConfiguration (ECS API Reference)."""

_LAUNCH_TEMPLATE_FIXED: dict[str, Any] = {
    "capacityOptionType": "ON_DEMAND",
    "fipsEnabled": None,
    "nitroEnclavesEnabled": False,
}
"""InstanceLaunchTemplate members that InstanceLaunchTemplateUpdate lacks (so a new
provider is needed to change them), with the value ECS uses when none was given
("The default is On-Demand"; Nitro Enclaves "The default value is false"; FIPS
depends on the region, so it is compared with what ECS reports)."""


class CapacityProviderWriter:
    """CreateCapacityProvider / UpdateCapacityProvider / DeleteCapacityProvider."""

    def create(self, aws: Aws, id: ResourceId, spec: dict[str, Any]) -> str:
        created = creating.create_owned(
            aws,
            "ecs",
            "create_capacity_provider",
            id,
            spec,
            read_back=lambda: read_capacity_providers(aws, [id.name]).get(id.name),
            answer=("capacityProvider", "capacityProviderArn"),
            name=id.name,
            **tags.ecs_request(spec),
        )
        return str(created["capacityProvider"]["capacityProviderArn"])

    def update(
        self, aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live, fields: frozenset[str]
    ) -> str:
        resource = str(id)
        errors.refuse_update(
            "UpdateCapacityProvider",
            resource,
            fields - {"autoScalingGroupProvider", "managedInstancesProvider", "tags"},
        )
        if "managedInstancesProvider" in fields and "managedInstancesProvider" in spec:
            _update_managed_instances(aws, id, spec, live)
        if "autoScalingGroupProvider" in fields and "autoScalingGroupProvider" in spec:
            desired = spec["autoScalingGroupProvider"]
            current = live.spec.get("autoScalingGroupProvider") or {}
            wanted_group = desired.get("autoScalingGroupArn", current.get("autoScalingGroupArn"))
            if _group_name(wanted_group) != _group_name(current.get("autoScalingGroupArn")):
                errors.refuse_update(
                    "UpdateCapacityProvider",
                    resource,
                    ["autoScalingGroupProvider.autoScalingGroupArn"],
                    "a capacity provider keeps its Auto Scaling group; create a new provider",
                )
            calls.call(
                aws,
                "ecs",
                "update_capacity_provider",
                resource,
                name=id.name,
                autoScalingGroupProvider={k: desired[k] for k in _ASG_UPDATABLE if k in desired},
            )
        if "tags" in fields:
            tags.retag_ecs(aws, live.arn, resource, spec.get("tags", {}), live.spec.get("tags", {}))
        return live.arn

    def delete(self, aws: Aws, id: ResourceId, live: Live) -> None:
        try:
            calls.call(aws, "ecs", "delete_capacity_provider", str(id), capacityProvider=id.name)
        except errors.PermanentAwsError as exc:
            # ECS reports an unknown provider as a generic ClientException.
            if "does not exist" not in exc.message:
                raise


def _group_name(group: Any) -> Any:
    """An Auto Scaling group by name or ARN (`...:autoScalingGroupName/<name>`) as its name:
    ECS takes either and reports the ARN."""
    return group.rsplit("autoScalingGroupName/", 1)[-1] if isinstance(group, str) else group


def _update_managed_instances(aws: Aws, id: ResourceId, spec: dict[str, Any], live: Live) -> None:
    """UpdateCapacityProvider with the manifest's updatable Managed Instances settings; the
    capacity option (On-Demand, Spot, reservations) and FIPS need a new provider."""
    resource = str(id)
    desired = spec["managedInstancesProvider"]
    template = desired.get("instanceLaunchTemplate") or {}
    current = (live.spec.get("managedInstancesProvider") or {}).get("instanceLaunchTemplate") or {}
    fixed = [
        f"managedInstancesProvider.instanceLaunchTemplate.{name}"
        for name, default in _LAUNCH_TEMPLATE_FIXED.items()
        if name in template and template[name] != current.get(name, default)
    ]
    errors.refuse_update(
        "UpdateCapacityProvider",
        resource,
        fixed,
        "ECS cannot change this on an existing provider; create a new provider",
    )
    update = {k: desired[k] for k in _MANAGED_INSTANCES_UPDATABLE if k in desired}
    if "instanceLaunchTemplate" in update:
        update["instanceLaunchTemplate"] = {
            k: v for k, v in template.items() if k not in _LAUNCH_TEMPLATE_FIXED
        }
    calls.call(
        aws,
        "ecs",
        "update_capacity_provider",
        resource,
        name=id.name,
        cluster=spec.get("cluster", live.spec.get("cluster")),
        managedInstancesProvider=update,
    )
