"""ECS clusters are described with the defaults and ARNs AWS gives them.

docs/fidelity.md, "Cluster", names the source of each: exec-command logging
defaults, strategy `base` filled in, and Service Connect defaults given by
name reported as the Cloud Map namespace ARN (a new name creates an HTTP
namespace).
"""

from __future__ import annotations

import inspect
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend

from ecsync_local.fixes.cloudmap import namespace_arn
from ecsync_local.fixes.patching import Method, patch


def _filling(original: Method) -> Method:
    """`original` with its cluster arguments filled as AWS fills them, and with an
    empty Service Connect namespace removing the cluster's defaults."""
    signature = inspect.signature(original)

    def filled(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs)
        given = call.arguments
        removed = False
        if given.get("service_connect_defaults"):
            namespace = given["service_connect_defaults"].get("namespace")
            removed = namespace == ""
            if namespace:
                arn = namespace_arn(self, namespace, create=True)
                given["service_connect_defaults"] = {
                    **given["service_connect_defaults"],
                    "namespace": arn,
                }
        if given.get("configuration"):
            given["configuration"] = _configuration(given["configuration"])
        if given.get("default_capacity_provider_strategy"):
            given["default_capacity_provider_strategy"] = [
                {"weight": 0, "base": 0, **item}
                for item in given["default_capacity_provider_strategy"]
            ]
        cluster = original(*call.args, **call.kwargs)
        if removed:
            cluster.service_connect_defaults = None
        return cluster

    return filled


@patch(EC2ContainerServiceBackend, "create_cluster")
def fill_created_cluster(original: Method) -> Method:
    """AWS describes a new cluster with exec-command logging defaults (`logging` DEFAULT,
    `cloudWatchEncryptionEnabled` and `s3EncryptionEnabled` false: "If not specified,
    encryption will be off", ECS API Reference, ExecuteCommandLogConfiguration), strategy
    items with `base: 0`, and its Service Connect namespace as an ARN, creating an HTTP
    namespace for a new name (ClusterServiceConnectDefaultsRequest); moto echoes them."""
    return _filling(original)


@patch(EC2ContainerServiceBackend, "update_cluster")
def fill_updated_cluster(original: Method) -> Method:
    """AWS fills UpdateCluster's configuration and Service Connect defaults as on create,
    and an empty namespace name removes the Service Connect defaults (ECS API Reference,
    ClusterServiceConnectDefaultsRequest); moto ignores serviceConnectDefaults."""
    return _filling(original)


@patch(EC2ContainerServiceBackend, "put_cluster_capacity_providers")
def fill_cluster_strategy(original: Method) -> Method:
    """AWS reports a default capacity provider strategy item without `base` as `base: 0`
    (aws-cli create-cluster.rst Example 2); moto echoes it."""
    return _filling(original)


def _configuration(configuration: dict[str, Any]) -> dict[str, Any]:
    execute = configuration.get("executeCommandConfiguration")
    if not isinstance(execute, dict):
        return configuration
    execute = {"logging": "DEFAULT", **execute}
    log = execute.get("logConfiguration")
    if isinstance(log, dict):
        execute["logConfiguration"] = {
            "cloudWatchEncryptionEnabled": False,
            "s3EncryptionEnabled": False,
            **log,
        }
    return {**configuration, "executeCommandConfiguration": execute}
