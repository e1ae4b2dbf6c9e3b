"""A cached task definition revision keeps what a plan compares, and plans as the full
answer does."""

from __future__ import annotations

from controller.aws import taskdefs

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
