"""Cloud Map namespaces as ECS resolves them: by name or ARN, in moto's servicediscovery."""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import ServiceException
from moto.servicediscovery.models import servicediscovery_backends


class NamespaceNotFound(ServiceException):
    """ECS's answer to a namespace it cannot find (ECS API Reference, CreateService,
    UpdateService, CreateCluster and UpdateCluster errors)."""

    code = "NamespaceNotFoundException"
    message = "The specified namespace wasn't found."


def namespace_arn(ecs_backend: Any, name_or_arn: str, *, create: bool = False) -> str:
    """The ARN of the namespace named (or ARN'd) `name_or_arn`, as ECS reports it.

    With `create`, a new name makes an HTTP namespace, as CreateCluster and
    UpdateCluster do for `serviceConnectDefaults` ("If you enter a new name, a Cloud
    Map namespace will be created", ECS API Reference,
    ClusterServiceConnectDefaultsRequest). Otherwise an unknown one is refused.
    """
    cloudmap = servicediscovery_backends[ecs_backend.account_id][ecs_backend.region_name]
    for namespace in list(cloudmap.namespaces.values()):
        if name_or_arn in (namespace.arn, namespace.name):
            return str(namespace.arn)
    if not create or name_or_arn.startswith("arn:"):
        raise NamespaceNotFound()
    cloudmap.create_http_namespace(name=name_or_arn, creator_request_id="", description="", tags=[])
    return namespace_arn(ecs_backend, name_or_arn)
