"""ECS one-off tasks: RunTask runs what AWS runs."""

from __future__ import annotations

import copy
import inspect
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecs.models import EC2ContainerServiceBackend

from ecsync_local.fixes.patching import Method, patch


@patch(EC2ContainerServiceBackend, "_calculate_task_resource_requirements")
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


@patch(EC2ContainerServiceBackend, "run_task")
def default_security_group_for_tasks(original: Method) -> Method:
    """AWS gives an awsvpc task without securityGroups the VPC's default group (ECS API
    Reference, AwsVpcConfiguration); moto fails RunTask with HTTP 500 (KeyError)."""
    signature = inspect.signature(original)

    def run_task(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs)
        network = call.arguments.get("networking_configuration")
        call.arguments["networking_configuration"] = _with_default_security_group(self, network)
        return original(*call.args, **call.kwargs)

    return run_task


def _with_default_security_group(
    backend: EC2ContainerServiceBackend, network: dict[str, Any] | None
) -> dict[str, Any] | None:
    vpc = (network or {}).get("awsvpcConfiguration")
    if not vpc or vpc.get("securityGroups") or not vpc.get("subnets"):
        return network
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    default = ec2.get_default_security_group(ec2.get_subnet(vpc["subnets"][0]).vpc_id)
    groups = [default.id] if default is not None else []
    return {**(network or {}), "awsvpcConfiguration": {**vpc, "securityGroups": groups}}
