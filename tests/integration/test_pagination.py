"""Pagination: ecsync follows nextToken itself, each page through the retry layer."""

from __future__ import annotations

import json
from typing import Any

from controller.aws import calls, services, taskdefs
from controller.aws.clients import Aws
from tests.support import arrange, faults
from tests.support.counting import CallCounter

ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/c{}"
PAGES: dict[str | None, dict[str, Any]] = {
    None: {"clusterArns": [ARN.format(1), ARN.format(2)], "nextToken": "t1"},
    "t1": {"clusterArns": [ARN.format(3)], "nextToken": "t2"},
    "t2": {"clusterArns": [ARN.format(4)]},
}


def serve_pages(request: Any) -> Any:
    token = json.loads(request.body or b"{}").get("nextToken")
    return faults.json_response(200, PAGES[token])


def test_paginate_follows_next_token_across_stubbed_pages(
    aws: Aws, calls_sent: CallCounter
) -> None:
    """Every page is fetched, in order, passing the previous page's nextToken and the params."""
    faults.answer(aws.ecs, "ListClusters", serve_pages)

    arns = calls.paginate(aws, "ecs", "list_clusters", "clusterArns", maxResults=100)

    assert arns == [ARN.format(n) for n in (1, 2, 3, 4)]
    assert calls_sent.params("ListClusters") == [
        {"maxResults": 100},
        {"maxResults": 100, "nextToken": "t1"},
        {"maxResults": 100, "nextToken": "t2"},
    ]


def test_paginate_retries_a_failed_page_on_its_own(aws: Aws, calls_sent: CallCounter) -> None:
    """A throttled page is retried alone; earlier pages are not fetched again."""
    throttled = [False]

    def throttle_page_two_once(request: Any) -> Any:
        token = json.loads(request.body or b"{}").get("nextToken")
        if token == "t1" and not throttled[0]:
            throttled[0] = True
            return faults.error_response(400, "ThrottlingException", "Rate exceeded")
        return faults.json_response(200, PAGES[token])

    faults.answer(aws.ecs, "ListClusters", throttle_page_two_once)

    assert len(calls.paginate(aws, "ecs", "list_clusters", "clusterArns")) == 4
    assert [p.get("nextToken") for p in calls_sent.params("ListClusters")] == [
        None,
        "t1",
        "t1",
        "t2",
    ]


def test_more_than_100_owned_services_are_all_found(
    aws: Aws, ecs: Any, calls_sent: CallCounter
) -> None:
    """list_owned_services returns all 120 services of a cluster, described 10 per call."""
    names = [f"svc-{n:03}" for n in range(120)]
    arrange.services(ecs, "big", names)

    owned = services.list_owned_services(aws, arrange.INSTANCE, ["big"])

    assert sorted(id.name for id in owned) == names
    assert calls_sent.params("ListServices") == [
        {"cluster": "big", "maxResults": 100},
        {"cluster": "big", "maxResults": 100, "nextToken": "100"},
    ]
    assert calls_sent["DescribeServices"] == 12


def test_more_than_100_task_definition_revisions_are_all_read(
    aws: Aws, ecs: Any, calls_sent: CallCounter
) -> None:
    """A family with 105 active revisions reports all of them, oldest first, whether listed
    by its prefix (alone) or with the account (beside another family)."""
    for _ in range(105):
        arrange.register(ecs, "many")

    live = taskdefs.read_families(aws, aws.task_definitions, ["many"])["many"]

    assert [r["revision"] for r in live.status["revisions"]] == list(range(1, 106))
    assert live.status["revision"] == 105
    assert calls_sent.params("ListTaskDefinitions") == [
        {"familyPrefix": "many", "status": "ACTIVE", "maxResults": 100},
        {"familyPrefix": "many", "status": "ACTIVE", "maxResults": 100, "nextToken": "100"},
    ]
    calls_sent.clear()

    both = taskdefs.read_families(aws, aws.task_definitions, ["many", "few"])

    assert [r["revision"] for r in both["many"].status["revisions"]] == list(range(1, 106))
    assert calls_sent.params("ListTaskDefinitions") == [
        {"status": "ACTIVE", "maxResults": 100},
        {"status": "ACTIVE", "maxResults": 100, "nextToken": "100"},
    ]
