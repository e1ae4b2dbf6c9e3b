"""Patches that make moto's in-process backends behave like AWS where it matters to us.

moto (see MOTO-NOTES.md) deviates from AWS in ways that would show up as
false drift (fields it drops on create) or hide our bugs (duplicate creates
that silently replace, describe calls with more names than AWS accepts).
Each fix below restores one documented AWS behaviour at the narrowest level
(a response handler or a backend method) and says which one in its
docstring. `apply_fixes()` applies them all, once per process; it is safe to
call again. These patches only ever touch moto's classes, in this process.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

from botocore import xform_name
from moto.core.responses import ActionResult
from moto.ecr import exceptions as ecr_exceptions
from moto.ecr.responses import ECRResponse
from moto.ecs import exceptions as ecs_exceptions
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.moto_api import state_manager

_MARK = "__ecsync_fix__"

Method = Callable[..., Any]


def _patch(owner: type, name: str) -> Callable[[Callable[[Method], Method]], Callable[[], None]]:
    """Turn `make(original) -> replacement` into an idempotent fix for `owner.name`."""

    def decorate(make: Callable[[Method], Method]) -> Callable[[], None]:
        mark = f"{_MARK}{make.__name__}"

        @functools.wraps(make)
        def fix() -> None:
            original = getattr(owner, name)
            if getattr(original, mark, False):
                return
            # functools.wraps copies the original's __dict__, so the marks of
            # earlier fixes on the same method travel with each new layer.
            replacement = functools.wraps(original)(make(original))
            setattr(replacement, mark, True)
            setattr(owner, name, replacement)

        return fix

    return decorate


# CreateService members moto's handler never reads, split by where DescribeServices
# reports them: on the service itself, or only on its PRIMARY deployment.
_SERVICE_FIELDS_DROPPED = (
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "healthCheckGracePeriodSeconds",
    "placementConstraints",
    "placementStrategy",
    "availabilityZoneRebalancing",
)
_DEPLOYMENT_FIELDS = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


@_patch(EC2ContainerServiceResponse, "create_service")
def store_create_service_fields(original: Method) -> Method:
    """AWS stores every CreateService field; moto drops several (and, without a
    launchType, forces EC2 even when a capacityProviderStrategy was given).

    The fields are stored the way moto's own UpdateService stores them, so
    DescribeServices reports them like AWS does.
    """

    def create_service(self: EC2ContainerServiceResponse) -> Any:
        result = original(self)
        service = self.ecs_backend._get_service(
            self._get_param("cluster", "default"), self._get_param("serviceName")
        )
        for field in _SERVICE_FIELDS_DROPPED:
            value = self._get_param(field)
            if value is not None:
                setattr(service, xform_name(field), value)
        primary = service.deployments[0] if service.deployments else {}
        if self._get_param("capacityProviderStrategy") and not self._get_param("launchType"):
            service.launch_type = None
            primary.pop("launchType", None)
            primary["capacityProviderStrategy"] = self._get_param("capacityProviderStrategy")
        for field in _DEPLOYMENT_FIELDS:
            if self._get_param(field) is not None:
                primary[field] = self._get_param(field)
        return result

    return create_service


@_patch(EC2ContainerServiceBackend, "update_service")
def mirror_update_to_primary_deployment(original: Method) -> Method:
    """AWS reports serviceConnectConfiguration, volumeConfigurations and
    vpcLatticeConfigurations on the PRIMARY deployment after UpdateService;
    moto stores them on the service object, where DescribeServices never shows them.
    """

    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        wanted = {f: service_properties.get(xform_name(f)) for f in _DEPLOYMENT_FIELDS}
        service = original(self, service_properties)
        if service.deployments:
            service.deployments[0].update((f, v) for f, v in wanted.items() if v is not None)
        return service

    return update_service


@_patch(EC2ContainerServiceBackend, "create_cluster")
def keep_existing_cluster(original: Method) -> Method:
    """AWS's CreateCluster on the name of an ACTIVE cluster returns that cluster
    unchanged; moto replaces it, losing its capacity providers, strategy and tags."""

    def create_cluster(
        self: EC2ContainerServiceBackend, cluster_name: str, *a: Any, **kw: Any
    ) -> Any:
        existing = self.clusters.get(cluster_name)
        if existing is not None and existing.status == "ACTIVE":
            return existing
        return original(self, cluster_name, *a, **kw)

    return create_cluster


@_patch(EC2ContainerServiceBackend, "_calculate_task_resource_requirements")
def task_level_memory(original: Method) -> Method:
    """AWS runs a task whose memory is set only at task level (usual on Fargate);
    moto adds up container memory and fails RunTask with HTTP 500 on the None.
    Containers without memory count as 0 and the task-level memory is used."""

    def calculate(_backend: Any, task_definition: Any) -> Any:
        containers = task_definition.container_definitions
        if all(_container_memory(c) is not None for c in containers):
            return original(task_definition)
        patched = copy.copy(task_definition)
        patched.container_definitions = [
            c if _container_memory(c) is not None else {**c, "memory": 0} for c in containers
        ]
        requirements = original(patched)
        requirements["MEMORY"] = max(requirements["MEMORY"], int(task_definition.memory or 0))
        return requirements

    return calculate


def _container_memory(container: dict[str, Any]) -> Any:
    for key in ("Memory", "MemoryReservation", "memory", "memoryReservation"):
        if container.get(key) is not None:
            return container[key]
    return None


@_patch(EC2ContainerServiceBackend, "create_service")
def refuse_duplicate_service(original: Method) -> Method:
    """AWS's CreateService on the name of an ACTIVE service fails with
    "Creation of service was not idempotent."; moto silently replaces it."""

    def create_service(
        self: EC2ContainerServiceBackend, cluster_str: str, service_name: str, *a: Any, **kw: Any
    ) -> Any:
        cluster = self._get_cluster(cluster_str)
        existing = self.services.get(f"{cluster.name}:{service_name}")
        if existing is not None and existing.status == "ACTIVE":
            raise ecs_exceptions.InvalidParameterException(
                "Creation of service was not idempotent."
            )
        return original(self, cluster_str, service_name, *a, **kw)

    return create_service


@_patch(EC2ContainerServiceBackend, "create_capacity_provider")
def refuse_duplicate_capacity_provider(original: Method) -> Method:
    """AWS's CreateCapacityProvider on an existing name fails; moto replaces the provider."""

    def create_capacity_provider(self: EC2ContainerServiceBackend, name: str, *a: Any) -> Any:
        if name in self.capacity_providers:
            raise ecs_exceptions.EcsClientException(
                "The specified capacity provider already exists. To change the configuration "
                "of an existing capacity provider, update the capacity provider."
            )
        return original(self, name, *a)

    return create_capacity_provider


@_patch(EC2ContainerServiceBackend, "delete_capacity_provider")
def unknown_capacity_provider_on_delete(original: Method) -> Method:
    """AWS's DeleteCapacityProvider on an unknown name is a ClientException; moto
    crashes with HTTP 500, which would look transient and be retried."""

    def delete_capacity_provider(self: EC2ContainerServiceBackend, name_or_arn: str) -> Any:
        if self._get_provider(name_or_arn) is None:
            raise ecs_exceptions.EcsClientException(
                "The specified capacity provider does not exist. Specify a valid name or ARN "
                "and try again."
            )
        return original(self, name_or_arn)

    return delete_capacity_provider


@_patch(EC2ContainerServiceBackend, "describe_capacity_providers")
def list_all_capacity_providers(original: Method) -> Method:
    """AWS's DescribeCapacityProviders without names describes every provider of
    the account; moto crashes with HTTP 500."""

    def describe_capacity_providers(
        self: EC2ContainerServiceBackend, names: list[str] | None
    ) -> Any:
        if not names:
            return list(self.capacity_providers.values()), []
        return original(self, names)

    return describe_capacity_providers


def _limit(
    owner: type, name: str, param: str, limit: int, error: Callable[[str], Exception]
) -> Callable[[], None]:
    """A fix rejecting more than `limit` items of `param`, as AWS does."""

    @_patch(owner, name)
    def strict_request_limit(original: Method) -> Method:
        def handler(self: Any) -> Any:
            if len(self._get_param(param) or []) > limit:
                raise error(f"{param} can have at most {limit} items.")
            return original(self)

        return handler

    strict_request_limit.__doc__ = (
        f"AWS rejects {name} with more than {limit} {param}; moto accepts any number, "
        "which would hide a batching bug."
    )
    return strict_request_limit


def _pages(name: str, key: str, default: int, maximum: int) -> Callable[[], None]:
    """A fix returning `key` in pages of `maxResults` (AWS's default and maximum) with
    an opaque `nextToken`, as AWS does."""

    @_patch(EC2ContainerServiceResponse, name)
    def paginate_like_aws(original: Method) -> Method:
        def handler(self: Any) -> Any:
            everything = list(original(self).result[key])
            size = min(int(self._get_param("maxResults") or default), maximum)
            token = self._get_param("nextToken")
            start = int(token) if token and str(token).isdigit() else 0
            page: dict[str, Any] = {key: everything[start : start + size]}
            if start + size < len(everything):
                page["nextToken"] = str(start + size)
            return ActionResult(page)

        return handler

    paginate_like_aws.__doc__ = (
        f"AWS pages {name} at {default} items (at most {maximum} with maxResults) and "
        "returns a nextToken; moto returns everything at once, which would hide a "
        "pagination bug and undercount calls."
    )
    return paginate_like_aws


_ECS_LOCK = threading.RLock()
_SERIALISED = (
    "create_service",
    "update_service",
    "delete_service",
    "register_task_definition",
    "deregister_task_definition",
    "list_services",
    "describe_services",
)


def _serialised(name: str) -> Callable[[], None]:
    """A fix running `name` under one lock: AWS serves concurrent requests safely, moto's
    threaded server does not (iterating its service table while another request adds
    to it fails with HTTP 500, "dictionary changed size during iteration")."""

    @_patch(EC2ContainerServiceResponse, name)
    def one_at_a_time(original: Method) -> Method:
        def handler(self: Any) -> Any:
            with _ECS_LOCK:
                return original(self)

        return handler

    one_at_a_time.__doc__ = _serialised.__doc__
    return one_at_a_time


_FIXES = (
    store_create_service_fields,
    mirror_update_to_primary_deployment,
    keep_existing_cluster,
    refuse_duplicate_service,
    task_level_memory,
    _pages("list_task_definitions", "taskDefinitionArns", 100, 100),
    _pages("list_services", "serviceArns", 10, 100),
    _pages("list_clusters", "clusterArns", 100, 100),
    refuse_duplicate_capacity_provider,
    unknown_capacity_provider_on_delete,
    list_all_capacity_providers,
    _limit(
        EC2ContainerServiceResponse,
        "describe_services",
        "services",
        10,
        ecs_exceptions.InvalidParameterException,
    ),
    _limit(
        EC2ContainerServiceResponse,
        "describe_clusters",
        "clusters",
        100,
        ecs_exceptions.InvalidParameterException,
    ),
    _limit(
        EC2ContainerServiceResponse,
        "describe_capacity_providers",
        "capacityProviders",
        100,
        ecs_exceptions.InvalidParameterException,
    ),
    _limit(
        ECRResponse,
        "describe_repositories",
        "repositoryNames",
        100,
        ecr_exceptions.InvalidParameterException,
    ),
    # Last, so that the lock is taken outside every other fix of these handlers.
    *(_serialised(name) for name in _SERIALISED),
)


@_patch(EC2ContainerServiceBackend, "update_service")
def _settle_after_update(original: Method) -> Method:
    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        service = original(self, service_properties)
        _settle(service)
        return service

    return update_service


@_patch(EC2ContainerServiceBackend, "create_service")
def _settle_after_create(original: Method) -> Method:
    def create_service(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = original(self, *args, **kwargs)
        _settle(service)
        return service

    return create_service


def _settle(service: Any) -> None:
    service.running_count, service.pending_count = service.desired_count, 0
    for deployment in service.deployments[:1]:
        deployment.update(
            runningCount=service.desired_count,
            pendingCount=0,
            desiredCount=service.desired_count,
            taskDefinition=service.task_definition,
            rolloutState="COMPLETED",
            rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
        )


def settle_services() -> None:
    """Simulation, not an AWS fix: every service reaches its steady state at once.

    moto keeps a service's only deployment IN_PROGRESS with no task running
    (MOTO-NOTES.md), so nothing would ever look healthy in `--local`. With
    this, CreateService and UpdateService leave the service as ECS does once
    a rollout has finished: running = desired, the PRIMARY deployment COMPLETED.
    One-off tasks likewise run to completion at once (STOPPED on first look).
    """
    _settle_after_update()
    _settle_after_create()
    state_manager.set_transition(model_name="ecs::task", transition={"progression": "immediate"})


def apply_fixes() -> None:
    """Apply every fix to moto's classes in this process; calling it again is a no-op."""
    for fix in _FIXES:
        fix()
