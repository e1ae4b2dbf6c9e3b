"""Task definitions: the container defaults ECS fills in, and content hashing.

A task definition revision is immutable and registered as a whole, so the
whole normalised document is compared (not only the fields a manifest sets).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from controller.diff.normalise import common

HEALTH_CHECK_DEFAULTS: dict[str, Any] = {"interval": 30, "timeout": 5, "retries": 3}

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


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    result = common.base(spec)
    network_mode = result.setdefault("networkMode", "bridge")
    if "containerDefinitions" in result:
        result["containerDefinitions"] = [
            _container(c, network_mode) for c in result["containerDefinitions"]
        ]
    if "volumes" in result:
        result["volumes"] = common.sorted_by(result["volumes"], common.field_of("name"))
    if "requiresCompatibilities" in result:
        result["requiresCompatibilities"] = sorted(result["requiresCompatibilities"])
    if "placementConstraints" in result:
        result["placementConstraints"] = common.sorted_by(result["placementConstraints"], repr)
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
    if "portMappings" in result:
        result["portMappings"] = [_port(p, network_mode) for p in result["portMappings"]]
    for field, key in _ORDER_FREE_LISTS.items():
        if field in result:
            result[field] = common.sorted_by(result[field], common.field_of(key))
    if "healthCheck" in result:
        result["healthCheck"] = common.with_defaults(result["healthCheck"], HEALTH_CHECK_DEFAULTS)
    log = result.get("logConfiguration")
    if isinstance(log, dict) and "secretOptions" in log:
        result["logConfiguration"] = {
            **log,
            "secretOptions": common.sorted_by(log["secretOptions"], common.field_of("name")),
        }
    return common.drop_empty(result)


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
