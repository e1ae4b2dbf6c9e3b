"""Parsing the `ecsync/` annotations into typed switches."""

from __future__ import annotations

import pytest

from controller.core.kinds import Kind
from controller.core.resources import Annotations
from controller.manifests.switches import parse


def test_no_annotations_give_the_defaults() -> None:
    """Without annotations a resource is prunable, wave 0, not adopted, and no hook."""
    assert parse(Kind.SERVICE, {}) == (Annotations(), [])


def test_every_switch_is_parsed() -> None:
    """ignore, prune, wave, adopt and hook all land in their typed fields."""
    annotations, errors = parse(
        Kind.TASK,
        {
            "ecsync/ignore": "/desiredCount, /tags/a~1b",
            "ecsync/prune": "false",
            "ecsync/wave": "-3",
            "ecsync/adopt": "true",
            "ecsync/hook": "pre-sync",
        },
    )
    assert errors == []
    assert annotations == Annotations(
        ignore=("/desiredCount", "/tags/a~1b"), prune=False, wave=-3, hook="pre-sync", adopt=True
    )


def test_annotations_outside_the_ecsync_prefix_are_ignored() -> None:
    """Users' own annotations (other prefixes) are accepted and do nothing."""
    assert parse(Kind.CLUSTER, {"example.com/owner": "me", "note": "x"}) == (Annotations(), [])


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("ecsync/prune", "no", 'must be "true" or "false", not "no"'),
        ("ecsync/adopt", "True", 'must be "true" or "false", not "True"'),
        ("ecsync/wave", "1.5", 'must be an integer like "-1" or "2", not "1.5"'),
        ("ecsync/ignore", "/a,desiredCount", "'desiredCount' is not a JSON pointer"),
        ("ecsync/ignore", "/a~2", "'/a~2' is not a JSON pointer"),
        (
            "ecsync/hook",
            "postsync",
            'the hooks are "pre-sync", "post-sync" or "sync-fail", not "postsync"; '
            "did you mean 'post-sync'?",
        ),
        ("ecsync/adoptt", "true", "did you mean 'ecsync/adopt'?"),
        ("ecsync/hook-for", "web,prod/", "'prod/' is not a service"),
    ],
)
def test_invalid_values_are_errors_naming_the_valid_form(
    key: str, value: str, fragment: str
) -> None:
    """Each malformed switch is an error for its key, saying what is allowed."""
    _, errors = parse(Kind.TASK, {key: value})
    assert len(errors) == 1
    assert errors[0][0] == key
    assert fragment in errors[0][1]


def test_a_bad_prune_value_never_disables_protection_silently() -> None:
    """`ecsync/prune: "flase"` is an error; it is not read as either value."""
    _, errors = parse(Kind.SERVICE, {"ecsync/prune": "flase"})
    assert errors


@pytest.mark.parametrize("phase", ["pre-sync", "post-sync", "sync-fail"])
def test_each_hook_phase_is_accepted_on_a_task(phase: str) -> None:
    """`ecsync/hook` takes pre-sync, post-sync and sync-fail, with hook-for beside them."""
    annotations, errors = parse(Kind.TASK, {"ecsync/hook": phase, "ecsync/hook-for": "web"})
    assert errors == []
    assert (annotations.hook, annotations.hook_for) == (phase, ("web",))


def test_hook_is_only_for_tasks() -> None:
    """`ecsync/hook: pre-sync` on a Service is an error that names the kind that takes it."""
    _, errors = parse(Kind.SERVICE, {"ecsync/hook": "pre-sync"})
    assert errors == [
        ("ecsync/hook", "hooks run one-off tasks: only kind Task takes ecsync/hook, not Service")
    ]


def test_hook_for_lists_the_services_a_hook_holds() -> None:
    """`ecsync/hook-for` takes service names, alone or after their cluster, around blanks."""
    annotations, errors = parse(
        Kind.TASK, {"ecsync/hook": "pre-sync", "ecsync/hook-for": "web, prod/worker"}
    )
    assert errors == []
    assert annotations.hook_for == ("web", "prod/worker")


def test_hook_for_needs_a_hook_on_a_task() -> None:
    """hook-for without `ecsync/hook`, or on another kind, is an error that says what to add."""
    _, errors = parse(Kind.TASK, {"ecsync/hook-for": "web"})
    assert errors == [
        (
            "ecsync/hook-for",
            'names the services a hook is for; add ecsync/hook: "pre-sync", "post-sync" '
            'or "sync-fail"',
        )
    ]
    _, errors = parse(Kind.SERVICE, {"ecsync/hook-for": "web"})
    assert errors[0][1].startswith("hooks run one-off tasks: only kind Task takes ecsync/hook-for")
