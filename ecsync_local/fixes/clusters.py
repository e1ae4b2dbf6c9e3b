"""ECS clusters and capacity providers: create, describe and delete as AWS does."""

from __future__ import annotations

from typing import Any

from moto.ecs import exceptions as ecs_exceptions
from moto.ecs.models import EC2ContainerServiceBackend
from moto.utilities.utils import get_partition

from ecsync_local.fixes.patching import Method, patch

AWS_MANAGED_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


@patch(EC2ContainerServiceBackend, "create_cluster")
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


@patch(EC2ContainerServiceBackend, "create_capacity_provider")
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


@patch(EC2ContainerServiceBackend, "delete_capacity_provider")
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


@patch(EC2ContainerServiceBackend, "describe_capacity_providers")
def describe_every_capacity_provider(original: Method) -> Method:
    """AWS's DescribeCapacityProviders without names describes the account's providers
    and then FARGATE and FARGATE_SPOT, which every account has; asked by name, it
    describes FARGATE too (AWS CLI examples, `aws ecs describe-capacity-providers`:
    ACTIVE, with an ARN in the account's own namespace). Stock moto crashes with HTTP
    500 on no names and reports FARGATE as MISSING.
    """

    def describe_capacity_providers(
        self: EC2ContainerServiceBackend, names: list[str] | None
    ) -> Any:
        if not names:
            managed = [_managed_provider(self, name) for name in AWS_MANAGED_PROVIDERS]
            return [*self.capacity_providers.values(), *managed], []
        asked = {_managed_name(self, name) for name in names}
        others = [name for name in names if _managed_name(self, name) is None]
        providers, failures = original(self, others) if others else ([], [])
        managed = [_managed_provider(self, name) for name in AWS_MANAGED_PROVIDERS if name in asked]
        return [*providers, *managed], failures

    return describe_capacity_providers


def _managed_provider(backend: EC2ContainerServiceBackend, name: str) -> dict[str, Any]:
    return {
        "capacityProviderArn": _managed_arn(backend, name),
        "name": name,
        "status": "ACTIVE",
        "tags": [],
    }


def _managed_arn(backend: EC2ContainerServiceBackend, name: str) -> str:
    partition = get_partition(backend.region_name)
    return (
        f"arn:{partition}:ecs:{backend.region_name}:{backend.account_id}:capacity-provider/{name}"
    )


def _managed_name(backend: EC2ContainerServiceBackend, name_or_arn: str) -> str | None:
    """FARGATE or FARGATE_SPOT when `name_or_arn` names one of them, else None."""
    for name in AWS_MANAGED_PROVIDERS:
        if name_or_arn in (name, _managed_arn(backend, name)):
            return name
    return None
