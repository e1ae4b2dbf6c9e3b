"""Requests AWS refuses are refused here too, by the same rules as `ecsync validate`.

`controller.manifests.refusals` holds what ECS and ECR refuse at apply time
(botocore's model constraints and hand-written rules, each with its AWS
source). Here each create handler runs `check` on the request exactly as it
arrived, and the service and task handlers also run `check_against` with the
task definition they would run, before moto sees anything. A refused request
answers as AWS answers: HTTP 400 with the operation's error code and the rule
in the message. moto itself accepts nearly all of these (MOTO-NOTES.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.exceptions import ServiceException
from moto.ecr.responses import ECRResponse
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.logs.responses import LogsResponse

from controller.manifests import refusals
from ecsync_local.fixes.patching import Fix, Method, patch

CLIENT, INVALID = "ClientException", "InvalidParameterException"

# handler -> (operation, error code). AWS answers a bad task definition with
# ClientException ("Container.image should not be null or empty.", "Invalid 'cpu'
# setting for task."), and a bad service, task or cluster request with
# InvalidParameterException ("Creation of service was not idempotent.", "Override for
# container named X is not a container in the TaskDefinition."). ECR's model
# violations are InvalidParameterException ("Invalid parameter at 'maxResults' failed
# to satisfy constraint").
ECS_HANDLERS = {
    "create_cluster": ("CreateCluster", INVALID),
    "create_capacity_provider": ("CreateCapacityProvider", CLIENT),
    "register_task_definition": ("RegisterTaskDefinition", CLIENT),
    "create_service": ("CreateService", INVALID),
    "update_service": ("UpdateService", INVALID),
    "run_task": ("RunTask", INVALID),
}
ECR_HANDLERS = {
    "create_repository": ("CreateRepository", INVALID),
    "put_lifecycle_policy": ("PutLifecyclePolicy", INVALID),
    "set_repository_policy": ("SetRepositoryPolicy", INVALID),
}
# CloudWatch Logs answers a bad parameter with InvalidParameterException ("A parameter is
# specified incorrectly", CreateLogGroup and PutRetentionPolicy errors).
LOGS_HANDLERS = {
    "create_log_group": ("CreateLogGroup", INVALID),
    "put_retention_policy": ("PutRetentionPolicy", INVALID),
}
# Application Auto Scaling answers what it refuses with ValidationException (its API
# Reference lists it for each of these operations).
SCALING_HANDLERS = {
    "register_scalable_target": ("RegisterScalableTarget", "ValidationException"),
    "put_scaling_policy": ("PutScalingPolicy", "ValidationException"),
    "put_scheduled_action": ("PutScheduledAction", "ValidationException"),
}
RUNS_A_TASK_DEFINITION = frozenset({"CreateService", "UpdateService", "RunTask"})


class Refused(ServiceException):
    """A 400 with AWS's error code for the operation and the refusals as its message."""

    def __init__(self, code: str, found: list[refusals.Refusal]) -> None:
        # The rule id ends each part, so a refusal here can be looked up in validate's rules.
        parts = (f"{_dotted(r.path)}: {r.message} [{r.rule}]" for r in found)
        super().__init__(code, "; ".join(parts))


def refuse_what_aws_refuses(owner: type, handler: str, operation: str, code: str) -> Fix:
    """A fix checking `handler`'s request before moto sees it."""

    @patch(owner, handler)
    def refuse_like_aws(original: Method) -> Method:
        def checked(self: Any) -> Any:
            request = _request(self)
            found = refusals.check(operation, request)
            if operation in RUNS_A_TASK_DEFINITION:
                task_definition = _task_definition(self, operation, request)
                if task_definition is not None:
                    found += refusals.check_against(operation, request, task_definition)
            if found:
                raise Refused(code, found)
            return original(self)

        return checked

    refuse_like_aws.__doc__ = (
        f"AWS refuses a {operation} request that breaks its rules (HTTP 400, {code}); "
        "moto accepts most of them. The rules are `ecsync validate`'s."
    )
    return refuse_like_aws


FIXES: tuple[Fix, ...] = (
    *(
        refuse_what_aws_refuses(EC2ContainerServiceResponse, handler, operation, code)
        for handler, (operation, code) in ECS_HANDLERS.items()
    ),
    *(
        refuse_what_aws_refuses(ECRResponse, handler, operation, code)
        for handler, (operation, code) in ECR_HANDLERS.items()
    ),
    *(
        refuse_what_aws_refuses(LogsResponse, handler, operation, code)
        for handler, (operation, code) in LOGS_HANDLERS.items()
    ),
    *(
        refuse_what_aws_refuses(ApplicationAutoScalingResponse, handler, operation, code)
        for handler, (operation, code) in SCALING_HANDLERS.items()
    ),
)


def _request(response: Any) -> Mapping[str, Any]:
    """The request's JSON body exactly as the client sent it."""
    try:
        body = json.loads(response.body or "{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _task_definition(
    response: Any, operation: str, request: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The task definition the request would run, in RegisterTaskDefinition's shape, or
    None when there is none to check against (moto then answers as it does)."""
    backend = response.ecs_backend
    reference = request.get("taskDefinition")
    if reference is None and operation == "UpdateService":
        service = _existing_service(backend, request)
        reference = getattr(service, "task_definition", None)
    if not isinstance(reference, str):
        return None
    try:
        found = backend.describe_task_definition(reference)
    except (ServiceException, ValueError, KeyError):  # moto answers these itself
        return None
    return {
        "family": found.family,
        "containerDefinitions": found.container_definitions,
        "networkMode": found.network_mode,
        "requiresCompatibilities": found.requires_compatibilities or [],
        "cpu": found.cpu,
        "memory": found.memory,
        "volumes": found.volumes,
    }


def _existing_service(backend: Any, request: Mapping[str, Any]) -> Any:
    try:
        return backend._get_service(request.get("cluster") or "default", request.get("service"))
    except (ServiceException, KeyError):
        return None


def _dotted(path: tuple[str | int, ...]) -> str:
    """`("containerDefinitions", 0, "image")` as `containerDefinitions[0].image`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text or "request"
