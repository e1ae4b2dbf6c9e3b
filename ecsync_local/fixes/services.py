"""ECS services: CreateService and UpdateService store and refuse what AWS does."""

from __future__ import annotations

from typing import Any

from botocore import xform_name
from moto.ecs import exceptions as ecs_exceptions
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse

from ecsync_local.fixes.patching import Method, patch

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
DEPLOYMENT_FIELDS = (
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)


@patch(EC2ContainerServiceResponse, "create_service")
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
        for field in DEPLOYMENT_FIELDS:
            if self._get_param(field) is not None:
                primary[field] = self._get_param(field)
        return result

    return create_service


@patch(EC2ContainerServiceBackend, "update_service")
def mirror_update_to_primary_deployment(original: Method) -> Method:
    """AWS reports serviceConnectConfiguration, volumeConfigurations and
    vpcLatticeConfigurations on the PRIMARY deployment after UpdateService;
    moto stores them on the service object, where DescribeServices never shows them.
    """

    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        wanted = {f: service_properties.get(xform_name(f)) for f in DEPLOYMENT_FIELDS}
        service = original(self, service_properties)
        if service.deployments:
            service.deployments[0].update((f, v) for f, v in wanted.items() if v is not None)
        return service

    return update_service


@patch(EC2ContainerServiceBackend, "create_service")
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


@patch(Service, "_validate_network")
def security_groups_are_optional(original: Method) -> Method:
    """AWS takes an awsvpcConfiguration without securityGroups ("If you don't specify
    a security group, the default security group for the VPC is used", ECS API
    Reference, AwsVpcConfiguration) and stores it as sent: DescribeServices shows no
    securityGroups (terraform-provider-aws keeps `security_groups` optional and not
    computed). moto fails CreateService with HTTP 500 (KeyError 'securityGroups').
    """

    def validate_network(self: Service, nc: dict[str, Any]) -> Any:
        vpc = nc.get("awsvpcConfiguration") or {}
        if "securityGroups" in vpc:
            return original(self, nc)
        # An empty list names no group, so only the subnets are checked.
        original(self, {**nc, "awsvpcConfiguration": {**vpc, "securityGroups": []}})
        return nc

    return validate_network
