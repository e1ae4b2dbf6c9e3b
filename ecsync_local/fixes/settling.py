"""Simulation, not an AWS fix: services and tasks reach their steady state at once."""

from __future__ import annotations

from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend
from moto.moto_api import state_manager

from ecsync_local.fixes.patching import Method, patch


@patch(EC2ContainerServiceBackend, "update_service")
def _settle_after_update(original: Method) -> Method:
    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        service = original(self, service_properties)
        _settle(service)
        return service

    return update_service


@patch(EC2ContainerServiceBackend, "create_service")
def _settle_after_create(original: Method) -> Method:
    def create_service(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = original(self, *args, **kwargs)
        _settle(service)
        return service

    return create_service


def _settle(service: Any) -> None:
    service.running_count, service.pending_count = service.desired_count, 0
    for deployment in service.deployments[:1]:
        deployment.update(
            runningCount=service.desired_count,
            pendingCount=0,
            desiredCount=service.desired_count,
            taskDefinition=service.task_definition,
            rolloutState="COMPLETED",
            rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
        )


def settle_services() -> None:
    """Every service reaches its steady state at once.

    moto keeps a service's only deployment IN_PROGRESS with no task running
    (MOTO-NOTES.md), so nothing would ever look healthy in `--local`. With
    this, CreateService and UpdateService leave the service as ECS does once
    a rollout has finished: running = desired, the PRIMARY deployment COMPLETED.
    One-off tasks likewise run to completion at once (STOPPED on first look).
    Where a service deployment is recorded (`fixes.deployments`), DescribeServices
    then follows the record instead: the same steady state at the default pace,
    stage by stage with ECSYNC_LOCAL_STAGE_SECONDS, or a failure and its rollback.
    """
    _settle_after_update()
    _settle_after_create()
    state_manager.set_transition(model_name="ecs::task", transition={"progression": "immediate"})
