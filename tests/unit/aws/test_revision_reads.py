"""Task definition reads describe only the revisions a plan needs, listed the cheaper way."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from controller.aws import calls, taskdefs
from controller.aws.taskdef_cache import TaskDefinitionCache
from controller.core.resources import CONTENT_HASH_TAG, OWNER_TAG

PREFIX = "arn:aws:ecs:us-east-1:123456789012:task-definition"


class FakeEcs:
    """ListTaskDefinitions (paged at maxResults; familyPrefix matched as a prefix, the looser
    reading of its name, which the reader must survive) and
    DescribeTaskDefinition over a fixed set of revisions; counts what is sent."""

    def __init__(self, revisions: dict[str, int], owner: str | None = "ecsync") -> None:
        self.arns = [
            f"{PREFIX}/{f}:{n}" for f, count in revisions.items() for n in range(1, count + 1)
        ]
        self.owner = owner
        self.sent: Counter[str] = Counter()
        self.described: list[str] = []
        self.prefixes: list[str | None] = []
        self._lock = threading.Lock()

    def call(
        self, aws: Any, service: str, operation: str, resource: str = "", **params: Any
    ) -> Any:
        with self._lock:
            self.sent[operation] += 1
        if operation == "list_task_definitions":
            prefix = params.get("familyPrefix")
            with self._lock:
                self.prefixes.append(prefix)
            found = [a for a in self.arns if prefix is None or a.split("/")[-1].startswith(prefix)]
            start = int(params.get("nextToken") or 0)
            end = start + params["maxResults"]
            page: dict[str, Any] = {"taskDefinitionArns": found[start:end]}
            if end < len(found):
                page["nextToken"] = str(end)
            return page
        assert operation == "describe_task_definition"
        assert params["include"] == ["TAGS"]
        arn = params["taskDefinition"]
        with self._lock:
            self.described.append(arn)
        family, number = taskdefs.parse_arn(arn)
        tags = [{"key": CONTENT_HASH_TAG, "value": f"h{number}"}]
        if self.owner:
            tags.append({"key": OWNER_TAG, "value": self.owner})
        return {
            "taskDefinition": {
                "taskDefinitionArn": arn,
                "family": family,
                "revision": number,
                "containerDefinitions": [{"name": "app", "image": f"app:{number}"}],
            },
            "tags": tags,
        }


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeEcs:
    """Twelve revisions of `web`, one each of `web-api` (a longer name) and 299 other families."""
    ecs = FakeEcs({"web": 12, "web-api": 1, **{f"other-{n:03}": 1 for n in range(299)}})
    monkeypatch.setattr(calls, "call", ecs.call)
    return ecs


def numbers(arns: list[str]) -> list[int]:
    return sorted(taskdefs.parse_arn(a)[1] for a in arns)


def test_keep_all_describes_only_the_newest_revisions(fake: FakeEcs) -> None:
    """With cleanup off, a family of 12 revisions costs 5 describes: the content-hash window."""
    found = taskdefs.read_families(
        None,  # type: ignore[arg-type]
        TaskDefinitionCache(),
        ["web"],
        reads=taskdefs.RevisionReads.keeping(None),
    )

    assert numbers(fake.described) == [8, 9, 10, 11, 12]
    web = found["web"]
    assert web.status["revision"] == 12
    assert web.spec["containerDefinitions"][0]["image"] == "app:12"
    assert [r["revision"] for r in web.status["revisions"]] == [8, 9, 10, 11, 12]


def test_cleanup_describes_older_revisions_except_those_known_in_use(fake: FakeEcs) -> None:
    """Keeping 3, the 9 older revisions are cleanup candidates, less the 2 known in use."""
    reads = taskdefs.RevisionReads.keeping(3, in_use={f"{PREFIX}/web:2", "web:5"})

    found = taskdefs.read_families(None, TaskDefinitionCache(), ["web"], reads=reads)  # type: ignore[arg-type]

    assert numbers(fake.described) == [1, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert [r["revision"] for r in found["web"].status["revisions"]] == [
        1,
        3,
        4,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
    ]


def test_a_bare_family_in_use_spares_all_its_older_revisions(fake: FakeEcs) -> None:
    """A service naming the bare family uses every revision of it: only the window is read."""
    reads = taskdefs.RevisionReads.keeping(3, in_use={"web"})

    taskdefs.read_families(None, TaskDefinitionCache(), ["web"], reads=reads)  # type: ignore[arg-type]

    assert numbers(fake.described) == [10, 11, 12]


def test_the_default_reads_describe_every_revision_once(fake: FakeEcs) -> None:
    """Without a cleanup policy every active revision is described, each once; a warm cache
    describes nothing more."""
    cache = TaskDefinitionCache()

    taskdefs.read_families(None, cache, ["web"])  # type: ignore[arg-type]
    taskdefs.read_families(None, cache, ["web"])  # type: ignore[arg-type]

    assert numbers(fake.described) == list(range(1, 13))


def test_one_family_is_listed_by_prefix_without_the_longer_names(fake: FakeEcs) -> None:
    """A single family costs one ListTaskDefinitions with its prefix; `web-api` is left out."""
    found = taskdefs.read_families(None, TaskDefinitionCache(), ["web"])  # type: ignore[arg-type]

    assert fake.prefixes == ["web"]
    assert sorted(found) == ["web"]
    assert all("/web:" in a for a in fake.described)


def test_a_cold_read_of_several_families_lists_the_account_once(fake: FakeEcs) -> None:
    """Two families on a cold cache: one account-wide listing, paged at 100 (312 revisions)."""
    found = taskdefs.read_families(None, TaskDefinitionCache(), ["web", "other-001"])  # type: ignore[arg-type]

    assert fake.prefixes == [None] * 4
    assert sorted(found) == ["other-001", "web"]


def test_after_an_account_listing_few_families_are_listed_one_by_one(fake: FakeEcs) -> None:
    """Once the account is known to take 4 pages, 3 families take 3 listings, 4 take 4 pages."""
    cache = TaskDefinitionCache()
    taskdefs.read_families(None, cache, ["web", "other-001"])  # type: ignore[arg-type]
    fake.prefixes.clear()

    taskdefs.read_families(None, cache, ["web", "other-001", "other-002"])  # type: ignore[arg-type]
    assert sorted(p or "" for p in fake.prefixes) == ["other-001", "other-002", "web"]
    fake.prefixes.clear()

    taskdefs.read_families(None, cache, ["web", "other-001", "other-002", "other-003"])  # type: ignore[arg-type]
    assert fake.prefixes == [None] * 4


def test_discovering_owned_families_lists_the_account(fake: FakeEcs) -> None:
    """Prune needs every family this instance owns, so even one wanted family lists all."""
    found = taskdefs.read_families(
        None,  # type: ignore[arg-type]
        TaskDefinitionCache(),
        ["web"],
        discover_owned="ecsync",
    )

    assert None in fake.prefixes
    assert len(found) == 301


def test_a_family_listing_forgets_its_deregistered_revisions() -> None:
    """Listing one family drops that family's revisions that are no longer active from the
    cache, and no other family's."""
    cache = TaskDefinitionCache()
    ecs = FakeEcs({"web": 3, "api": 1})
    for arn in ecs.arns:
        got = ecs.call(
            None, "ecs", "describe_task_definition", taskDefinition=arn, include=["TAGS"]
        )
        cache.put(taskdefs.revision_of(got["taskDefinition"], got["tags"]))

    cache.retain_family("web", [f"{PREFIX}/web:3"])

    assert len(cache) == 2
    assert cache.get(f"{PREFIX}/web:3") is not None
    assert cache.get(f"{PREFIX}/api:1") is not None
