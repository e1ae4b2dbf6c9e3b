"""What CreateService, UpdateService and RunTask refuse that botocore's model does not say.

The capacity provider strategy rules also hold for a cluster's default
strategy (CreateCluster). Each rule names its source: the AWS error text as
public reports quote it, or botocore's ECS model documentation of the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from controller.manifests.refusals.base import Found, entries, mapping, number, rule, text
from controller.manifests.refusals.taskdefs import ECS_NAME

CREATE, UPDATE, RUN = "CreateService", "UpdateService", "RunTask"
SERVICE_CALLS = (CREATE, UPDATE)
STRATEGY_CALLS = ("CreateCluster", CREATE, UPDATE, RUN)
STRATEGIES = ("capacityProviderStrategy", "defaultCapacityProviderStrategy")
STARTED_BY = re.compile(r"[A-Za-z0-9_/-]{1,128}")
INT32 = 2**31 - 1


# Model docs of CreateServiceRequest.serviceName: up to 255 letters, numbers, - and _.
@rule("service-name", CREATE)
def _service_name(request: Mapping[str, Any]) -> Found:
    name = request.get("serviceName")
    if isinstance(name, str) and not ECS_NAME.fullmatch(name):
        yield ("serviceName",), "a service name is 1-255 letters, digits, hyphens and underscores"


# A negative count is refused with a 400 ClientException/InvalidParameterException
# (floci-io/floci#1382 and faiscadev/fakecloud#2253, emulators fixed to match AWS).
@rule("desired-count-range", *SERVICE_CALLS)
def _desired_count(request: Mapping[str, Any]) -> Found:
    count = number(request.get("desiredCount"))
    if count is not None and count < 0:
        yield ("desiredCount",), f"desiredCount cannot be negative ({count}); use 0 or more"


# Model docs of healthCheckGracePeriodSeconds: a period of seconds, 0 by default; ECS stores
# it as a 32-bit integer.
@rule("grace-period-range", *SERVICE_CALLS)
def _grace_period(request: Mapping[str, Any]) -> Found:
    seconds = number(request.get("healthCheckGracePeriodSeconds"))
    if seconds is not None and not 0 <= seconds <= INT32:
        yield (
            ("healthCheckGracePeriodSeconds",),
            (f"healthCheckGracePeriodSeconds must be 0 to {INT32} seconds, not {seconds}"),
        )


# Model docs of launchType: "If a launchType is specified, the capacityProviderStrategy
# parameter must be omitted."
@rule("launch-type-with-strategy", CREATE, RUN)
def _launch_type(request: Mapping[str, Any]) -> Found:
    if request.get("launchType") is not None and request.get("capacityProviderStrategy"):
        yield (
            ("launchType",),
            (
                "launchType and capacityProviderStrategy cannot both be set (AWS rejects it); "
                "remove one"
            ),
        )


def _daemon(request: Mapping[str, Any]) -> bool:
    return request.get("schedulingStrategy") == "DAEMON"


# "The daemon scheduling strategy does not support a desired count for services."
# (kayac/ecspresso#20)
@rule("daemon-desired-count", CREATE)
def _daemon_count(request: Mapping[str, Any]) -> Found:
    if _daemon(request) and request.get("desiredCount") is not None:
        yield (
            ("desiredCount",),
            ("a DAEMON service runs one task per instance and takes no desiredCount; remove it"),
        )


# Model docs of schedulingStrategy: "Tasks using the Fargate launch type ... don't support
# the DAEMON scheduling strategy."
@rule("daemon-fargate", CREATE)
def _daemon_fargate(request: Mapping[str, Any]) -> Found:
    if not _daemon(request):
        return
    providers = [
        text(item.get("capacityProvider"))
        for _, item in entries(request.get("capacityProviderStrategy"))
    ]
    if request.get("launchType") == "FARGATE" or {"FARGATE", "FARGATE_SPOT"} & set(providers):
        yield ("schedulingStrategy",), "Fargate does not run DAEMON services; use REPLICA or EC2"


# Model docs of placementConstraints / placementStrategy: at most 10 constraints per task,
# at most 5 strategy rules per service.
@rule("placement-constraints-max", "RegisterTaskDefinition", *SERVICE_CALLS, RUN)
def _constraints(request: Mapping[str, Any]) -> Found:
    value = request.get("placementConstraints")
    if isinstance(value, list) and len(value) > 10:
        yield ("placementConstraints",), f"at most 10 placement constraints, not {len(value)}"


@rule("placement-strategy-max", *SERVICE_CALLS, RUN)
def _strategy(request: Mapping[str, Any]) -> Found:
    value = request.get("placementStrategy")
    if isinstance(value, list) and len(value) > 5:
        yield ("placementStrategy",), f"at most 5 placement strategy rules, not {len(value)}"


def _strategies(request: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    return [(key, v) for key in STRATEGIES if isinstance(v := request.get(key), list)]


# Model docs of CapacityProviderStrategyItem.base: "Only one capacity provider in a capacity
# provider strategy can have a base defined."
@rule("strategy-single-base", *STRATEGY_CALLS)
def _single_base(request: Mapping[str, Any]) -> Found:
    for key, strategy in _strategies(request):
        based = [i for i, item in entries(strategy) if (number(item.get("base")) or 0) > 0]
        for i in based[1:]:
            yield (key, i, "base"), "only one capacity provider in a strategy may have a base"


# Model docs of CapacityProviderStrategyItem.weight: with several providers, at least one
# must have a weight above zero (the default is 0).
@rule("strategy-weight", *STRATEGY_CALLS)
def _weight(request: Mapping[str, Any]) -> Found:
    for key, strategy in _strategies(request):
        items = list(entries(strategy))
        if len(items) > 1 and all((number(item.get("weight")) or 0) == 0 for _, item in items):
            yield (key,), "with several capacity providers, give at least one a weight above 0"


# Model docs of capacityProviderStrategy: at most 20 capacity providers.
@rule("strategy-size", *STRATEGY_CALLS)
def _strategy_size(request: Mapping[str, Any]) -> Found:
    for key, strategy in _strategies(request):
        if len(strategy) > 20:
            yield (key,), f"a strategy holds at most 20 capacity providers, not {len(strategy)}"


# Model docs of loadBalancers: an ALB/NLB entry has the target group ARN, the container
# name and the container port; a Classic one has the load balancer name instead of the ARN.
@rule("load-balancer-container", *SERVICE_CALLS)
def _balancer_container(request: Mapping[str, Any]) -> Found:
    for i, balancer in entries(request.get("loadBalancers")):
        for field in ("containerName", "containerPort"):
            if balancer.get(field) is None:
                yield (
                    ("loadBalancers", i),
                    (
                        f"a load balancer entry needs {field}: the container (and port) that "
                        "receives its traffic"
                    ),
                )


@rule("load-balancer-target", *SERVICE_CALLS)
def _balancer_target(request: Mapping[str, Any]) -> Found:
    for i, balancer in entries(request.get("loadBalancers")):
        given = [f for f in ("targetGroupArn", "loadBalancerName") if balancer.get(f)]
        if len(given) != 1:
            yield (
                ("loadBalancers", i),
                (
                    "a load balancer entry takes targetGroupArn (ALB, NLB) or loadBalancerName "
                    "(Classic), exactly one of them"
                ),
            )


def _awsvpc(request: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(mapping(request.get("networkConfiguration")).get("awsvpcConfiguration"))


# Model docs of AwsVpcConfiguration: a limit of 16 subnets and of 5 security groups.
@rule("network-subnets", *SERVICE_CALLS, RUN)
def _subnets(request: Mapping[str, Any]) -> Found:
    subnets = _awsvpc(request).get("subnets")
    if isinstance(subnets, list) and not 1 <= len(subnets) <= 16:
        path = ("networkConfiguration", "awsvpcConfiguration", "subnets")
        yield path, f"awsvpcConfiguration takes 1 to 16 subnets, not {len(subnets)}"


@rule("network-security-groups", *SERVICE_CALLS, RUN)
def _security_groups(request: Mapping[str, Any]) -> Found:
    groups = _awsvpc(request).get("securityGroups")
    if isinstance(groups, list) and len(groups) > 5:
        path = ("networkConfiguration", "awsvpcConfiguration", "securityGroups")
        yield path, f"awsvpcConfiguration takes at most 5 security groups, not {len(groups)}"


# Model docs of DeploymentConfiguration.maximumPercent / minimumHealthyPercent: no custom
# value for CODE_DEPLOY or EXTERNAL deployments whose tasks use the EC2 launch type.
@rule("deployment-percent-custom", CREATE)
def _percent(request: Mapping[str, Any]) -> Found:
    controller = mapping(request.get("deploymentController")).get("type")
    if controller not in ("CODE_DEPLOY", "EXTERNAL") or request.get("launchType") != "EC2":
        return
    configuration = mapping(request.get("deploymentConfiguration"))
    for field in ("maximumPercent", "minimumHealthyPercent"):
        if configuration.get(field) is not None:
            yield (
                ("deploymentConfiguration", field),
                (f"a {controller} deployment on EC2 takes no custom {field}; remove it"),
            )


# Model docs of RunTaskRequest.count: up to 10 tasks for each call.
@rule("run-task-count", RUN)
def _count(request: Mapping[str, Any]) -> Found:
    count = number(request.get("count"))
    if count is not None and not 1 <= count <= 10:
        yield ("count",), f"RunTask starts 1 to 10 tasks per call, not {count}"


# Model docs of RunTaskRequest.startedBy: up to 128 letters, numbers, -, / and _.
@rule("started-by", RUN)
def _started_by(request: Mapping[str, Any]) -> Found:
    value = request.get("startedBy")
    if isinstance(value, str) and not STARTED_BY.fullmatch(value):
        yield ("startedBy",), "startedBy is 1-128 letters, digits, '-', '/' and '_'"


# Model docs of RunTaskRequest.overrides: 8192 characters in all, JSON formatting included.
@rule("run-task-overrides-size", RUN)
def _overrides_size(request: Mapping[str, Any]) -> Found:
    overrides = request.get("overrides")
    if overrides is None:
        return
    size = len(json.dumps(overrides, separators=(",", ":"), default=str))
    if size > 8192:
        yield ("overrides",), f"overrides are {size} characters of JSON; AWS allows 8192"
