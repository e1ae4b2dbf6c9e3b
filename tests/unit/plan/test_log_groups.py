"""LogGroup: CloudWatch Logs defaults, task definitions ordered after their log groups,
an unchangeable class, and prune that spares a group a task definition logs to."""

from __future__ import annotations

from typing import Any

from controller.aws import loggroups
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, Desired, Live
from controller.diff.normalise import normalise
from controller.plan import references
from controller.plan.actions import ActionType
from controller.plan.planner import PlanOptions, build_plan

GROUP = ResourceId(Kind.LOG_GROUP, "/ecs/web")
OWNED = {OWNER_TAG: "ecsync"}


def awslogs(group: str, driver: str = "awslogs") -> dict[str, Any]:
    return {"logDriver": driver, "options": {"awslogs-group": group, "awslogs-region": "eu-west-1"}}


def taskdef(*configs: dict[str, Any]) -> Desired:
    containers = [
        {"name": f"c{i}", "image": "nginx:1", "memory": 128, "logConfiguration": config}
        for i, config in enumerate(configs)
    ]
    return Desired(ResourceId(Kind.TASK_DEFINITION, "web"), {"containerDefinitions": containers})


def live_group(**spec: Any) -> Live:
    return Live(
        GROUP, "arn:aws:logs:eu-west-1:1:log-group:/ecs/web", {"tags": OWNED, **spec}, "ecsync"
    )


def test_a_log_group_gets_cloudwatch_logs_defaults() -> None:
    """Class STANDARD and deletion protection off are what an unset spec means."""
    assert normalise(Kind.LOG_GROUP, {"retentionInDays": 7}) == {
        "retentionInDays": 7,
        "logGroupClass": "STANDARD",
        "deletionProtectionEnabled": False,
    }


def test_the_log_groups_of_a_task_definition_are_its_awslogs_groups() -> None:
    """Only `awslogs` drivers count, each group once, in container order."""
    spec = taskdef(awslogs("/ecs/web"), awslogs("/ecs/side"), awslogs("/ecs/web"))
    spec.spec["containerDefinitions"].append(
        {"name": "x", "logConfiguration": awslogs("/f", "fluentd")}
    )
    assert references.log_groups(spec.spec) == ["/ecs/web", "/ecs/side"]


def test_a_task_definition_is_registered_after_its_log_group() -> None:
    """The REGISTER depends on the LogGroup, which sorts before it."""
    plan = build_plan(
        [taskdef(awslogs("/ecs/web")), Desired(GROUP, {"retentionInDays": 30})], {}, PlanOptions()
    )
    kinds = [a.id.kind for a in plan.actions]
    assert kinds == [Kind.LOG_GROUP, Kind.TASK_DEFINITION]
    register = plan.actions[1]
    assert register.type is ActionType.REGISTER
    assert GROUP in register.depends_on


def test_a_log_group_is_created_with_the_ownership_tag() -> None:
    """A new group's create carries the user's tags and ecsync's."""
    plan = build_plan([Desired(GROUP, {"tags": {"team": "web"}})], {}, PlanOptions())
    (action,) = plan.actions
    assert action.type is ActionType.CREATE
    assert action.spec["tags"] == {"team": "web", **OWNED}


def test_changing_the_class_of_a_log_group_is_a_problem_not_a_replace() -> None:
    """logGroupClass cannot change after creation; the group (and its events) stays."""
    plan = build_plan(
        [Desired(GROUP, {"logGroupClass": "INFREQUENT_ACCESS"})],
        {GROUP: live_group()},
        PlanOptions(),
    )
    assert plan.actions == ()
    (problem,) = plan.problems
    assert "logGroupClass cannot change" in problem.message


def test_retention_drift_is_an_update_of_that_field_only() -> None:
    """A retention set by hand is put back; nothing else is written."""
    plan = build_plan(
        [Desired(GROUP, {"retentionInDays": 30})],
        {GROUP: live_group(retentionInDays=7, logGroupClass="STANDARD")},
        PlanOptions(),
    )
    (action,) = plan.actions
    assert action.type is ActionType.UPDATE
    assert action.fields == {"retentionInDays"}


def test_prune_spares_an_owned_log_group_a_task_definition_still_logs_to() -> None:
    """A group no LogGroup manifest names, but a desired task definition logs to, is kept."""
    other = ResourceId(Kind.LOG_GROUP, "/ecs/gone")
    live = {
        GROUP: live_group(),
        other: Live(
            other, "arn:aws:logs:eu-west-1:1:log-group:/ecs/gone", {"tags": OWNED}, "ecsync"
        ),
    }
    plan = build_plan(
        [taskdef(awslogs("/ecs/web"))], live, PlanOptions(prune=True, prune_max_share=1.0)
    )
    deleted = [a.id for a in plan.actions if a.type is ActionType.DELETE]
    assert deleted == [other]


def test_a_described_log_group_becomes_live_state() -> None:
    """The tagging ARN (without ":*") is the resource's ARN; runtime numbers go to status."""
    live = loggroups.parse_log_group(
        {
            "logGroupName": "/ecs/web",
            "arn": "arn:aws:logs:eu-west-1:1:log-group:/ecs/web:*",
            "creationTime": 1,
            "storedBytes": 10,
            "retentionInDays": 14,
            "metricFilterCount": 0,
        },
        {"team": "web", "aws:cloudformation:stack-name": "s", **OWNED},
    )
    assert live.id == GROUP
    assert live.arn == "arn:aws:logs:eu-west-1:1:log-group:/ecs/web"
    assert live.spec == {"retentionInDays": 14, "tags": {"team": "web", **OWNED}}
    assert live.owner == "ecsync"
    assert live.status["storedBytes"] == 10
