"""Hooks (pre-sync, post-sync, sync-fail) checked against the services of the manifests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from controller.manifests.loader import load

Write = Callable[[str, str], Path]

SERVICES = """\
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec: {cluster: prod, taskDefinition: web}
---
apiVersion: ecsync/v1
kind: Service
metadata: {name: worker}
spec: {cluster: batch, taskDefinition: "worker:3"}
"""


def hook(task_definition: str, hook_for: str | None = None, phase: str = "pre-sync") -> str:
    extra = f', ecsync/hook-for: "{hook_for}"' if hook_for is not None else ""
    return f"""\
apiVersion: ecsync/v1
kind: Task
metadata:
  name: migrate
  annotations: {{ecsync/hook: {phase}{extra}}}
spec: {{cluster: prod, taskDefinition: "{task_definition}"}}
"""


def hook_problems(root: Path) -> tuple[list[str], list[str]]:
    loaded = load(root)
    errors = [str(e) for e in loaded.errors if "hook" in e.path]
    warnings = [str(w) for w in loaded.warnings if "hook" in w.path]
    return errors, warnings


def test_a_hook_of_a_services_family_needs_nothing_more(write: Write, root: Path) -> None:
    """A hook running the family of a Service holds it: no error, no warning."""
    write("stack.yaml", SERVICES + "---\n" + hook("web:7"))
    assert hook_problems(root) == ([], [])


def test_hook_for_names_that_match_no_service_are_errors(write: Write, root: Path) -> None:
    """A misspelt or wrongly qualified service name in hook-for is an error with a suggestion."""
    write("stack.yaml", SERVICES + "---\n" + hook("migrate", "wrker, batch/worker, prod/worker"))
    errors, warnings = hook_problems(root)
    assert warnings == []
    assert len(errors) == 2
    assert errors[0].startswith("stack.yaml:15:")
    assert "annotations[\"ecsync/hook-for\"]: 'wrker' names no Service" in errors[0]
    assert "did you mean 'worker'?" in errors[0]
    assert "'prod/worker' names no Service" in errors[1]


def test_a_hook_that_holds_no_service_warns(write: Write, root: Path) -> None:
    """A hook of a family no Service runs, without hook-for, warns and says how to name them."""
    write("stack.yaml", SERVICES + "---\n" + hook("migrate:2"))
    errors, warnings = hook_problems(root)
    assert errors == []
    (warning,) = warnings
    assert 'annotations["ecsync/hook"]: this pre-sync hook holds no service' in warning
    assert "family migrate" in warning
    assert 'ecsync/hook-for, like "web" or "prod/web"' in warning


def test_a_post_sync_or_sync_fail_hook_for_no_service_is_an_error(write: Write, root: Path) -> None:
    """A post-sync or sync-fail hook that is for no service would never run: an error that
    says how to name its services."""
    for phase in ("post-sync", "sync-fail"):
        write("stack.yaml", SERVICES + "---\n" + hook("smoke:2", phase=phase))
        errors, warnings = hook_problems(root)
        assert warnings == []
        (error,) = errors
        assert f"this {phase} hook is for no service, so never runs" in error
        assert 'ecsync/hook-for, like "web" or "prod/web"' in error


def test_post_sync_and_sync_fail_hooks_are_checked_like_pre_sync_ones(
    write: Write, root: Path
) -> None:
    """A post-sync hook of a service's family is fine; a sync-fail hook-for typo is an error."""
    write("stack.yaml", SERVICES + "---\n" + hook("web", phase="post-sync"))
    assert hook_problems(root) == ([], [])
    write("stack.yaml", SERVICES + "---\n" + hook("smoke", "wbe", phase="sync-fail"))
    errors, _ = hook_problems(root)
    (error,) = errors
    assert "'wbe' names no Service" in error
    assert "did you mean 'web'?" in error
