"""Plan one pass: the pure planner, plus the facts only AWS has for revision cleanup.

Deregistering an old task definition revision needs to know that no service
uses it, and that means reading every service of the account. The pure
planner finds the revisions beyond the number to keep first; the services
are read only when there is one, so a pass with nothing to clean up costs no
extra call. If that read fails, no revision is deregistered in this pass and
the rest of the plan goes ahead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import structlog

from controller.aws import in_use
from controller.aws.clients import Aws
from controller.aws.errors import AwsError
from controller.core.kinds import ResourceId
from controller.core.resources import Desired, Live
from controller.plan import memo, revisions
from controller.plan.actions import Plan
from controller.plan.planner import PlanOptions, build_plan

log = structlog.get_logger()


def plan(
    aws: Aws,
    desired: Sequence[Desired],
    live: Mapping[ResourceId, Live],
    options: PlanOptions,
    *,
    revision: str | None = None,
    revisions_in_use: in_use.RevisionsInUse | None = None,
    remembered: memo.InSync | None = None,
) -> Plan:
    """`build_plan`, with old revisions to deregister; logs `prune_blocked` when the
    mass-deletion guard held a prune back. A long-running caller passes the
    `revisions_in_use` it keeps, so that the account is not read on every pass, and what
    the planner `remembered` of the resources it found in sync."""
    planned = build_plan(desired, live, options, remembered=remembered)
    candidates = revisions.candidates(desired, planned, live, options)
    if candidates:
        try:
            kept = in_use.RevisionsInUse() if revisions_in_use is None else revisions_in_use
            used = kept.read(aws, live)
        except AwsError as error:
            log.warning(
                "revision_cleanup_skipped",
                revision=revision,
                error=str(error),
                retryable=error.retryable,
                message="could not read which revisions services use; none is deregistered",
            )
        else:
            planned = revisions.with_deregisters(planned, candidates, used)
    if planned.prune_blocked is not None:
        log.warning(
            "prune_blocked",
            revision=revision,
            message=planned.prune_blocked.message(),
            **planned.prune_blocked.to_dict(),
        )
    return planned
