"""What CreateService, UpdateService and RunTask refuse given the task definition they run.

`task_definition` is the RegisterTaskDefinition request of that task
definition (DescribeTaskDefinition's `taskDefinition` has the same fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from controller.manifests.refusals.base import Found, cross_rule, entries, mapping, text
from controller.manifests.refusals.taskdefs import fargate, network_mode
from controller.manifests.suggest import clip, did_you_mean

CREATE, UPDATE, RUN = "CreateService", "UpdateService", "RunTask"


def _containers(task_definition: Mapping[str, Any]) -> list[str]:
    return [
        n
        for _, c in entries(task_definition.get("containerDefinitions"))
        if (n := text(c.get("name")))
    ]


# "The container X does not exist in the task definition." (aws/amazon-ecs-agent#1276,
# hashicorp/terraform#2888)
@cross_rule("load-balancer-container-exists", CREATE, UPDATE)
def _balancer(request: Mapping[str, Any], task_definition: Mapping[str, Any]) -> Found:
    names = _containers(task_definition)
    for i, balancer in entries(request.get("loadBalancers")):
        name = text(balancer.get("containerName"))
        if name is not None and name not in names:
            yield (
                ("loadBalancers", i, "containerName"),
                (f"the task definition has no container '{clip(name)}'{did_you_mean(name, names)}"),
            )


# "Override for container named X is not a container in the TaskDefinition."
# (azavea/django-ecsmanage#21)
@cross_rule("task-override-container", RUN)
def _override(request: Mapping[str, Any], task_definition: Mapping[str, Any]) -> Found:
    names = _containers(task_definition)
    overrides = mapping(request.get("overrides")).get("containerOverrides")
    for i, override in entries(overrides):
        name = text(override.get("name"))
        if name is not None and name not in names:
            yield (
                ("overrides", "containerOverrides", i, "name"),
                (
                    f"the task definition has no container '{clip(name)}' to override"
                    f"{did_you_mean(name, names)}"
                ),
            )


# "Network Configuration must be provided when networkMode 'awsvpc' is specified."
# (PasseiDireto/gh-runner-task-action#8, metaps/genova#122)
@cross_rule("awsvpc-network-configuration", CREATE, RUN)
def _needs_network(request: Mapping[str, Any], task_definition: Mapping[str, Any]) -> Found:
    if network_mode(task_definition) == "awsvpc" and request.get("networkConfiguration") is None:
        yield (
            ("networkConfiguration",),
            (
                "the task definition uses networkMode awsvpc, so set networkConfiguration "
                "(awsvpcConfiguration with subnets)"
            ),
        )


# "Network Configuration is not valid for the given networkMode of this task definition."
# (muya/amazon-ecs-run-task#7)
@cross_rule("network-configuration-mode", CREATE, UPDATE, RUN)
def _no_network(request: Mapping[str, Any], task_definition: Mapping[str, Any]) -> Found:
    mode = network_mode(task_definition)
    if mode != "awsvpc" and request.get("networkConfiguration") is not None:
        yield (
            ("networkConfiguration",),
            (
                f"networkConfiguration is only for networkMode awsvpc, and the task definition "
                f"uses {mode}; remove it or switch the task definition to awsvpc"
            ),
        )


# "Task definition does not support launch_type FARGATE." (sil-org/ecs-deploy#129, #134)
# Fargate needs awsvpc and a task-level cpu and memory (model docs of
# RegisterTaskDefinitionRequest); only a definition that lacks them is refused here.
@cross_rule("fargate-launch-task-definition", CREATE, RUN)
def _fargate_launch(request: Mapping[str, Any], task_definition: Mapping[str, Any]) -> Found:
    if request.get("launchType") != "FARGATE" or fargate(task_definition):
        return  # a FARGATE-compatible definition has its own rules at registration
    missing = [f for f in ("cpu", "memory") if task_definition.get(f) is None]
    if network_mode(task_definition) != "awsvpc" or missing:
        yield (
            ("launchType",),
            (
                "the task definition cannot run on Fargate (it needs networkMode awsvpc and a "
                "task-level cpu and memory); add requiresCompatibilities: [FARGATE] to it and fix "
                "what that reports"
            ),
        )
