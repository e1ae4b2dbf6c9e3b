"""LogGroup, Schedule, ScalableTarget and ScalingPolicy documents load like the ECS kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.manifests.loader import load
from controller.manifests.specs import SPEC_MODELS
from tests.unit.manifests.conftest import Write

LOG_GROUP = """\
apiVersion: ecsync/v1
kind: LogGroup
metadata: {name: /ecs/web}
spec:
  retentionInDays: 30
  tags: {team: web}
"""

SCHEDULE = """\
apiVersion: ecsync/v1
kind: Schedule
metadata: {name: nightly-report}
spec:
  ScheduleExpression: cron(0 3 * * ? *)
  FlexibleTimeWindow: {Mode: "OFF"}
  Target:
    Arn: prod
    RoleArn: arn:aws:iam::123456789012:role/scheduler
    EcsParameters: {TaskDefinitionArn: report, LaunchType: FARGATE}
"""

REPORT = """\
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: report}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions: [{name: report, image: "report:1"}]
"""

SCALING = """\
apiVersion: ecsync/v1
kind: ScalableTarget
metadata: {name: prod/web}
spec: {MinCapacity: 1, MaxCapacity: 4, tags: {team: web}}
---
apiVersion: ecsync/v1
kind: ScalingPolicy
metadata: {name: prod/web/cpu 60%}
spec:
  PolicyType: TargetTrackingScaling
  TargetTrackingScalingPolicyConfiguration:
    TargetValue: 60.0
    PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
"""


def test_the_new_kinds_load_with_their_aws_names(root: Path, write: Write) -> None:
    """Each new kind loads under its own name rule, with the spec exactly as written."""
    write("logs.yaml", LOG_GROUP)
    write("schedule.yaml", SCHEDULE)
    write("scaling.yaml", SCALING)
    write("report.yaml", REPORT)
    result = load(root)

    assert result.errors == ()
    by_id = {d.id: d.spec for d in result.resources}
    assert by_id[ResourceId(Kind.LOG_GROUP, "/ecs/web")] == {
        "retentionInDays": 30,
        "tags": {"team": "web"},
    }
    schedule = by_id[ResourceId(Kind.SCHEDULE, "nightly-report")]
    assert schedule["Target"]["EcsParameters"]["TaskDefinitionArn"] == "report"
    assert ResourceId(Kind.SCALABLE_TARGET, "prod/web") in by_id
    assert ResourceId(Kind.SCALING_POLICY, "prod/web/cpu 60%") in by_id


@pytest.mark.parametrize(
    ("kind", "name", "rule"),
    [
        ("LogGroup", "/ecs/web app", "1-512 letters, digits and '.', '-', '_', '/' or '#'"),
        ("Schedule", "nightly/report", "1-64 letters, digits and '.', '-' or '_'"),
        ("Schedule", "x" * 65, "1-64 letters"),
        ("ScalableTarget", "web", "'<cluster>/<service>'"),
        ("ScalingPolicy", "prod/web", "'<cluster>/<service>/<PolicyName>'"),
        ("Service", "/ecs/web", "1-255 letters, digits, hyphens and underscores"),
    ],
)
def test_a_name_aws_refuses_is_an_error_that_gives_the_rule(
    write: Write, kind: str, name: str, rule: str
) -> None:
    """A name outside the kind's AWS rule is refused at metadata.name, saying the rule."""
    path = write("bad.yaml", f"apiVersion: ecsync/v1\nkind: {kind}\nmetadata: {{name: '{name}'}}\n")
    (error,) = [e for e in load(path.parent).errors if e.path == "metadata.name"]
    assert f"is not a valid {kind} name" in error.message
    assert rule in error.message


def test_a_schedule_without_its_required_fields_says_which() -> None:
    """CreateSchedule's required members (botocore) are required in the spec."""
    required = {
        f.alias or n for n, f in SPEC_MODELS[Kind.SCHEDULE].model_fields.items() if f.is_required()
    }
    assert required == {"ScheduleExpression", "Target", "FlexibleTimeWindow"}


def test_a_schedule_names_its_cluster_and_family_or_gives_arns(root: Path, write: Write) -> None:
    """A family not in the manifests is an error; a cluster not in them only warns."""
    write("schedule.yaml", SCHEDULE)
    result = load(root)

    (error,) = result.errors
    assert error.path == "spec.Target.EcsParameters.TaskDefinitionArn"
    assert "no TaskDefinition 'report' in the manifests" in error.message
    assert "give the task definition's ARN" in error.message
    (warning,) = result.warnings
    assert warning.path == "spec.Target.Arn"
    assert "cluster 'prod' is not in the manifests" in warning.message


def test_a_name_in_target_arn_needs_an_ecs_target(root: Path, write: Write) -> None:
    """Without EcsParameters, Target.Arn must be an ARN (a queue, a function...)."""
    text = SCHEDULE.replace(
        "    EcsParameters: {TaskDefinitionArn: report, LaunchType: FARGATE}\n", ""
    )
    write("schedule.yaml", text)
    (error,) = load(root).errors
    assert error.path == "spec.Target.Arn"
    assert "'prod' is not an ARN" in error.message
