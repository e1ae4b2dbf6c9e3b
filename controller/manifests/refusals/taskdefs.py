"""What RegisterTaskDefinition refuses that botocore's model does not say.

Each rule names its source: the AWS error text as public reports quote it,
or botocore's ECS model documentation (the API reference text) of the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from controller.manifests.refusals import sizes
from controller.manifests.refusals.base import Found, entries, mapping, number, rule, strings, text

REGISTER = "RegisterTaskDefinition"
ECS_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
"""Family, cluster, service and container names (botocore ECS model docs of each)."""
CONTAINERS = "containerDefinitions"


def containers(request: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    return list(entries(request.get(CONTAINERS)))


def fargate(request: Mapping[str, Any]) -> bool:
    return "FARGATE" in strings(request.get("requiresCompatibilities"))


def network_mode(request: Mapping[str, Any]) -> str:
    """The task's network mode; ECS uses `bridge` on Linux when none is given."""
    return text(request.get("networkMode")) or "bridge"


# Model docs, RegisterTaskDefinitionRequest.family: up to 255 letters, numbers, - and _.
@rule("family-name", REGISTER)
def _family(request: Mapping[str, Any]) -> Found:
    family = request.get("family")
    if isinstance(family, str) and not ECS_NAME.fullmatch(family):
        yield ("family",), "a family is 1-255 letters, digits, hyphens and underscores"


# "Invalid 'cpu' setting for task." (AWS docs: task-cpu-memory-error; model docs of cpu)
@rule("task-cpu-format", REGISTER)
def _cpu_format(request: Mapping[str, Any]) -> Found:
    cpu = request.get("cpu")
    if cpu is not None and sizes.cpu_units(cpu) is None:
        yield (
            ("cpu",),
            (
                "task cpu must be CPU units like '1024' or vCPUs like '1 vCPU' "
                "(AWS: Invalid 'cpu' setting for task)"
            ),
        )


# Model docs of RegisterTaskDefinitionRequest.cpu: 128 to 196608 CPU units.
@rule("task-cpu-range", REGISTER)
def _cpu_range(request: Mapping[str, Any]) -> Found:
    units = sizes.cpu_units(request.get("cpu"))
    low, high = sizes.EC2_CPU
    if units is not None and not low <= units <= high:
        yield ("cpu",), f"task cpu is {units} units; AWS accepts {low} (0.125 vCPU) to {high}"


# "Invalid 'memory' setting for task." (AWS docs: task-cpu-memory-error; model docs of memory)
@rule("task-memory-format", REGISTER)
def _memory_format(request: Mapping[str, Any]) -> Found:
    memory = request.get("memory")
    if memory is not None and sizes.memory_mib(memory) is None:
        yield (
            ("memory",),
            (
                "task memory must be a positive number of MiB like '2048' or GB like '2 GB' "
                "(AWS: Invalid 'memory' setting for task)"
            ),
        )


# AWS docs "Task size" (Fargate); "No Fargate configuration exists for given values."
@rule("fargate-task-size", REGISTER)
def _fargate_size(request: Mapping[str, Any]) -> Found:
    cpu, memory = sizes.cpu_units(request.get("cpu")), sizes.memory_mib(request.get("memory"))
    if not fargate(request) or cpu is None or memory is None:
        return
    allowed = sizes.fargate_memory(cpu)
    if not allowed:
        yield (
            ("cpu",),
            (
                f"Fargate has no task size with {cpu} CPU units; use 256, 512, 1024, 2048, 4096, "
                "8192 or 16384"
            ),
        )
    elif memory not in allowed:
        yield (
            ("memory",),
            (
                f"Fargate does not run {cpu} CPU units with {memory} MiB (AWS: No Fargate "
                f"configuration exists for given values); use {sizes.describe(allowed)} MiB"
            ),
        )


# Model docs of cpu and memory: "This field is required for Fargate."
@rule("fargate-task-size-required", REGISTER)
def _fargate_size_required(request: Mapping[str, Any]) -> Found:
    if fargate(request):
        for field in ("cpu", "memory"):
            if request.get(field) is None:
                yield (field,), f"Fargate needs a task-level {field}; set spec.{field}"


# "Fargate only supports network mode 'awsvpc'." (aws/amazon-ecs-cli#1145)
@rule("fargate-network-mode", REGISTER)
def _fargate_network(request: Mapping[str, Any]) -> Found:
    if fargate(request) and network_mode(request) != "awsvpc":
        yield ("networkMode",), "Fargate only supports networkMode awsvpc; set it"


# "Tasks using the Fargate launch type do not support ipcMode." (cn-terraform/...#2)
@rule("fargate-ipc-mode", REGISTER)
def _fargate_ipc(request: Mapping[str, Any]) -> Found:
    if fargate(request) and request.get("ipcMode") is not None:
        yield ("ipcMode",), "Fargate does not support ipcMode; remove it"


# Model docs of pidMode: "On Fargate for Linux containers, the only valid value is task."
@rule("fargate-pid-mode", REGISTER)
def _fargate_pid(request: Mapping[str, Any]) -> Found:
    mode = request.get("pidMode")
    if fargate(request) and mode is not None and mode != "task":
        yield ("pidMode",), "on Fargate the only valid pidMode is task"


# Model docs of EphemeralStorage.sizeInGiB: 21 to 200 GiB.
@rule("ephemeral-storage-size", REGISTER)
def _ephemeral(request: Mapping[str, Any]) -> Found:
    size = number(mapping(request.get("ephemeralStorage")).get("sizeInGiB"))
    if size is not None and not 21 <= size <= 200:
        yield ("ephemeralStorage", "sizeInGiB"), f"ephemeral storage is 21 to 200 GiB, not {size}"
