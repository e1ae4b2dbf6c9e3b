"""What ECS lets ecsync change on an existing resource: the one catalogue of field facts.

The planner turns a change of a replace field into a replace; the service writer
refuses to send one to UpdateService. Both read the sets here.

Source: botocore's ECS service model (`ecs/2014-11-13/service-2.json`). CreateService
takes `launchType`, `schedulingStrategy` and `role`; UpdateService has no member for
them, so ECS cannot change them in place. Every other CreateService member except
the name, `clientToken` and `tags` (TagResource changes those) is an UpdateService
member too. `tests/unit/core/test_field_facts.py` checks both sets against the model.
"""

from __future__ import annotations

from controller.core.kinds import Kind

SERVICE_REPLACE_FIELDS = frozenset({"launchType", "schedulingStrategy", "role"})
"""Service fields ECS cannot update in place: the service is replaced."""

SERVICE_UPDATE_FIELDS = frozenset(
    {
        "taskDefinition",
        "desiredCount",
        "capacityProviderStrategy",
        "deploymentConfiguration",
        "networkConfiguration",
        "placementConstraints",
        "placementStrategy",
        "platformVersion",
        "healthCheckGracePeriodSeconds",
        "enableExecuteCommand",
        "enableECSManagedTags",
        "loadBalancers",
        "propagateTags",
        "serviceRegistries",
        "serviceConnectConfiguration",
        "volumeConfigurations",
        "availabilityZoneRebalancing",
        "deploymentController",
        "vpcLatticeConfigurations",
        "monitoring",
        "gatewayConnectors",
    }
)
"""Service fields UpdateService changes in place."""

REPLACE_FIELDS: dict[Kind, frozenset[str]] = {
    Kind.SERVICE: SERVICE_REPLACE_FIELDS,
    # A schedule cannot move between groups: UpdateSchedule finds it by name in the group
    # it is given (EventBridge Scheduler API Reference, UpdateSchedule.GroupName).
    Kind.SCHEDULE: frozenset({"GroupName"}),
}
"""Top-level fields, by kind, that ECS cannot change in place: the resource is replaced."""
