"""ECS services are described with the defaults and spellings AWS gives them.

What DescribeServices reports when CreateService or UpdateService left a
field out, or spelled it another way (docs/fidelity.md, "Service", names
the source of each): the deployment configuration's defaults, placement
strategy fields in ECS's spelling, `assignPublicIp` and strategy `base`
filled in, the top-level switches, and a Service Connect namespace given by
name reported as its Cloud Map ARN.
"""

from __future__ import annotations

from typing import Any

from botocore import xform_name
from moto.ecs.responses import EC2ContainerServiceResponse

from ecsync_local.fixes.cloudmap import namespace_arn
from ecsync_local.fixes.patching import Method, patch

PLACEMENT_FIELDS = {"host": "instanceId", "memory": "MEMORY", "cpu": "CPU"}
"""ECS's spelling of placement strategy fields (ECS API Reference, PlacementStrategy.field;
aws/amazon-ecs-cli#586; terraform-provider-aws flattenPlacementStrategy)."""
CIRCUIT_BREAKER_OFF = {"enable": False, "rollback": False}
CREATE_DEFAULTS = {
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
    "healthCheckGracePeriodSeconds": 0,
    "availabilityZoneRebalancing": "ENABLED",
}
"""Reported when CreateService left them out (ECS API Reference, CreateService; aws-cli
create-service.rst Example 5; availabilityZoneRebalancing: "For create service requests,
when no value is specified ... Amazon ECS defaults the value to ENABLED")."""


@patch(EC2ContainerServiceResponse, "create_service")
def fill_created_service(original: Method) -> Method:
    """AWS describes a new service with the defaults and spellings it fills in
    (docs/fidelity.md, "Service"); moto echoes the request, or drops the field."""

    def create_service(self: EC2ContainerServiceResponse) -> Any:
        connect = _resolved_connect(self)
        result = original(self)
        service = self.ecs_backend._get_service(
            self._get_param("cluster", "default"), self._get_param("serviceName")
        )
        for field, value in CREATE_DEFAULTS.items():
            if self._get_param(field) is None:
                setattr(service, xform_name(field), value)
        _fill(service, connect)
        return result

    return create_service


@patch(EC2ContainerServiceResponse, "update_service")
def fill_updated_service(original: Method) -> Method:
    """AWS respells what UpdateService sends as it does on create (placement fields,
    `assignPublicIp`, strategy `base`, a namespace name as its ARN)."""

    def update_service(self: EC2ContainerServiceResponse) -> Any:
        connect = _resolved_connect(self)
        result = original(self)
        service = self.ecs_backend._get_service(
            self._get_param("cluster", "default"), self._get_param("service")
        )
        _fill(service, connect)
        return result

    return update_service


def _resolved_connect(response: EC2ContainerServiceResponse) -> dict[str, Any] | None:
    """The request's serviceConnectConfiguration with its namespace as an ARN, or None.

    An unknown namespace is refused before anything changes. Without a namespace,
    ECS uses the cluster's default (ECS Developer Guide, Service Connect tutorial).
    """
    connect = response._get_param("serviceConnectConfiguration")
    if not isinstance(connect, dict):
        return None
    namespace = connect.get("namespace")
    if not namespace and connect.get("enabled"):
        cluster = response.ecs_backend._get_cluster(response._get_param("cluster", "default"))
        namespace = (getattr(cluster, "service_connect_defaults", None) or {}).get("namespace")
    if not namespace:
        return connect
    return {**connect, "namespace": namespace_arn(response.ecs_backend, namespace)}


def _fill(service: Any, connect: dict[str, Any] | None) -> None:
    daemon = service.scheduling_strategy == "DAEMON"
    if (service.deployment_controller or {}).get("type", "ECS") == "ECS":
        configuration = dict(getattr(service, "deployment_configuration", None) or {})
        configuration.setdefault("maximumPercent", 100 if daemon else 200)
        configuration.setdefault("minimumHealthyPercent", 0 if daemon else 100)
        if not daemon:
            configuration.setdefault("deploymentCircuitBreaker", dict(CIRCUIT_BREAKER_OFF))
        service.deployment_configuration = configuration
    service.placement_strategy = [
        _canonical_placement(s) for s in getattr(service, "placement_strategy", None) or []
    ]
    if getattr(service, "capacity_provider_strategy", None):
        service.capacity_provider_strategy = [
            {"weight": 0, "base": 0, **item} for item in service.capacity_provider_strategy
        ]
    service.network_configuration = _with_public_ip(service.network_configuration)
    for deployment in service.deployments[:1]:
        if deployment.get("networkConfiguration"):
            deployment["networkConfiguration"] = _with_public_ip(deployment["networkConfiguration"])
        if deployment.get("capacityProviderStrategy"):
            deployment["capacityProviderStrategy"] = service.capacity_provider_strategy
        if connect is not None:
            deployment["serviceConnectConfiguration"] = connect


def _canonical_placement(strategy: dict[str, Any]) -> dict[str, Any]:
    field = strategy.get("field")
    if not isinstance(field, str) or field.lower() not in PLACEMENT_FIELDS:
        return strategy  # custom attributes keep their case
    return {**strategy, "field": PLACEMENT_FIELDS[field.lower()]}


def _with_public_ip(network: dict[str, Any] | None) -> dict[str, Any] | None:
    """`assignPublicIp` is DISABLED when not sent (ECS API Reference, AwsVpcConfiguration)."""
    vpc = (network or {}).get("awsvpcConfiguration")
    if not isinstance(vpc, dict) or "assignPublicIp" in vpc:
        return network
    return {**(network or {}), "awsvpcConfiguration": {**vpc, "assignPublicIp": "DISABLED"}}
