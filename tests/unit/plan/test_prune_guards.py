"""Prune guards and revision cleanup, as pure planning: the mass-deletion guard, the
prune=false tag, and which old task definition revisions are deregistered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import CONTENT_HASH_TAG, OWNER_TAG, PRUNE_TAG, Desired, Live
from controller.diff.normalise import normalise
from controller.diff.normalise.task_definition import content_hash
from controller.plan import revisions
from controller.plan.actions import Action, ActionType, Plan
from controller.plan.planner import PlanOptions, build_plan

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition"
TD_SPEC: dict[str, Any] = {
    "containerDefinitions": [{"name": "web", "image": "nginx:1", "memory": 256}]
}
DIGEST = content_hash(normalise(Kind.TASK_DEFINITION, TD_SPEC))
WEB = ResourceId(Kind.TASK_DEFINITION, "web")


def cluster(name: str) -> Desired:
    return Desired(ResourceId(Kind.CLUSTER, name), {})


def live_cluster(name: str, owner: str | None = "ecsync", **tags: str) -> Live:
    all_tags = {**({OWNER_TAG: owner} if owner else {}), **tags}
    return Live(ResourceId(Kind.CLUSTER, name), f"arn:cluster/{name}", {"tags": all_tags}, owner)


def fleet(owned: int, *, others: int = 0) -> dict[ResourceId, Live]:
    """`owned` clusters of this instance (c00, c01, ...) and `others` nobody owns."""
    live = [live_cluster(f"c{i:02d}") for i in range(owned)]
    live += [live_cluster(f"x{i:02d}", owner=None) for i in range(others)]
    return {item.id: item for item in live}


def keeping(live: dict[ResourceId, Live], count: int) -> list[Desired]:
    """Manifests that still name the first `count` clusters of `fleet`."""
    return [cluster(rid.name) for rid in sorted(live)[:count]]


def deleted(plan: Plan) -> list[str]:
    return [a.id.name for a in plan.actions if a.type is ActionType.DELETE]


# -- the mass-deletion guard ---------------------------------------------------


def test_a_prune_above_the_share_deletes_nothing_and_names_counts_and_flag() -> None:
    """Deleting 2 of 4 owned resources (50% > 30%) plans no delete, one problem per resource
    that would have gone, and a note with the counts and `--confirm-prune`."""
    live = fleet(4)

    plan = build_plan(keeping(live, 2), live, PlanOptions(prune=True))

    assert deleted(plan) == []
    assert [p.id.name for p in plan.problems] == ["c02", "c03"]
    assert all("--confirm-prune" in p.message for p in plan.problems)
    (note,) = plan.notes
    assert "prune blocked" in note
    assert "2 of the 4 resources" in note
    assert "50%" in note
    assert "--prune-max-share 0.3" in note
    assert "--confirm-prune" in note
    assert plan.prune_blocked is not None
    assert plan.to_dict()["prune_blocked"] == {
        "deletes": 2,
        "owned": 4,
        "share": 0.5,
        "max_share": 0.3,
        "empty_desired": False,
        "resources": ["Cluster/c02", "Cluster/c03"],
    }


def test_confirm_prune_lets_the_same_prune_through() -> None:
    """With `confirm_prune`, the prune the guard held back deletes both resources."""
    live = fleet(4)

    plan = build_plan(keeping(live, 2), live, PlanOptions(prune=True, confirm_prune=True))

    assert sorted(deleted(plan)) == ["c02", "c03"]
    assert plan.problems == ()
    assert plan.prune_blocked is None
    assert "prune_blocked" not in plan.to_dict()


@pytest.mark.parametrize(
    ("owned", "kept", "max_share", "blocked"),
    [
        (10, 7, 0.3, False),  # 3/10 is exactly the share: allowed
        (10, 6, 0.3, True),  # 4/10 is more
        (4, 3, 0.3, False),  # 1/4
        (3, 2, 0.3, True),  # 1/3: a small fleet trips the guard too
        (4, 2, 0.5, False),  # a raised share
        (4, 3, 0.0, True),  # share 0: every prune needs confirmation
        (4, 0, 1.0, False),  # share 1 still allows a full prune when manifests name something
    ],
)
def test_the_guard_compares_deletes_over_owned_with_the_share(
    owned: int, kept: int, max_share: float, blocked: bool
) -> None:
    """The guard trips exactly when deletes / owned is above `prune_max_share`."""
    live = fleet(owned)
    desired = keeping(live, kept) + ([cluster("elsewhere")] if kept == 0 else [])

    plan = build_plan(desired, live, PlanOptions(prune=True, prune_max_share=max_share))

    assert (plan.prune_blocked is not None) is blocked
    assert len(deleted(plan)) == (0 if blocked else owned - kept)


def test_only_this_instances_resources_count_as_owned() -> None:
    """Unowned resources (and other instances') neither raise nor lower the owned count."""
    live = fleet(4, others=20)
    live[ResourceId(Kind.CLUSTER, "theirs")] = live_cluster("theirs", owner="blue")

    plan = build_plan(keeping(live, 2), live, PlanOptions(prune=True))

    assert plan.prune_blocked is not None
    assert plan.prune_blocked.owned == 4


def test_an_empty_desired_set_prunes_nothing_even_below_the_share() -> None:
    """Manifests that name nothing never prune without confirmation, whatever the share."""
    live = fleet(2)

    plan = build_plan([], live, PlanOptions(prune=True, prune_max_share=1.0))

    assert deleted(plan) == []
    assert plan.prune_blocked is not None
    assert plan.prune_blocked.empty_desired
    assert "the manifests name no resources" in plan.notes[0]
    assert "all 2 resource(s)" in plan.notes[0]


def test_an_empty_desired_set_with_confirmation_prunes_everything_owned() -> None:
    """A confirmed prune of an empty desired set deletes every owned resource, and only those."""
    live = fleet(2, others=1)

    plan = build_plan([], live, PlanOptions(prune=True, confirm_prune=True))

    assert sorted(deleted(plan)) == ["c00", "c01"]


def test_nothing_to_prune_trips_no_guard() -> None:
    """An empty desired set with nothing owned, or a prune with nothing to delete, is quiet."""
    assert build_plan([], fleet(0, others=3), PlanOptions(prune=True)).empty
    live = fleet(3)
    plan = build_plan(keeping(live, 3), live, PlanOptions(prune=True))
    assert plan.empty
    assert plan.notes == ()


def test_a_failed_load_skips_prune_before_the_guard() -> None:
    """After a failed load nothing is pruned, confirmed or not, and the note says why."""
    plan = build_plan([], fleet(2), PlanOptions(prune=True, confirm_prune=True, load_ok=False))

    assert plan.actions == ()
    assert plan.prune_blocked is None
    assert "failed to load" in plan.notes[0]


def test_a_prune_false_tag_protects_even_a_confirmed_prune() -> None:
    """`ecsync:prune=false` keeps a resource through a confirmed prune; it still counts as owned."""
    live = fleet(1)
    kept = live_cluster("keep-me", **{PRUNE_TAG: "false"})
    live[kept.id] = kept

    plan = build_plan([], live, PlanOptions(prune=True, confirm_prune=True))

    assert deleted(plan) == ["c00"]


def test_protected_resources_are_left_out_of_the_guard_count_of_deletes() -> None:
    """A prune=false resource is not a delete: 1 of 4 owned stays under the share."""
    live = fleet(2)
    for name in ("keep-a", "keep-b"):
        item = live_cluster(name, **{PRUNE_TAG: "false"})
        live[item.id] = item

    plan = build_plan([cluster("c00")], live, PlanOptions(prune=True))

    assert deleted(plan) == ["c01"]
    assert plan.prune_blocked is None


# -- old task definition revisions -------------------------------------------------


def family(owners: Sequence[str | None], *, current: int | None = None, name: str = "web") -> Live:
    """A family whose revision N (from 1) is owned by owners[N-1]; revision `current`
    (default: the newest) holds the desired content."""
    current = current or len(owners)
    entries = [
        {
            "arn": f"{ARN}/{name}:{n}",
            "revision": n,
            "owner": owner,
            "content_hash": (DIGEST if n == current else f"old-{n}") if owner else None,
        }
        for n, owner in enumerate(owners, start=1)
    ]
    latest = len(owners)
    tags = {OWNER_TAG: owners[-1], CONTENT_HASH_TAG: entries[-1]["content_hash"]}
    return Live(
        ResourceId(Kind.TASK_DEFINITION, name),
        f"{ARN}/{name}:{latest}",
        {**TD_SPEC, "tags": tags if owners[-1] else {}},
        owner=next((o for o in reversed(owners) if o), None),
        status={"revision": latest, "revisions": entries},
    )


def taskdef(spec: dict[str, Any] | None = None, name: str = "web") -> Desired:
    return Desired(ResourceId(Kind.TASK_DEFINITION, name), spec or TD_SPEC)


def service(task_definition: str, name: str = "api") -> Desired:
    spec = {"cluster": "prod", "taskDefinition": task_definition}
    return Desired(ResourceId(Kind.SERVICE, name, "prod"), spec)


def cleanup(
    desired: list[Desired], live: Live, options: PlanOptions | None = None
) -> tuple[Plan, list[Action]]:
    world = {live.id: live}
    plan = build_plan(desired, world, options or PlanOptions())
    return plan, revisions.candidates(desired, plan, world, options or PlanOptions())


def numbers(actions: list[Action] | tuple[Action, ...]) -> list[str]:
    return sorted(
        (a.id.name for a in actions if a.type is ActionType.DEREGISTER),
        key=lambda n: int(n.split(":")[1]),
    )


def test_revisions_beyond_the_number_to_keep_are_candidates() -> None:
    """With 7 owned revisions and keep 5, the two oldest are to be deregistered."""
    plan, found = cleanup([taskdef()], family(["ecsync"] * 7))

    assert plan.empty
    assert numbers(found) == ["web:1", "web:2"]
    assert all(a.depends_on == (WEB,) for a in found)
    assert found[0].spec == {"taskDefinition": f"{ARN}/web:1"}
    assert "5 newest" in found[0].reason


def test_no_candidate_while_the_count_is_within_keep() -> None:
    """Five owned revisions with keep 5: nothing to clean up, so nothing more to read."""
    _, found = cleanup([taskdef()], family(["ecsync"] * 5))

    assert found == []


def test_a_registration_in_the_same_pass_counts_as_one_kept() -> None:
    """When a new revision is registered, only keep-1 older ones stay, so that apply,
    then plan, finds nothing more to do."""
    changed = {"containerDefinitions": [{"name": "web", "image": "nginx:2", "memory": 256}]}
    plan, found = cleanup([taskdef(changed)], family(["ecsync"] * 5))

    assert [a.type for a in plan.actions] == [ActionType.REGISTER]
    assert numbers(found) == ["web:1"]


def test_revisions_registered_by_others_are_never_candidates_nor_counted() -> None:
    """Hand-registered and other instances' revisions are neither deregistered nor kept slots."""
    owners: list[str | None] = [None, "ecsync", "blue", "ecsync", None, "ecsync", "ecsync"]
    _, found = cleanup([taskdef()], family(owners), PlanOptions(keep_revisions=2))

    assert numbers(found) == ["web:2", "web:4"]


def test_the_resolved_revision_is_kept_however_old() -> None:
    """A manifest reverted to the content of revision 1 resolves to it: it is never a candidate."""
    plan, found = cleanup(
        [taskdef()], family(["ecsync"] * 4, current=1), PlanOptions(keep_revisions=2)
    )

    assert plan.resolved_task_definitions == {"web": f"{ARN}/web:1"}
    assert numbers(found) == ["web:2"]


def test_revisions_pinned_by_desired_services_are_kept() -> None:
    """A service (or task) pinning `family:N` or an ARN keeps that revision, even one not
    created yet: deregistration would run after the service is created."""
    desired = [taskdef(), service("web:1"), service(f"{ARN}/web:2", name="b"), cluster("prod")]
    _, found = cleanup(desired, family(["ecsync"] * 8))

    assert numbers(found) == ["web:3"]


def test_revisions_in_use_are_dropped_before_planning() -> None:
    """`with_deregisters` plans only candidates no service uses (ARN, family:N), after every write."""
    plan, found = cleanup([taskdef()], family(["ecsync"] * 9))
    register = Action(ActionType.REGISTER, ResourceId(Kind.TASK_DEFINITION, "other"))
    plan = Plan(actions=(register,), resolved_task_definitions=plan.resolved_task_definitions)

    planned = revisions.with_deregisters(plan, found, {f"{ARN}/web:1", "web:3", "elsewhere:1"})

    assert numbers(planned.actions) == ["web:2", "web:4"]
    assert planned.actions[0] == register
    assert planned.to_dict()["summary"] == {
        "register": 1,
        "deregister": 2,
        "problems": 0,
        "in_sync": 0,
    }


def test_a_bare_family_in_use_keeps_every_revision() -> None:
    """A service that reports only a family name (no revision) protects the whole family."""
    _, found = cleanup([taskdef()], family(["ecsync"] * 9))
    plan = Plan()

    assert revisions.with_deregisters(plan, found, {"web"}) is plan


def test_cleanup_is_off_with_keep_all_or_after_a_failed_load() -> None:
    """`keep_revisions=None` keeps everything; a failed load deregisters nothing."""
    live = family(["ecsync"] * 9)
    assert cleanup([taskdef()], live, PlanOptions(keep_revisions=None))[1] == []
    assert cleanup([taskdef()], live, PlanOptions(load_ok=False))[1] == []


def test_families_with_a_problem_or_not_desired_are_left_alone() -> None:
    """A family another instance now owns (a problem), though older revisions are ours, and a
    family no manifest names get no cleanup."""
    theirs = family(["ecsync"] * 8 + ["blue"])
    assert cleanup([taskdef()], theirs, PlanOptions(keep_revisions=1))[1] == []
    assert cleanup([cluster("prod")], family(["ecsync"] * 9))[1] == []


def test_keep_one_with_a_registration_makes_every_older_revision_a_candidate() -> None:
    """With keep 1 and a new registration, all existing owned revisions are candidates."""
    changed = {"containerDefinitions": [{"name": "web", "image": "nginx:2", "memory": 256}]}
    _, found = cleanup([taskdef(changed)], family(["ecsync"] * 3), PlanOptions(keep_revisions=1))

    assert numbers(found) == ["web:1", "web:2", "web:3"]
