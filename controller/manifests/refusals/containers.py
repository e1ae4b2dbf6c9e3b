"""What RegisterTaskDefinition refuses in container definitions, beyond botocore's model.

Each rule names its source: the AWS error text as public reports quote it,
or botocore's ECS model documentation (the API reference text) of the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from controller.manifests.refusals.base import Found, entries, mapping, number, rule, text
from controller.manifests.refusals.taskdefs import (
    CONTAINERS,
    ECS_NAME,
    REGISTER,
    containers,
    fargate,
    network_mode,
)
from controller.manifests.suggest import clip


def _names(request: Mapping[str, Any]) -> set[str]:
    return {n for _, c in containers(request) if (n := text(c.get("name")))}


# "Container.name should not be null or empty." (ClientException; hashicorp/terraform#2888)
@rule("container-name-required", REGISTER)
def _name_required(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        if not text(container.get("name")):
            yield (
                (CONTAINERS, i),
                "every container needs a name (AWS: Container.name should not be empty); add one",
            )


# "Container.name contains invalid characters." (ansible/ansible#22860); model docs.
@rule("container-name-pattern", REGISTER)
def _name_pattern(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        name = text(container.get("name"))
        if name and not ECS_NAME.fullmatch(name):
            yield (
                (CONTAINERS, i, "name"),
                (
                    f"container name '{clip(name)}' has characters AWS refuses; "
                    "use 1-255 letters, digits, hyphens and underscores"
                ),
            )


# "Container names must be unique within a Task Definition." (Shippable/support#2946)
@rule("container-name-unique", REGISTER)
def _name_unique(request: Mapping[str, Any]) -> Found:
    seen: set[str] = set()
    for i, container in containers(request):
        name = text(container.get("name"))
        if name and name in seen:
            yield (
                (CONTAINERS, i, "name"),
                (
                    f"container name '{clip(name)}' is used twice; AWS needs container names "
                    "unique within a task definition"
                ),
            )
        seen.add(name or "")


# "Container.image should not be null or empty." (aws/aws-cli#5924, aws/amazon-ecs-cli#132)
@rule("container-image-required", REGISTER)
def _image(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        if not text(container.get("image")):
            yield (
                (CONTAINERS, i, "image"),
                (
                    "every container needs an image (AWS: Container.image should not be null "
                    "or empty); set image"
                ),
            )


# "Environment variable name cannot be null or blank." (thnery/terraform-aws-template#2)
@rule("environment-name-required", REGISTER)
def _environment_name(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        for j, variable in entries(container.get("environment")):
            if not (text(variable.get("name")) or "").strip():
                yield (
                    (CONTAINERS, i, "environment", j, "name"),
                    (
                        "an environment variable needs a name (AWS: Environment variable name "
                        "cannot be null or blank)"
                    ),
                )


# Issue 10 of this project lists duplicate environment names among what ECS refuses; the
# nearest documented AWS text: "The secret name must be unique and not shared with any new
# or existing environment variables set on the container" (dagster-io/dagster#11622).
@rule("environment-name-unique", REGISTER)
def _environment_unique(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        seen: set[str] = set()
        for j, variable in entries(container.get("environment")):
            name = text(variable.get("name"))
            if name and name in seen:
                yield (
                    (CONTAINERS, i, "environment", j, "name"),
                    (
                        f"environment variable '{clip(name)}' is set twice in this container; "
                        "keep one"
                    ),
                )
            seen.add(name or "")


# "The secret name must be unique and not shared with any new or existing environment
# variables set on the container" (dagster-io/dagster#11622, compose-x/ecs_composex#707).
@rule("secret-name-unique", REGISTER)
def _secret_unique(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        taken = {text(v.get("name")) for _, v in entries(container.get("environment"))}
        seen: set[str] = set()
        for j, secret in entries(container.get("secrets")):
            name = text(secret.get("name"))
            if name and (name in seen or name in taken):
                yield (
                    (CONTAINERS, i, "secrets", j, "name"),
                    (
                        f"secret '{clip(name)}' is also the name of another secret or environment "
                        "variable of this container; AWS needs secret names unique"
                    ),
                )
            seen.add(name or "")


# "When networkMode=awsvpc, the host ports and container ports in port mappings must
# match." (pulumi/pulumi-awsx#935); model docs of hostPort: awsvpc or host mode.
@rule("host-port-match", REGISTER)
def _host_port(request: Mapping[str, Any]) -> Found:
    mode = network_mode(request)
    if mode not in ("awsvpc", "host"):
        return
    for i, container in containers(request):
        for j, mapping_ in entries(container.get("portMappings")):
            host, port = number(mapping_.get("hostPort")), number(mapping_.get("containerPort"))
            if host is not None and port is not None and host != port:
                yield (
                    (CONTAINERS, i, "portMappings", j, "hostPort"),
                    (
                        f"with networkMode {mode}, hostPort must equal containerPort ({port}) "
                        "or be left out"
                    ),
                )


# "Invalid 'containerPort' setting for container 'x'." (aws/aws-cli#7288: a port mapping with
# a hostPort and no containerPort); a port is at most 65535.
@rule("port-mapping-container-port", REGISTER)
def _container_port(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        for j, ports in entries(container.get("portMappings")):
            port = number(ports.get("containerPort"))
            if port is None and ports.get("containerPortRange") is None:
                yield (
                    (CONTAINERS, i, "portMappings", j),
                    ("a port mapping needs containerPort (or containerPortRange); add it"),
                )
            elif port is not None and not 1 <= port <= 65535:
                yield (
                    (CONTAINERS, i, "portMappings", j, "containerPort"),
                    (f"containerPort {port} is not a port; use 1 to 65535"),
                )


# "Links are not supported when networkMode=awsvpc." (aws-observability/aws-otel-collector
# #1359); model docs of links: only supported for the bridge network mode.
@rule("links-network-mode", REGISTER)
def _links(request: Mapping[str, Any]) -> Found:
    mode = network_mode(request)
    if mode == "bridge":
        return
    for i, container in containers(request):
        if container.get("links"):
            yield (
                (CONTAINERS, i, "links"),
                (
                    f"links are only supported with networkMode bridge, not {mode}; remove them "
                    "(containers of one task reach each other on localhost)"
                ),
            )


# "hostname is not supported on container when networkMode=awsvpc." (labd/ecs-deplojo#26)
@rule("hostname-network-mode", REGISTER)
def _hostname(request: Mapping[str, Any]) -> Found:
    if network_mode(request) != "awsvpc":
        return
    for i, container in containers(request):
        if container.get("hostname") is not None:
            yield (CONTAINERS, i, "hostname"), "hostname is not supported with awsvpc; remove it"


# "Task definition doesn't have any essential container." (eagletmt/hako#68,
# aws-cloudformation/cfn-lint#4536); essential defaults to true.
@rule("essential-container", REGISTER)
def _essential(request: Mapping[str, Any]) -> Found:
    found = containers(request)
    if found and all(c.get("essential") is False for _, c in found):
        yield (CONTAINERS,), "a task needs at least one essential container; mark one essential"


# "Invalid setting for container 'x'. At least one of 'memory' or 'memoryReservation' must be
# specified." (cuttlesoft/ecs-deploy.py#17, sil-org/ecs-deploy#308); Fargate has its own rule.
@rule("container-memory-required", REGISTER)
def _container_memory(request: Mapping[str, Any]) -> Found:
    if request.get("memory") is not None or fargate(request):
        return
    for i, container in containers(request):
        if container.get("memory") is None and container.get("memoryReservation") is None:
            yield (
                (CONTAINERS, i),
                (
                    "without a task-level memory, every container needs memory or "
                    "memoryReservation; set one (or spec.memory)"
                ),
            )


# Model docs of ContainerDefinition.memory: "memory must be greater than memoryReservation".
@rule("memory-reservation-limit", REGISTER)
def _reservation(request: Mapping[str, Any]) -> Found:
    for i, container in containers(request):
        hard, soft = number(container.get("memory")), number(container.get("memoryReservation"))
        if hard is not None and soft is not None and soft > hard:
            yield (
                (CONTAINERS, i, "memoryReservation"),
                (f"memoryReservation ({soft}) is above the hard limit memory ({hard}); lower it"),
            )


# Model docs of MountPoint.sourceVolume: "Must be a volume name referenced in the name
# parameter of task definition volume."
@rule("mount-source-volume", REGISTER)
def _mounts(request: Mapping[str, Any]) -> Found:
    volumes = {n for _, v in entries(request.get("volumes")) if (n := text(v.get("name")))}
    for i, container in containers(request):
        for j, mount in entries(container.get("mountPoints")):
            name = text(mount.get("sourceVolume"))
            if name is not None and name not in volumes:
                yield (
                    (CONTAINERS, i, "mountPoints", j, "sourceVolume"),
                    (f"no volume '{clip(name)}' in spec.volumes; add it there or fix the name"),
                )


# Model docs of ContainerDependency / VolumeFrom: another container of the same task.
@rule("depends-on-container", REGISTER)
def _depends_on(request: Mapping[str, Any]) -> Found:
    names = _names(request)
    for i, container in containers(request):
        for j, dependency in entries(container.get("dependsOn")):
            name = text(dependency.get("containerName"))
            if name is not None and name not in names:
                yield (
                    (CONTAINERS, i, "dependsOn", j, "containerName"),
                    (f"no container '{clip(name)}' in this task definition to depend on"),
                )


@rule("volumes-from-container", REGISTER)
def _volumes_from(request: Mapping[str, Any]) -> Found:
    names = _names(request)
    for i, container in containers(request):
        for j, source in entries(container.get("volumesFrom")):
            name = text(source.get("sourceContainer"))
            if name is not None and name not in names:
                yield (
                    (CONTAINERS, i, "volumesFrom", j, "sourceContainer"),
                    (f"no container '{clip(name)}' in this task definition to mount volumes from"),
                )


# "A dependency container with SUCCESS or COMPLETE condition cannot be an essential
# container" (boto/boto3#2436); model docs of ContainerDependency.condition.
@rule("depends-on-essential", REGISTER)
def _depends_on_essential(request: Mapping[str, Any]) -> Found:
    essential = {
        n
        for _, c in containers(request)
        if (n := text(c.get("name"))) and c.get("essential") is not False
    }
    for i, container in containers(request):
        for j, dependency in entries(container.get("dependsOn")):
            name = text(dependency.get("containerName"))
            condition = dependency.get("condition")
            if name in essential and condition in ("SUCCESS", "COMPLETE"):
                yield (
                    (CONTAINERS, i, "dependsOn", j, "condition"),
                    (
                        f"container '{clip(name or '')}' is essential, so nothing may wait for it "
                        f"to {str(condition).lower()}; set essential: false on it or use START"
                    ),
                )


HEALTH_CHECK = {
    "health-check-interval": ("interval", 5, 300),
    "health-check-timeout": ("timeout", 2, 60),
    "health-check-retries": ("retries", 1, 10),
    "health-check-start-period": ("startPeriod", 0, 300),
}
"""Model docs of HealthCheck: the range of each field."""


def _health_rule(id: str, field: str, low: int, high: int) -> None:
    @rule(id, REGISTER)
    def _check(request: Mapping[str, Any]) -> Found:
        for i, container in containers(request):
            value = number(mapping(container.get("healthCheck")).get(field))
            if value is not None and not low <= value <= high:
                yield (
                    (CONTAINERS, i, "healthCheck", field),
                    (f"healthCheck.{field} must be between {low} and {high}; it is {value}"),
                )


for _id, (_field, _low, _high) in HEALTH_CHECK.items():
    _health_rule(_id, _field, _low, _high)
