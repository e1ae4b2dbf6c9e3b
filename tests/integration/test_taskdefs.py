"""Task definition families: one listing, cached revisions, register and deregister."""

from __future__ import annotations

from typing import Any

from controller.aws import taskdefs
from controller.aws.clients import Aws
from controller.aws.writers import WRITERS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import CONTENT_HASH_TAG, OWNER_TAG
from tests.support import arrange
from tests.support.counting import CallCounter

WEB = ResourceId(Kind.TASK_DEFINITION, "web")
WRITER = WRITERS[Kind.TASK_DEFINITION]


def spec(image: str = "nginx:1.27", content_hash: str = "h1") -> dict[str, Any]:
    return {
        "containerDefinitions": arrange.container(image),
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "tags": {OWNER_TAG: "ecsync", CONTENT_HASH_TAG: content_hash},
    }


def test_register_then_read_the_latest_revision(aws: Aws) -> None:
    """The family's spec is its latest active revision, projected onto RegisterTaskDefinition."""
    WRITER.create(aws, WEB, spec())
    before = taskdefs.read_families(aws, aws.task_definitions, ["web"])["web"]
    arn = WRITER.update(
        aws, WEB, spec("nginx:1.28", "h2"), before, frozenset({"containerDefinitions", "tags"})
    )

    live = taskdefs.read_families(aws, aws.task_definitions, ["web"])["web"]

    assert live.arn == arn
    assert arn.endswith(":task-definition/web:2")
    assert live.owner == "ecsync"
    assert live.spec["containerDefinitions"][0]["image"] == "nginx:1.28"
    assert live.spec["tags"] == spec("nginx:1.28", "h2")["tags"]
    assert {"family", "revision", "status", "taskDefinitionArn", "compatibilities"}.isdisjoint(
        live.spec
    )
    assert live.status["revision"] == 2
    assert live.status["revisions"] == [
        {"arn": arn[:-1] + "1", "revision": 1, "owner": "ecsync", "content_hash": "h1"},
        {"arn": arn, "revision": 2, "owner": "ecsync", "content_hash": "h2"},
    ]


def test_a_warm_cache_describes_nothing(aws: Aws, ecs: Any, calls_sent: CallCounter) -> None:
    """The first read describes each active revision once; the second read describes none."""
    for _ in range(3):
        arrange.register(ecs, "web")

    first = taskdefs.read_families(aws, aws.task_definitions, ["web"])
    assert calls_sent["DescribeTaskDefinition"] == 3
    calls_sent.clear()

    second = taskdefs.read_families(aws, aws.task_definitions, ["web"])

    assert calls_sent["DescribeTaskDefinition"] == 0
    assert calls_sent["ListTaskDefinitions"] == 1
    assert second == first


def test_registered_revisions_go_straight_into_the_cache(aws: Aws, calls_sent: CallCounter) -> None:
    """A revision the writer registered is never described afterwards."""
    WRITER.create(aws, WEB, spec())

    taskdefs.read_families(aws, aws.task_definitions, ["web"])

    assert calls_sent["DescribeTaskDefinition"] == 0
    assert len(aws.task_definitions) == 1


def test_one_listing_serves_every_family(aws: Aws, ecs: Any, calls_sent: CallCounter) -> None:
    """Five families are read with one ListTaskDefinitions; missing families are absent."""
    for n in range(5):
        arrange.register(ecs, f"family-{n}")

    found = taskdefs.read_families(aws, aws.task_definitions, [f"family-{n}" for n in range(6)])

    assert sorted(found) == [f"family-{n}" for n in range(5)]
    assert calls_sent["ListTaskDefinitions"] == 1


def test_discover_owned_adds_families_this_instance_owns(aws: Aws, ecs: Any) -> None:
    """discover_owned returns every family with a revision owned by the instance, and no other."""
    arrange.register(ecs, "wanted", owner=None)
    arrange.register(ecs, "orphan")
    arrange.register(ecs, "mixed", owner=None)
    arrange.register(ecs, "mixed")
    arrange.register(ecs, "mixed", owner=None)
    arrange.register(ecs, "theirs", owner="other")

    found = taskdefs.read_families(aws, aws.task_definitions, ["wanted"], discover_owned="ecsync")

    assert sorted(found) == ["mixed", "orphan", "wanted"]
    assert found["mixed"].owner == "ecsync"
    assert found["wanted"].owner is None


def test_deregistered_revisions_leave_the_family_and_the_cache(aws: Aws) -> None:
    """After deregistering the newest revision, the previous one is the family's latest."""
    first = WRITER.create(aws, WEB, spec())
    second = WRITER.create(aws, WEB, spec("nginx:1.28", "h2"))

    taskdefs.deregister_revision(aws, second)

    live = taskdefs.read_families(aws, aws.task_definitions, ["web"])["web"]
    assert live.arn == first
    assert [r["arn"] for r in live.status["revisions"]] == [first]
    assert len(aws.task_definitions) == 1


def test_delete_deregisters_only_the_owners_revisions(
    aws: Aws, ecs: Any, calls_sent: CallCounter
) -> None:
    """Prune deregisters the revisions ecsync owns and keeps a revision someone else made."""
    theirs = arrange.register(ecs, "web", owner=None)
    ours = [WRITER.create(aws, WEB, spec()), WRITER.create(aws, WEB, spec("nginx:1.28", "h2"))]
    live = taskdefs.read_families(aws, aws.task_definitions, ["web"])["web"]
    calls_sent.clear()

    WRITER.delete(aws, WEB, live)

    assert [p["taskDefinition"] for p in calls_sent.params("DeregisterTaskDefinition")] == ours
    after = taskdefs.read_families(aws, aws.task_definitions, ["web"])["web"]
    assert after.arn == theirs
    assert after.owner is None


def test_families_without_active_revisions_are_absent(aws: Aws, ecs: Any) -> None:
    """A family whose every revision is deregistered does not exist any more."""
    arn = arrange.register(ecs, "web")
    ecs.deregister_task_definition(taskDefinition=arn)

    assert taskdefs.read_families(aws, aws.task_definitions, ["web"], discover_owned="ecsync") == {}


def test_parse_arn() -> None:
    """A revision ARN splits into its family and revision number."""
    assert taskdefs.parse_arn("arn:aws:ecs:us-east-1:1:task-definition/my-app:42") == ("my-app", 42)
