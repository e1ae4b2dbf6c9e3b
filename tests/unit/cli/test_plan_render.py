"""Plan rendering: deregistrations and a blocked prune, as text and as JSON."""

from __future__ import annotations

import json

from controller.cli import render
from controller.core.kinds import Kind, ResourceId
from controller.plan.actions import Action, ActionType, Plan, Problem, PruneBlocked

OLD = ResourceId(Kind.TASK_DEFINITION, "web:3")
GONE = ResourceId(Kind.SERVICE, "web", "prod")
BLOCKED = PruneBlocked(would_delete=(GONE,), owned=2, max_share=0.3, empty_desired=False)


def deregister_plan() -> Plan:
    action = Action(
        ActionType.DEREGISTER,
        OLD,
        spec={"taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:3"},
        reason="older than the 5 newest revisions ecsync registered",
    )
    return Plan(actions=(action,))


def test_a_deregistration_renders_as_a_removal_line_and_in_the_summary() -> None:
    """Text shows `- deregister TaskDefinition/web:3 (reason)` and counts it in the summary."""
    text = render.plan_text(deregister_plan())

    assert text.splitlines() == [
        "- deregister TaskDefinition/web:3  (older than the 5 newest revisions ecsync registered)",
        "Plan: 1 to deregister; 0 problem(s); 0 in sync.",
    ]


def test_a_deregistration_in_json_names_the_revision() -> None:
    """JSON carries `action: deregister` with the `family:revision` as the name."""
    doc = json.loads(render.plan_json(deregister_plan()))

    assert doc["summary"]["deregister"] == 1
    assert doc["actions"] == [
        {
            "action": "deregister",
            "kind": "TaskDefinition",
            "name": "web:3",
            "changes": [],
            "reason": "older than the 5 newest revisions ecsync registered",
        }
    ]


def test_a_blocked_prune_shows_the_problem_the_note_and_the_json_block() -> None:
    """A blocked prune prints each held-back resource and the note; JSON has `prune_blocked`."""
    plan = Plan(
        problems=(Problem(GONE, "not deleted: prune is blocked"),),
        notes=(BLOCKED.message(),),
        prune_blocked=BLOCKED,
    )

    text = render.plan_text(plan)
    doc = json.loads(render.plan_json(plan))

    assert "! Service/prod/web: not deleted: prune is blocked" in text
    assert "note: prune blocked: it would delete 1 of the 2 resources" in text
    assert "(50%, more than --prune-max-share 0.3)" in text
    assert doc["prune_blocked"]["resources"] == ["Service/prod/web"]
    assert doc["notes"] == [BLOCKED.message()]
