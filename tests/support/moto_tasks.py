"""Test double: one-off tasks that fail.

moto's containers always stop with exit code 0, so a failing database
migration cannot happen there. With `make_failing_tasks_possible()`, a task
whose container command (in the task definition or in RunTask's overrides)
contains the word `fail` stops with exit code 1, as a failed migration would.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ecs.models import Task

_MARK = "__ecsync_test_failing_tasks__"


def make_failing_tasks_possible() -> None:
    original = Task.__init__
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        definition = args[1] if len(args) > 1 else kwargs["task_definition"]
        commands = [c.get("command") or [] for c in definition.container_definitions]
        overrides = (self.overrides or {}).get("containerOverrides") or []
        commands += [o.get("command") or [] for o in overrides]
        if any("fail" in " ".join(command) for command in commands):
            for container in self.containers:
                container.exitCode = 1

    setattr(init, _MARK, True)
    Task.__init__ = init  # type: ignore[method-assign]
