"""Revisions in use: the account is read once per expiry, fed by what passes read anyway."""

from __future__ import annotations

from typing import Any

import pytest

from controller.aws import errors, in_use, services
from controller.aws.clients import Aws, AwsConfig
from tests.support import arrange
from tests.support.counting import CallCounter


def suffixes(values: frozenset[str]) -> list[str]:
    return sorted(v.rsplit("/", 1)[-1] for v in values)


@pytest.fixture
def account(ecs: Any) -> None:
    """Cluster `apps` (services a, b on apps-task:1) and `other` (legacy on api:1); api:2
    exists but no service runs it."""
    arrange.services(ecs, "apps", ["a", "b"])
    arrange.register(ecs, "api")
    arrange.register(ecs, "api")
    ecs.create_cluster(clusterName="other")
    ecs.create_service(
        cluster="other", serviceName="legacy", taskDefinition="api:1", desiredCount=1
    )


def test_the_first_read_lists_the_account_and_describes_every_service(
    aws: Aws, account: None, calls_sent: CallCounter
) -> None:
    """With nothing noted, every cluster is listed and each cluster's services described."""
    kept = in_use.RevisionsInUse()

    assert suffixes(kept.read(aws)) == ["api:1", "apps-task:1"]
    assert calls_sent["ListClusters"] == 1
    assert calls_sent["ListServices"] == 2
    assert sorted(
        (p["cluster"], sorted(p["services"])) for p in calls_sent.params("DescribeServices")
    ) == [("apps", ["a", "b"]), ("other", ["legacy"])]


def test_services_already_read_are_not_described_again(
    aws: Aws, account: None, calls_sent: CallCounter
) -> None:
    """Services a pass read (noted) are not described; only the rest of the account is."""
    known = services.read_services(aws, {"apps": frozenset({"a", "b"})})
    calls_sent.clear()

    used = in_use.RevisionsInUse().read(aws, known)

    assert suffixes(used) == ["api:1", "apps-task:1"]
    assert [p["cluster"] for p in calls_sent.params("DescribeServices")] == ["other"]


def test_later_reads_cost_nothing_and_follow_what_passes_note(
    aws: Aws, ecs: Any, account: None, calls_sent: CallCounter
) -> None:
    """After the first read, a pass that read `legacy` on api:2 updates the answer with no call."""
    kept = in_use.RevisionsInUse()
    kept.read(aws)
    ecs.update_service(cluster="other", service="legacy", taskDefinition="api:2")
    moved = services.read_services(aws, {"other": frozenset({"legacy"})})
    calls_sent.clear()

    used = kept.read(aws, moved)

    assert suffixes(used) == ["api:2", "apps-task:1"]
    assert sum(calls_sent.counts.values()) == 0


def test_after_expiry_the_account_is_read_again_except_what_was_noted_since(
    aws: Aws, ecs: Any, account: None, calls_sent: CallCounter
) -> None:
    """A change made outside any pass is seen only after `expire`; services noted after the
    expiry are not described again."""
    kept = in_use.RevisionsInUse()
    kept.read(aws)
    ecs.update_service(cluster="other", service="legacy", taskDefinition="api:2")
    assert suffixes(kept.read(aws)) == ["api:1", "apps-task:1"]  # not seen before expiry

    kept.expire()
    kept.note(services.read_services(aws, {"apps": frozenset({"a", "b"})}))
    calls_sent.clear()

    assert suffixes(kept.read(aws)) == ["api:2", "apps-task:1"]
    assert [p["cluster"] for p in calls_sent.params("DescribeServices")] == ["other"]


def test_a_deleted_service_is_forgotten_after_expiry(aws: Aws, ecs: Any, account: None) -> None:
    """Once the only service on api:1 is deleted, api:1 is no longer in use after `expire`."""
    kept = in_use.RevisionsInUse()
    kept.read(aws)
    ecs.update_service(cluster="other", service="legacy", desiredCount=0)
    ecs.delete_service(cluster="other", service="legacy")

    kept.expire()

    assert suffixes(kept.read(aws)) == ["apps-task:1"]


def test_a_failed_read_raises_and_the_next_read_tries_again(aws: Aws, account: None) -> None:
    """When the account cannot be listed the error is raised, and a later read lists it."""
    kept = in_use.RevisionsInUse()
    unreachable = Aws(AwsConfig(region="us-east-1", endpoint_url="http://127.0.0.1:9"))
    unreachable.retry = aws.retry

    with pytest.raises(errors.AwsError):
        kept.read(unreachable)

    assert suffixes(kept.read(aws)) == ["api:1", "apps-task:1"]
