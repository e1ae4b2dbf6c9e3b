"""Reading the records of the rollouts ecsync follows: which deployment, where it stands.

For each followed service (`Follow`), once per pass and for all of them
together: the deployment its write started, when the write's answer did not
name it (DescribeServices' `currentServiceDeployment` after the write, or,
from an endpoint that reports none, the newest deployment ListServiceDeployments
lists as created after the write); then every record in one batched
DescribeServiceDeployments read; then, for rollbacks that ended, the task
definitions of the revision deployed and of the one restored
(DescribeServiceRevisions, else DescribeServices).

A permanent failure (no permission, an endpoint without service deployments)
or a deployment ECS does not know marks the follow `unavailable`, logged as
`rollout_record_unavailable`: the tracker then judges it from DescribeServices.
A transient failure leaves it for the next look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from controller.aws import deployments, services
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.core.kinds import ResourceId
from controller.core.resources import Live
from controller.core.service_state import DeploymentRecord, ServiceRevision
from controller.reconcile.health import short_id

log = structlog.get_logger()

CLOCK_SKEW = timedelta(minutes=5)
"""How far before our own clock a deployment listed by ListServiceDeployments may have been
created and still count as the one a write started (AWS's clock is not ours)."""


@dataclass
class Follow:
    """One rollout ecsync started, followed until it ends."""

    fingerprint: str | None
    started_at: float
    written_at: datetime
    before: str | None
    """The deployment DescribeServices named before the write."""
    deployment: str | None = None
    """The deployment followed, once known."""
    no_deployment: bool = False
    """The write's answer named the deployment that was already there: it started none."""
    record: DeploymentRecord | None = None
    unavailable: str | None = None
    """Why the record cannot be read: the rollout is judged from DescribeServices."""
    target: str | None = None
    restored: str | None = None
    shown: tuple[object, ...] | None = None
    """The stage, traffic and status last logged (`rollout_progressed`)."""


def refresh(
    aws: Aws, follows: Mapping[ResourceId, Follow], live: Mapping[ResourceId, Live]
) -> None:
    """Read the records of `follows` (every one in `live`, just read); see the module
    docstring."""
    for rid, follow in follows.items():
        if follow.deployment is None and not follow.no_deployment:
            _find_deployment(aws, rid, follow, live[rid])
    asked = {f.deployment: rid for rid, f in follows.items() if f.deployment is not None}
    if not asked:
        return
    try:
        records = deployments.describe_deployments(aws, asked)
    except AwsError as error:
        _unreadable(error, [follows[rid] for rid in asked.values()], asked.values())
        return
    for arn, rid in asked.items():
        follow = follows[rid]
        follow.record = records.get(arn)
        if follow.record is None:
            follow.unavailable = (
                f"ECS does not know service deployment {short_id(arn)} (deployments "
                "before 25 October 2024 have no record; a deleted service loses them)"
            )
            log_unavailable(rid, follow.unavailable)
    _read_revisions(aws, follows, live)


def _find_deployment(aws: Aws, rid: ResourceId, follow: Follow, live: Live) -> None:
    state = services.state_of(live)
    current = state.current_deployment if state is not None else None
    if current is not None:
        if current == follow.before:
            follow.no_deployment = True
        else:
            follow.deployment = current
        return
    try:
        follow.deployment = deployments.newest_created_after(
            aws,
            rid.cluster,
            rid.name,
            follow.written_at - CLOCK_SKEW,
            excluding=follow.before,
        )
    except AwsError as error:
        _unreadable(error, [follow], [rid])
        return
    follow.no_deployment = follow.deployment is None


def _unreadable(error: AwsError, follows: list[Follow], rids: Iterable[ResourceId]) -> None:
    """A permanent failure (no permission, an endpoint without the API) switches these
    rollouts to DescribeServices; a transient one waits for the next look."""
    if error.retryable:
        return
    for follow, rid in zip(follows, rids, strict=True):
        follow.unavailable = str(error)
        log_unavailable(rid, follow.unavailable)


def _read_revisions(
    aws: Aws, follows: Mapping[ResourceId, Follow], live: Mapping[ResourceId, Live]
) -> None:
    """The task definitions of ended rollbacks: the one deployed, the one restored."""
    ended = {
        rid: f.record
        for rid, f in follows.items()
        if f.record is not None and _rolled_back(f.record)
    }
    wanted = {
        arn
        for record in ended.values()
        for arn in (record.target_revision, record.rollback_revision)
        if arn
    }
    revisions: dict[str, ServiceRevision] = {}
    if wanted:
        try:
            revisions = deployments.describe_revisions(aws, wanted)
        except AwsError as error:
            log.info("service_revisions_unread", error=str(error))
    for rid, record in ended.items():
        target = revisions.get(record.target_revision or "")
        restored = revisions.get(record.rollback_revision or "")
        state = services.state_of(live[rid])
        follow = follows[rid]
        follow.target = target.task_definition if target else None
        follow.restored = (
            restored.task_definition
            if restored
            else (state.task_definition if state is not None else None)
        )


def _rolled_back(record: DeploymentRecord) -> bool:
    return record.status.ended and record.status.rolling_back


def log_unavailable(rid: ResourceId, reason: str) -> None:
    log.warning(
        "rollout_record_unavailable",
        **rid.log_fields(),
        reason=reason,
        message="following the rollout through DescribeServices instead",
    )
