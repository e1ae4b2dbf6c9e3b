"""A cached task definition revision keeps what a plan compares, and plans as the full
answer does."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import taskdefs
from controller.aws.taskdef_cache import Revision, TaskDefinitionCache
from controller.core.resources import NEWEST_TAGS

ANSWER = {
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3",
    "family": "web",
    "revision": 3,
    "status": "ACTIVE",
    "compatibilities": ["EC2", "FARGATE"],
    "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
    "registeredAt": 1700000000.0,
    "registeredBy": "arn:aws:iam::123456789012:role/deployer",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [{"name": "app", "image": "nginx:1.27", "essential": True}],
}
TAGS = [{"key": "ecsync:managed-by", "value": "ecsync"}, {"key": "team", "value": "web"}]


def test_a_cached_revision_keeps_only_what_a_register_takes() -> None:
    """The cache keeps the members RegisterTaskDefinition takes (family aside), and the
    revision's identity and tags beside them; what ECS adds to describe it is dropped."""
    revision = taskdefs.revision_of(ANSWER, TAGS)
    assert (revision.arn, revision.family, revision.number) == (
        ANSWER["taskDefinitionArn"],
        "web",
        3,
    )
    assert set(revision.spec) == {
        "requiresCompatibilities", "networkMode", "cpu", "memory", "containerDefinitions"
    }  # fmt: skip
    assert revision.tags == {"ecsync:managed-by": "ecsync", "team": "web"}


def test_a_family_parses_from_cached_revisions_that_its_changes_leave_alone() -> None:
    """A family's live spec is the newest cached revision's members plus its tags; changing
    it (the planner's grafts, say) leaves the cached revision as it was."""
    revision = taskdefs.revision_of(ANSWER, TAGS)
    before = revision.spec
    live = taskdefs.parse_family("web", [revision])
    assert live.spec == {**before, "tags": {"ecsync:managed-by": "ecsync", "team": "web"}}
    live.spec["containerDefinitions"][0]["image"] = "nginx:changed"
    live.spec["cpu"] = "1024"
    assert revision.spec == before
    assert live.owner == "ecsync"


def test_a_family_makes_its_spec_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A family's live state reads its newest revision back only when its spec is read, and
    says that revision's tags in its status, as its spec has them."""
    revision = taskdefs.revision_of(ANSWER, TAGS)
    reads: list[str] = []
    made = vars(Revision)["spec"].fget

    def counted(cached: Revision) -> dict[str, Any]:
        reads.append(cached.arn)
        return made(cached)  # type: ignore[no-any-return]

    monkeypatch.setattr(Revision, "spec", property(counted))

    live = taskdefs.parse_family("web", [revision])

    assert reads == []
    assert live.owner == "ecsync"
    assert dict(live.status[NEWEST_TAGS]) == {"ecsync:managed-by": "ecsync", "team": "web"}
    assert live.spec["tags"] == dict(live.status[NEWEST_TAGS])
    assert live.spec is live.spec
    assert reads == [revision.arn]


def test_a_revision_reads_back_equal_and_unshared() -> None:
    """A cached revision's spec reads back equal to what was cached, a new copy each time."""
    revision = taskdefs.revision_of(ANSWER, TAGS)
    first, second = revision.spec, revision.spec
    assert first == second
    assert first["containerDefinitions"] == ANSWER["containerDefinitions"]
    first["containerDefinitions"][0]["image"] = "changed"
    assert second["containerDefinitions"][0]["image"] == "nginx:1.27"


def test_an_unchanged_listing_is_grouped_once_and_still_retains() -> None:
    """An account listing equal to the last one gets the last grouping back; a different
    one is grouped again; each forgets the revisions it does not list."""
    cache = TaskDefinitionCache()
    grouped: list[list[str]] = []

    def group(arns: list[str]) -> dict[str, list[str]]:
        grouped.append(list(arns))
        return {"web": list(arns)}

    old = taskdefs.revision_of(ANSWER, TAGS)
    cache.put(old)
    listing = ["arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4"]
    first = cache.account_listing(listing, group)
    assert cache.get(old.arn) is None
    cache.put(old)
    again = cache.account_listing(list(listing), group)
    assert again is first
    assert cache.get(old.arn) is None
    changed = cache.account_listing([*listing, old.arn], group)
    assert changed == {"web": [*listing, old.arn]}
    assert grouped == [listing, [*listing, old.arn]]
    assert cache.account_revisions == 2


def test_get_many_returns_only_cached_revisions() -> None:
    """get_many answers the cached ARNs among those asked, and leaves the rest out."""
    cache = TaskDefinitionCache()
    revision = taskdefs.revision_of(ANSWER, TAGS)
    cache.put(revision)
    assert cache.get_many([revision.arn, "arn:other"]) == {revision.arn: revision}
