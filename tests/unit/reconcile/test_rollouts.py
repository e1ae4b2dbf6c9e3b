"""Following a rollout by its service deployment record: transitions logged once, holds."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from datetime import UTC, datetime
from typing import Any

import pytest
from structlog.testing import capture_logs

from controller.apply.outcomes import Outcome, Result
from controller.aws import deployments
from controller.aws.errors import PermanentAwsError, TransientAwsError
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live
from controller.core.service_state import (
    Deployment,
    DeploymentRecord,
    DeploymentStatus,
    ServiceRevision,
    ServiceState,
)
from controller.reconcile.following import CLOCK_SKEW
from controller.reconcile.health import Health
from controller.reconcile.rollouts import RolloutTracker

WEB = ResourceId(Kind.SERVICE, "web", "prod")
API = ResourceId(Kind.SERVICE, "api", "prod")
ARN = "arn:aws:ecs:eu-west-1:123456789012"
D1 = f"{ARN}:service-deployment/prod/web/d1"
D2 = f"{ARN}:service-deployment/prod/web/d2"
TARGET_REV = f"{ARN}:service-revision/prod/web/r8"
RESTORED_REV = f"{ARN}:service-revision/prod/web/r7"
WRITTEN_AT = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def live(
    rid: ResourceId = WEB,
    current: str | None = D1,
    task_definition: str = f"{ARN}:task-definition/web:7",
    running: int = 2,
) -> Live:
    """A service as DescribeServices reads it, naming `current` as its current deployment."""
    state = ServiceState(
        desired_count=2,
        running_count=running,
        task_definition=task_definition,
        deployments=(Deployment(id="ecs-svc/1", status="PRIMARY", rollout_state="COMPLETED"),),
        current_deployment=current,
    )
    return Live(rid, f"{ARN}:service/prod/{rid.name}", {}, status={"state": state})


def record(arn: str, status: DeploymentStatus, **fields: Any) -> DeploymentRecord:
    return DeploymentRecord(arn, status, **fields)


class FakeEcs:
    """The deployment reads, answered from `records`; every call is kept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.records: dict[str, DeploymentRecord] = {}
        self.revisions: dict[str, ServiceRevision] = {}
        self.described: list[list[str]] = []
        self.listed: list[tuple[str, str, datetime, str | None]] = []
        self.newest: str | None = None
        self.error: Exception | None = None
        monkeypatch.setattr(deployments, "describe_deployments", self.describe)
        monkeypatch.setattr(deployments, "describe_revisions", self.describe_revisions)
        monkeypatch.setattr(deployments, "newest_created_after", self.newest_after)

    def describe(self, aws: Any, arns: Iterable[str]) -> dict[str, DeploymentRecord]:
        self.described.append(sorted(arns))
        if self.error is not None:
            raise self.error
        return {a: self.records[a] for a in arns if a in self.records}

    def describe_revisions(self, aws: Any, arns: Iterable[str]) -> dict[str, ServiceRevision]:
        return {a: self.revisions[a] for a in arns if a in self.revisions}

    def newest_after(
        self, aws: Any, cluster: str, service: str, after: datetime, *, excluding: str | None
    ) -> str | None:
        self.listed.append((cluster, service, after, excluding))
        if self.error is not None:
            raise self.error
        return self.newest


def tracker() -> RolloutTracker:
    return RolloutTracker(clock=lambda: 0.0, now=lambda: WRITTEN_AT)


def write(rollouts: RolloutTracker, rid: ResourceId = WEB, deployment: str | None = D2) -> None:
    """A pass updated `rid` (the service was on D1 before); the answer named `deployment`."""
    result = Result(rid, Outcome.UPDATED, deployment=deployment)
    assessment, poll = rollouts.observe(rid, result, live(rid), "rev-2", "fp-2")
    assert poll
    if deployment == D1:  # the answer names the deployment that was there: none started
        assert assessment is None
    else:
        assert assessment is not None
        assert assessment.health is Health.PROGRESSING


def events(logs: list[MutableMapping[str, Any]], name: str) -> list[MutableMapping[str, Any]]:
    return [entry for entry in logs if entry["event"] == name]


def test_a_linear_rollout_is_progressing_with_stage_and_traffic_then_healthy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The deployment the write's answer names is followed: Progressing with its stage and
    traffic share (logged once per change), then Healthy and `rollout_completed` once."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    with capture_logs() as logs:
        write(rollouts)
        shifting = record(
            D2,
            DeploymentStatus.IN_PROGRESS,
            strategy="LINEAR",
            lifecycle_stage="PRODUCTION_TRAFFIC_SHIFT",
            production_traffic=30.0,
        )
        ecs.records[D2] = shifting
        for _ in range(2):
            rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
            assessment, poll = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
        assert assessment is not None
        assert (assessment.health, poll) == (Health.PROGRESSING, True)
        assert assessment.progress is not None
        assert (assessment.progress.stage, assessment.progress.traffic) == (
            "PRODUCTION_TRAFFIC_SHIFT",
            30.0,
        )
        ecs.records[D2] = record(D2, DeploymentStatus.SUCCESSFUL, strategy="LINEAR")
        rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
        done, poll = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
    assert done is not None
    assert (done.health, poll) == (Health.HEALTHY, False)
    assert ecs.described == [[D2], [D2], [D2]]
    started = events(logs, "rollout_started")
    assert [(e["deployment"], e["revision"], e["name"]) for e in started] == [(D2, "rev-2", "web")]
    progressed = events(logs, "rollout_progressed")
    assert [(e["stage"], e["traffic_percent"], e["strategy"]) for e in progressed] == [
        ("PRODUCTION_TRAFFIC_SHIFT", 30.0, "LINEAR")
    ]
    assert [e["deployment"] for e in events(logs, "rollout_completed")] == [D2]


def test_a_rollback_is_a_failure_that_names_the_target_and_the_restored_revision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ROLLBACK_SUCCESSFUL logs `rollout_rolled_back` (target and restored task definitions
    from DescribeServiceRevisions, the reason) and leaves the service Degraded, held on the
    same manifests: still Degraded once the restored revision is steady."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.records[D2] = record(
        D2,
        DeploymentStatus.ROLLBACK_SUCCESSFUL,
        strategy="BLUE_GREEN",
        target_revision=TARGET_REV,
        rollback_revision=RESTORED_REV,
        rollback_reason="ECS deployment circuit breaker: tasks failed to start.",
    )
    ecs.revisions = {
        TARGET_REV: ServiceRevision(TARGET_REV, f"{ARN}:task-definition/web:8"),
        RESTORED_REV: ServiceRevision(RESTORED_REV, f"{ARN}:task-definition/web:7"),
    }
    with capture_logs() as logs:
        write(rollouts)
        rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
        assessment, poll = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
        later, _ = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
    assert assessment is not None
    assert later is not None
    assert (assessment.health, poll, later.health) == (Health.DEGRADED, False, Health.DEGRADED)
    assert "rolled it back" in later.message
    [rolled] = events(logs, "rollout_rolled_back")
    assert rolled["target"] == f"{ARN}:task-definition/web:8"
    assert rolled["restored"] == f"{ARN}:task-definition/web:7"
    assert rolled["reason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert (rolled["kind"], rolled["cluster"], rolled["name"], rolled["revision"]) == (
        "Service",
        "prod",
        "web",
        "rev-2",
    )
    assert events(logs, "rollout_completed") == []
    hold = rollouts.holds(WEB, "fp-2")
    assert hold is not None
    assert hold.rolled_back
    assert rollouts.holds(WEB, "fp-3") is None


def test_a_restored_revision_is_taken_from_describe_services_without_revisions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When DescribeServiceRevisions gives nothing, the restored task definition is the one
    DescribeServices reports after the rollback."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.records[D2] = record(D2, DeploymentStatus.ROLLBACK_FAILED, rollback_revision=RESTORED_REV)
    with capture_logs() as logs:
        write(rollouts)
        rollouts.refresh(None, {WEB: live(current=D2, task_definition="web:7")})  # type: ignore[arg-type]
        rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
    [rolled] = events(logs, "rollout_rolled_back")
    assert (rolled["target"], rolled["restored"], rolled["status"]) == (
        None,
        "web:7",
        "ROLLBACK_FAILED",
    )


def test_a_stopped_deployment_fails_the_rollout(monkeypatch: pytest.MonkeyPatch) -> None:
    """STOPPED is `rollout_failed` and Degraded, and nothing is held afterwards."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.records[D2] = record(D2, DeploymentStatus.STOPPED, status_reason="stopped by a user.")
    with capture_logs() as logs:
        write(rollouts)
        rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
        assessment, poll = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
    assert assessment is not None
    assert (assessment.health, poll) == (Health.DEGRADED, False)
    assert [e["status"] for e in events(logs, "rollout_failed")] == ["STOPPED"]
    assert rollouts.holds(WEB, "fp-2") is None


def test_a_rollout_in_progress_holds_its_own_manifests_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While ecsync's deployment runs, a difference on the same manifests is converging (not
    a rollback); a new fingerprint is not held."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.records[D2] = record(D2, DeploymentStatus.IN_PROGRESS, lifecycle_stage="BAKE_TIME")
    write(rollouts)
    rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
    hold = rollouts.holds(WEB, "fp-2")
    assert hold is not None
    assert not hold.rolled_back
    assert hold.progress is not None
    assert hold.progress.stage == "BAKE_TIME"
    assert rollouts.holds(WEB, "fp-3") is None


def test_without_a_named_deployment_describe_services_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write whose answer named no deployment follows the one DescribeServices names after
    it, when that differs from the one before; no ListServiceDeployments call."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.records[D2] = record(D2, DeploymentStatus.SUCCESSFUL)
    write(rollouts, deployment=None)
    rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
    assert ecs.described == [[D2]]
    assert ecs.listed == []


def test_an_endpoint_without_current_deployments_is_asked_for_the_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When DescribeServices names no current deployment, ListServiceDeployments is asked for
    those created after the write (less the clock skew allowance), the old one excluded."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.newest = D2
    ecs.records[D2] = record(D2, DeploymentStatus.IN_PROGRESS)
    write(rollouts, deployment=None)
    rollouts.refresh(None, {WEB: live(current=None)})  # type: ignore[arg-type]
    assert ecs.listed == [("prod", "web", WRITTEN_AT - CLOCK_SKEW, D1)]
    assert ecs.described == [[D2]]


def test_a_write_that_started_no_deployment_is_judged_from_describe_services(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An answer naming the deployment from before the write (a tag or count change) starts
    no record to follow: the steady service completes the rollout, no record read."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    with capture_logs() as logs:
        write(rollouts, deployment=D1)
        rollouts.refresh(None, {WEB: live(current=D1)})  # type: ignore[arg-type]
        assessment, poll = rollouts.observe(WEB, None, live(current=D1), "rev-2", "fp-2")
    assert assessment is not None
    assert (assessment.health, poll) == (Health.HEALTHY, False)
    assert ecs.described == []
    assert len(events(logs, "rollout_completed")) == 1
    assert events(logs, "rollout_record_unavailable") == []


def test_no_permission_falls_back_to_describe_services_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """AccessDenied on DescribeServiceDeployments logs `rollout_record_unavailable` once and
    judges the rollout from DescribeServices, whose message says the record is unavailable."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.error = PermanentAwsError(
        "DescribeServiceDeployments", "ServiceDeployment", "AccessDeniedException", "no"
    )
    with capture_logs() as logs:
        write(rollouts)
        rollouts.refresh(None, {WEB: live(current=D2, running=1)})  # type: ignore[arg-type]
        rollouts.refresh(None, {WEB: live(current=D2, running=1)})  # type: ignore[arg-type]
        assessment, poll = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
    assert assessment is not None
    assert (assessment.health, poll) == (Health.HEALTHY, False)
    assert "deployment record is unavailable" in assessment.message
    assert len(events(logs, "rollout_record_unavailable")) == 1
    assert ecs.described == [[D2]]


def test_a_transient_failure_waits_for_the_next_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """A throttled read keeps the rollout followed by its record: meanwhile it is Progressing
    (a steady DescribeServices does not end it), and the record is asked again next time."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    ecs.error = TransientAwsError("DescribeServiceDeployments", "", "ThrottlingException", "slow")
    write(rollouts)
    rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
    waiting, poll = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
    assert waiting is not None
    assert (waiting.health, poll) == (Health.PROGRESSING, True)
    assert "could not be read yet" in waiting.message
    ecs.error = None
    ecs.records[D2] = record(D2, DeploymentStatus.SUCCESSFUL)
    rollouts.refresh(None, {WEB: live(current=D2)})  # type: ignore[arg-type]
    assessment, _ = rollouts.observe(WEB, None, live(current=D2), "rev-2", "fp-2")
    assert assessment is not None
    assert assessment.progress is not None
    assert ecs.described == [[D2], [D2]]


def test_every_followed_service_is_read_in_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two services followed at once cost one DescribeServiceDeployments read of both."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    other = f"{ARN}:service-deployment/prod/api/a2"
    write(rollouts, WEB, D2)
    write(rollouts, API, other)
    rollouts.refresh(None, {WEB: live(WEB, current=D2), API: live(API, current=other)})  # type: ignore[arg-type]
    assert ecs.described == [sorted([D2, other])]


def test_a_list_without_a_new_deployment_means_the_write_started_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When ListServiceDeployments lists nothing created after the write, there is no record
    to wait for: the rollout is judged from DescribeServices at once."""
    ecs, rollouts = FakeEcs(monkeypatch), tracker()
    write(rollouts, deployment=None)
    rollouts.refresh(None, {WEB: live(current=None)})  # type: ignore[arg-type]
    assessment, poll = rollouts.observe(WEB, None, live(current=None), "rev-2", "fp-2")
    assert assessment is not None
    assert (assessment.health, poll) == (Health.HEALTHY, False)
    assert ecs.described == []
