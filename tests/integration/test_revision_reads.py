"""Read cost of task definitions: a cold read describes only the revisions a plan needs."""

from __future__ import annotations

from typing import Any

from controller.aws import taskdefs
from controller.aws.clients import Aws
from controller.aws.taskdef_cache import TaskDefinitionCache
from tests.support import arrange
from tests.support.counting import CallCounter


def test_a_cold_read_describes_only_the_revisions_a_plan_needs(
    aws: Aws, ecs: Any, calls_sent: CallCounter
) -> None:
    """A family of 12 revisions read cold: keeping all, the newest 5 (the content-hash
    window) are described; keeping 5, all 12 (older ones are cleanup candidates), less the 4
    known to be in use; each with one ListTaskDefinitions by the family's prefix."""
    arns = [arrange.register(ecs, "web") for _ in range(12)]
    needed = {
        "keep all": taskdefs.RevisionReads.keeping(None),
        "keep 5": taskdefs.RevisionReads.keeping(5),
        "keep 5, 4 in use": taskdefs.RevisionReads.keeping(5, in_use=set(arns[:4])),
    }
    described = {}
    for name, reads in needed.items():
        calls_sent.clear()
        taskdefs.read_families(aws, TaskDefinitionCache(), ["web"], reads=reads)
        described[name] = calls_sent["DescribeTaskDefinition"]
        assert calls_sent.params("ListTaskDefinitions") == [
            {"familyPrefix": "web", "status": "ACTIVE", "maxResults": 100}
        ]

    assert described == {"keep all": 5, "keep 5": 12, "keep 5, 4 in use": 8}
