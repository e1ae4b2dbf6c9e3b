"""Task definitions: the defaults ECS fills in, and content hashing.

A task definition revision is immutable and registered as a whole, so the
whole normalised document is compared (not only the fields a manifest sets):
on adopt, on import, and for a revision without ecsync's content-hash tag.
Each default below is one the ECS API Reference documents or one real
answers show; docs/fidelity.md names the source of each, and
tests/fidelity/cases/task-definition/ holds the answers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from controller.diff.normalise import common

HEALTH_CHECK_DEFAULTS: dict[str, Any] = {"interval": 30, "timeout": 5, "retries": 3}

RESTART_POLICY_DEFAULTS: dict[str, Any] = {"restartAttemptPeriod": 300}
"""ContainerRestartPolicy: "By default, a container must run for 300 seconds"."""

_ORDER_FREE_LISTS = {
    "environment": "name",
    "secrets": "name",
    "ulimits": "name",
    "systemControls": "namespace",
    "extraHosts": "hostname",
    "dependsOn": "containerName",
    "environmentFiles": "value",
    "resourceRequirements": "type",
}

_DEFAULT_FALSE = (
    "disableNetworking",
    "privileged",
    "readonlyRootFilesystem",
    "interactive",
    "pseudoTerminal",
)

_TASK_DEFAULT_FALSE = ("enableFaultInjection",)
"""RegisterTaskDefinition: "The default value is false"; DescribeTaskDefinition
returns `enableFaultInjection: false` on revisions registered without it."""

_VERSION_CONSISTENCY_DEFAULT = "enabled"
"""ContainerDefinition.versionConsistency: "By default, the value is enabled"."""

_EFS_DEFAULTS = {"rootDirectory": "/", "transitEncryption": "DISABLED"}
"""EFSVolumeConfiguration: "Specifying / will have the same effect as omitting"
rootDirectory; transitEncryption "If this parameter is omitted, the default value
of DISABLED is used". ECS returns `rootDirectory: "/"` when none was sent."""

_EFS_AUTHORIZATION_DEFAULTS = {"iam": "DISABLED"}

_DOCKER_VOLUME_DEFAULTS: dict[str, Any] = {"scope": "task", "driver": "local"}
"""DockerVolumeConfiguration as ECS reports it when scope/driver were left out."""


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    network_mode = result.setdefault("networkMode", "bridge")
    for flag in _TASK_DEFAULT_FALSE:
        if result.get(flag) is False:
            del result[flag]
    if "containerDefinitions" in result:
        result["containerDefinitions"] = [
            _container(c, network_mode) for c in result["containerDefinitions"]
        ]
    if "volumes" in result:
        volumes = common.drop_empty([_volume(v) for v in result["volumes"]])
        result["volumes"] = common.sorted_by(volumes, common.field_of("name"))
    if "requiresCompatibilities" in result:
        result["requiresCompatibilities"] = sorted(result["requiresCompatibilities"])
    if "placementConstraints" in result:
        result["placementConstraints"] = common.sorted_by(result["placementConstraints"], repr)
    proxy = result.get("proxyConfiguration")
    if isinstance(proxy, dict) and "properties" in proxy:
        result["proxyConfiguration"] = {
            **proxy,
            "properties": common.sorted_by(proxy["properties"], common.field_of("name")),
        }
    for field in ("cpu", "memory"):
        if field in result:
            result[field] = _task_size(result[field])
    for field in ("taskRoleArn", "executionRoleArn"):
        if field in result:
            result[field] = common.role_name(result[field])
    return result


def content_hash(normalised: dict[str, Any]) -> str:
    """A short, stable digest of a normalised task definition, tags excluded.

    Stored on each revision ecsync registers, so that a revision registered
    just before a crash is recognised and reused instead of registered again.
    """
    content = {k: v for k, v in normalised.items() if k != "tags"}
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def _container(container: Any, network_mode: str) -> Any:
    if not isinstance(container, dict):
        return container
    result = dict(container)
    result.setdefault("essential", True)
    if result.get("cpu") == 0:
        del result["cpu"]
    for flag in _DEFAULT_FALSE:
        if result.get(flag) is False:
            del result[flag]
    if result.get("versionConsistency") == _VERSION_CONSISTENCY_DEFAULT:
        del result["versionConsistency"]
    if "portMappings" in result:
        result["portMappings"] = [_port(p, network_mode) for p in result["portMappings"]]
    for field in ("mountPoints", "volumesFrom"):
        if field in result:
            result[field] = [_without_false(m, "readOnly") for m in result[field]]
    for field, key in _ORDER_FREE_LISTS.items():
        if field in result:
            result[field] = common.sorted_by(result[field], common.field_of(key))
    for field, canonical in _NESTED.items():
        if field in result:
            result[field] = canonical(result[field])
    return common.drop_empty(result)


def _log_configuration(log: Any) -> Any:
    if isinstance(log, dict) and "secretOptions" in log:
        return {
            **log,
            "secretOptions": common.sorted_by(log["secretOptions"], common.field_of("name")),
        }
    return log


def _port(mapping: Any, network_mode: str) -> Any:
    """ECS fills `protocol: tcp`, and under awsvpc/host `hostPort` = `containerPort`."""
    if not isinstance(mapping, dict):
        return mapping
    result = {"protocol": "tcp", **mapping}
    container_port = result.get("containerPort")
    if network_mode in ("awsvpc", "host") and container_port is not None:
        result.setdefault("hostPort", container_port)
    elif result.get("hostPort") == 0:
        del result["hostPort"]
    return result


def _without_false(item: Any, flag: str) -> Any:
    """`readOnly: false` is the documented default of mount points and volumesFrom."""
    if isinstance(item, dict) and item.get(flag) is False:
        return {k: v for k, v in item.items() if k != flag}
    return item


def _linux_parameters(params: Any) -> Any:
    """Capabilities are sets (docker --cap-add/--cap-drop); `initProcessEnabled: false`
    is the same as leaving the init process out."""
    if not isinstance(params, dict):
        return params
    result = _without_false(params, "initProcessEnabled")
    capabilities = result.get("capabilities")
    if isinstance(capabilities, dict):
        result = {
            **result,
            "capabilities": {
                k: sorted(v) if isinstance(v, list) else v for k, v in capabilities.items()
            },
        }
    return result


_NESTED: dict[str, Callable[[Any], Any]] = {
    "healthCheck": lambda v: common.with_defaults(v, HEALTH_CHECK_DEFAULTS),
    "restartPolicy": lambda v: common.with_defaults(v, RESTART_POLICY_DEFAULTS),
    "linuxParameters": _linux_parameters,
    "logConfiguration": _log_configuration,
}
"""Container fields that are objects with defaults or order-free parts of their own."""


def _volume(volume: Any) -> Any:
    if not isinstance(volume, dict):
        return volume
    result = _without_false(volume, "configuredAtLaunch")
    efs = result.get("efsVolumeConfiguration")
    if isinstance(efs, dict):
        efs = _without_defaults(efs, _EFS_DEFAULTS)
        if isinstance(efs.get("authorizationConfig"), dict):
            efs["authorizationConfig"] = _without_defaults(
                efs["authorizationConfig"], _EFS_AUTHORIZATION_DEFAULTS
            )
        result = {**result, "efsVolumeConfiguration": efs}
    docker = result.get("dockerVolumeConfiguration")
    if isinstance(docker, dict):
        docker = _without_false(
            common.with_defaults(docker, _DOCKER_VOLUME_DEFAULTS), "autoprovision"
        )
        result = {**result, "dockerVolumeConfiguration": docker}
    return result


def _without_defaults(value: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`value` without the fields that hold their documented default (absent means the same)."""
    return {k: v for k, v in value.items() if k not in defaults or defaults[k] != v}


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb|mb|mib|gib)?\s*$", re.IGNORECASE)


def _task_size(value: Any) -> Any:
    """ECS stores task cpu/memory as unit strings: `1 vCPU` -> `1024`, `2 GB` -> `2048`."""
    match = _SIZE.match(str(value))
    if not match:
        return value
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    if unit in ("vcpu", "gb", "gib"):
        number *= 1024
    return str(int(number))
