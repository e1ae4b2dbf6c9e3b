"""Service deployment reads against the local AWS: the write names its deployment, the record
and its revisions read back, and the list finds what a write started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import ecsync_local as local
from controller.aws import deployments, services
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG
from controller.core.service_state import DeploymentStatus
from tests.support import arrange

WEB = ResourceId(Kind.SERVICE, "web", "prod")
WRITER = services.ServiceWriter()


def spec(ecs: Any, sandbox: local.Sandbox) -> dict[str, Any]:
    ecs.create_cluster(clusterName="prod")
    return {
        "cluster": "prod",
        "taskDefinition": arrange.register(ecs, "web", fargate=True),
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": list(sandbox.subnet_ids),
                "securityGroups": [sandbox.security_group_id],
            }
        },
        "tags": {OWNER_TAG: "ecsync"},
    }


def test_a_service_update_names_the_deployment_it_started(
    aws: Aws, ecs: Any, sandbox: local.Sandbox
) -> None:
    """CreateService and an UpdateService with a new task definition each answer with a new
    deployment, the one DescribeServices then names; its record reads back SUCCESSFUL with
    the new revision's task definition, and an update of tags only starts none."""
    desired = spec(ecs, sandbox)
    created = WRITER.create_deploying(aws, WEB, desired)
    live = services.read_services(aws, {"prod": frozenset({"web"})})[WEB]
    second = arrange.register(ecs, "web", image="nginx:1.28", fargate=True)
    updated = WRITER.update_deploying(
        aws, WEB, {**desired, "taskDefinition": second}, live, frozenset({"taskDefinition"})
    )
    assert created.deployment is not None
    assert updated.deployment is not None
    assert updated.deployment != created.deployment
    state = services.state_of(services.read_services(aws, {"prod": frozenset({"web"})})[WEB])
    assert state is not None
    assert state.current_deployment == updated.deployment

    records = deployments.describe_deployments(aws, [created.deployment, updated.deployment])
    record = records[updated.deployment]
    assert record.status is DeploymentStatus.SUCCESSFUL
    assert record.target_revision is not None
    revisions = deployments.describe_revisions(aws, [record.target_revision])
    assert revisions[record.target_revision].task_definition == second

    tags_only = WRITER.update_deploying(
        aws,
        WEB,
        {**desired, "tags": {OWNER_TAG: "ecsync", "team": "web"}},
        live,
        frozenset({"tags"}),
    )
    assert tags_only.deployment is None


def test_the_list_finds_the_newest_deployment_after_a_write(
    aws: Aws, ecs: Any, sandbox: local.Sandbox
) -> None:
    """ListServiceDeployments filtered on creation time gives the deployment the update
    started, not the create's, which is excluded."""
    desired = spec(ecs, sandbox)
    created = WRITER.create_deploying(aws, WEB, desired)
    live = services.read_services(aws, {"prod": frozenset({"web"})})[WEB]
    before = datetime.now(UTC) - timedelta(minutes=5)
    second = arrange.register(ecs, "web", image="nginx:1.28", fargate=True)
    updated = WRITER.update_deploying(
        aws, WEB, {**desired, "taskDefinition": second}, live, frozenset({"taskDefinition"})
    )
    found = deployments.newest_created_after(
        aws, "prod", "web", before, excluding=created.deployment
    )
    assert found == updated.deployment


def test_an_unknown_deployment_is_left_out(aws: Aws, ecs: Any, sandbox: local.Sandbox) -> None:
    """An ARN ECS does not know (answered in `failures`) gives no record, and no error."""
    created = WRITER.create_deploying(aws, WEB, spec(ecs, sandbox))
    assert created.deployment is not None
    unknown = created.deployment.rsplit("/", 1)[0] + "/nosuchdeployment"
    assert set(deployments.describe_deployments(aws, [created.deployment, unknown])) == {
        created.deployment
    }
