"""ECS task definitions are described with the defaults and spellings AWS gives them.

docs/fidelity.md, "TaskDefinition", names the source of each: the product
compares a task definition in full on adopt and import, so every default
DescribeTaskDefinition adds has to be in the double too, or the
normalisers are never exercised against it.
"""

from __future__ import annotations

import re
from typing import Any

from moto.ecs.responses import EC2ContainerServiceResponse

from ecsync_local.fixes.patching import Method, patch

HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}
"""ECS API Reference, HealthCheck (interval 30, timeout 5, retries 3 by default)."""
_UNITS = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(vcpu|gb)\s*", re.IGNORECASE)


@patch(EC2ContainerServiceResponse, "register_task_definition")
def fill_registered_task_definition(original: Method) -> Method:
    """AWS describes a new revision with `enableFaultInjection: false` ("The default value
    is false", RegisterTaskDefinition), `hostPort` and `protocol` on every port mapping,
    health check timings, `systemControls: []`, `host: {}` on a bind volume without one,
    Docker volumes' `scope` and `driver`, task size in CPU units and MiB, and a task
    role named by name as its ARN (ECS API Reference, PortMapping, HealthCheck, Volume,
    DockerVolumeConfiguration, RegisterTaskDefinition); moto echoes or drops them."""

    def register_task_definition(self: EC2ContainerServiceResponse) -> Any:
        result = original(self)
        task_definition = result.result["taskDefinition"]
        task_definition.enable_fault_injection = bool(self._get_param("enableFaultInjection"))
        mode = task_definition.network_mode or "bridge"
        for container in task_definition.container_definitions:
            _fill_container(container, mode)
        for volume in task_definition.volumes or []:
            _fill_volume(volume)
        task_definition.cpu = _in_units(task_definition.cpu)
        task_definition.memory = _in_units(task_definition.memory)
        role = getattr(task_definition, "task_role_arn", None)
        if isinstance(role, str) and role and not role.startswith("arn:"):
            account = self.ecs_backend.account_id
            task_definition.task_role_arn = f"arn:aws:iam::{account}:role/{role}"
        return result

    return register_task_definition


def _fill_container(container: dict[str, Any], mode: str) -> None:
    container.setdefault("systemControls", [])
    for mapping in container.get("portMappings") or []:
        mapping.setdefault("protocol", "tcp")
        if "hostPort" not in mapping and "containerPort" in mapping:
            # Under awsvpc and host the host port is the container port; under bridge
            # a missing one is dynamic, reported as 0 (ECS API Reference, PortMapping).
            mapping["hostPort"] = mapping["containerPort"] if mode in {"awsvpc", "host"} else 0
    check = container.get("healthCheck")
    if isinstance(check, dict):
        container["healthCheck"] = {**HEALTH_CHECK_DEFAULTS, **check}


def _fill_volume(volume: dict[str, Any]) -> None:
    kinds = ("host", "dockerVolumeConfiguration", "efsVolumeConfiguration")
    others = ("fsxWindowsFileServerVolumeConfiguration", "configuredAtLaunch")
    if not any(k in volume for k in (*kinds, *others)):
        volume["host"] = {}  # a bind mount the Docker daemon places (aws/amazon-ecs-cli#860)
    docker = volume.get("dockerVolumeConfiguration")
    if isinstance(docker, dict):
        volume["dockerVolumeConfiguration"] = {"scope": "task", "driver": "local", **docker}


def _in_units(size: Any) -> Any:
    """`"1 vCPU"` as `"1024"`, `"2 GB"` as `"2048"`; ECS reports CPU units and MiB."""
    match = _UNITS.fullmatch(size) if isinstance(size, str) else None
    if match is None:
        return size
    return str(int(float(match.group(1)) * 1024))
