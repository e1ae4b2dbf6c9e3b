"""Plans and validation results as text for people and JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from controller.apply.outcomes import Result
from controller.core import redact
from controller.plan.actions import ActionType, Plan

_SYMBOL = {
    ActionType.CREATE: "+",
    ActionType.UPDATE: "~",
    ActionType.REGISTER: "+",
    ActionType.REPLACE: "-/+",
    ActionType.DELETE: "-",
    ActionType.DEREGISTER: "-",
    ActionType.RUN: ">",
}


def plan_text(plan: Plan) -> str:
    lines: list[str] = []
    for action in plan.actions:
        header = f"{_SYMBOL[action.type]} {action.type} {action.id}"
        if action.reason:
            header += f"  ({action.reason})"
        lines.append(header)
        for change in action.changes:
            lines.append(f"    {change.path}: {_show(change.live)} -> {_show(change.desired)}")
    for problem in plan.problems:
        lines.append(f"! {problem.id}: {problem.message}")
        for change in problem.changes:
            lines.append(f"    {change.path}: {_show(change.live)} -> {_show(change.desired)}")
    lines.extend(f"note: {note}" for note in plan.notes)
    counts = plan.to_dict()["summary"]
    summary = ", ".join(
        f"{n} to {k}" for k, n in counts.items() if k not in ("problems", "in_sync")
    )
    lines.append(
        f"Plan: {summary or 'no changes'}; {counts['problems']} problem(s); "
        f"{counts['in_sync']} in sync."
    )
    return redact.scrub("\n".join(lines))


def plan_json(plan: Plan) -> str:
    """Changes come redacted already; anything shaped like a credential is hidden too."""
    return json.dumps(redact.redact(plan.to_dict()), indent=2, sort_keys=False, default=str)


def results_text(results: list[Result]) -> str:
    failed = [r for r in results if r.outcome.failed]
    lines = [f"{r.outcome} {r.id}" + (f": {r.error}" if r.error else "") for r in results]
    lines.append(f"Apply: {len(results) - len(failed)} done, {len(failed)} failed.")
    return redact.scrub("\n".join(lines))


def _show(value: Any) -> str:
    if value is None:
        return "(absent)"
    return json.dumps(value, sort_keys=True, default=str)
