"""Patches that make moto's in-process backends answer and refuse as AWS does.

moto (see MOTO-NOTES.md) deviates from AWS in ways that would show up as
false drift (fields it drops on create), hide our bugs (duplicate creates
that silently replace, describe calls with more names than AWS accepts,
lists that never page) or fail requests AWS takes (HTTP 500s). Each fix
restores one documented AWS behaviour at the narrowest level (a response
handler or a backend method) and names it in its docstring. The modules
split the fixes by concern; `apply_fixes()` applies them all, once per
process, and is safe to call again. They only ever touch moto's classes,
in this process; only `ecsync_local.server` applies them, and the product
never imports them.
"""

from __future__ import annotations

from moto.ecr import exceptions as ecr_exceptions
from moto.ecr.responses import ECRResponse
from moto.ecs import exceptions as ecs_exceptions
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.kms.responses import KmsResponse
from moto.servicediscovery.responses import ServiceDiscoveryResponse

from ecsync_local.fixes import (
    autoscaling,
    cluster_defaults,
    clusters,
    deployments,
    logs,
    paging,
    provider_defaults,
    refusing,
    scheduler,
    serialised,
    service_defaults,
    services,
    taskdef_defaults,
    tasks,
)
from ecsync_local.fixes.patching import Fix
from ecsync_local.fixes.settling import settle_services

ECS, ECR = EC2ContainerServiceResponse, ECRResponse

FIXES: tuple[Fix, ...] = (
    services.store_create_service_fields,
    services.mirror_update_to_primary_deployment,
    services.refuse_duplicate_service,
    services.security_groups_are_optional,
    service_defaults.fill_created_service,
    service_defaults.fill_updated_service,
    # Before keep_existing_cluster, so that an existing cluster is returned untouched.
    cluster_defaults.fill_created_cluster,
    cluster_defaults.fill_updated_cluster,
    cluster_defaults.fill_cluster_strategy,
    clusters.keep_existing_cluster,
    clusters.refuse_duplicate_capacity_provider,
    clusters.unknown_capacity_provider_on_delete,
    clusters.describe_every_capacity_provider,
    provider_defaults.fill_created_capacity_provider,
    provider_defaults.keep_managed_draining,
    provider_defaults.report_kms_keys_by_arn,
    tasks.task_level_memory,
    tasks.default_security_group_for_tasks,
    taskdef_defaults.fill_registered_task_definition,
    # After the service fixes, so that a deployment records the service they filled in.
    *deployments.FIXES,
    paging.pages(ECS, "list_service_deployments", "serviceDeployments", 20, 100),
    paging.pages(ECS, "list_task_definitions", "taskDefinitionArns", 100, 100),
    paging.pages(ECS, "list_services", "serviceArns", 10, 100),
    paging.pages(ECS, "list_clusters", "clusterArns", 100, 100),
    paging.pages(
        ECS, "describe_capacity_providers", "capacityProviders", 10, 10, names="capacityProviders"
    ),
    paging.pages(ECR, "describe_repositories", "repositories", 100, 1000, names="repositoryNames"),
    paging.pages(ECR, "describe_images", "imageDetails", 100, 1000, names="imageIds"),
    # Cloud Map API Reference, ListNamespaces (MaxResults up to 100, the default);
    # KMS API Reference, ListAliases ("between 1 and 100 ... it defaults to 50").
    paging.text_pages(
        ServiceDiscoveryResponse,
        "list_namespaces",
        "Namespaces",
        100,
        100,
        size="MaxResults",
        cursor="NextToken",
        next_cursor="NextToken",
        errors=("InvalidInput", "InvalidInput"),
    ),
    paging.text_pages(
        KmsResponse,
        "list_aliases",
        "Aliases",
        50,
        100,
        size="Limit",
        cursor="Marker",
        next_cursor="NextMarker",
        errors=("ValidationException", "InvalidMarkerException"),
        truncated=True,
    ),
    paging.limit(
        ECS, "describe_services", "services", 10, ecs_exceptions.InvalidParameterException
    ),
    paging.limit(
        ECS, "describe_clusters", "clusters", 100, ecs_exceptions.InvalidParameterException
    ),
    paging.limit(
        ECS,
        "describe_capacity_providers",
        "capacityProviders",
        100,
        ecs_exceptions.InvalidParameterException,
    ),
    paging.limit(
        ECR,
        "describe_repositories",
        "repositoryNames",
        100,
        ecr_exceptions.InvalidParameterException,
    ),
    paging.limit(ECR, "describe_images", "imageIds", 100, ecr_exceptions.InvalidParameterException),
    *autoscaling.FIXES,
    *logs.FIXES,
    *scheduler.FIXES,
    # After the handler fixes, so that a refused request reaches none of them.
    *refusing.FIXES,
    # Last, so that the lock is taken outside every other fix of these handlers.
    *(serialised.serialised(name) for name in (*serialised.HANDLERS, *deployments.HANDLERS)),
)


def apply_fixes() -> None:
    """Apply every fix to moto's classes in this process; calling it again is a no-op."""
    for fix in FIXES:
        fix()


__all__ = ["FIXES", "apply_fixes", "settle_services"]
