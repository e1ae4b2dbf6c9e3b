"""Each key's outcome, health and requeue at the end of a pass: the one place they are decided.

A pass that wrote (`applied`) and one that did not (`unwritten`: a plan, a
standby replica) judge their keys here. Each rule reads only the key's own
entries in the plan, the results and the precomputed fingerprints, so judging
N keys costs O(N).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import structlog

from controller.apply.outcomes import Outcome, Result
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live
from controller.plan.actions import Plan
from controller.reconcile.drift import Decision
from controller.reconcile.health import assess_live
from controller.reconcile.result import BACKOFF, FORGET, KeyResult, Mode, Requeue
from controller.reconcile.target import Target

log = structlog.get_logger()

STANDBY = "not applied: this replica is on standby; the leader applies changes"


def applied(
    target: Target,
    plan: Plan,
    wanted: Collection[ResourceId],
    live: Mapping[ResourceId, Live],
    *,
    results: Sequence[Result],
    decision: Decision,
) -> dict[ResourceId, KeyResult]:
    """The keys of a pass that wrote: `wanted`, and every resource it acted on."""
    desired = target.desired
    by_id = {r.id: r for r in results}
    problems = {p.id: p.message for p in plan.problems}
    planned = {a.id for a in plan.actions}
    judged: dict[ResourceId, KeyResult] = {}
    for rid in [*wanted, *by_id, *decision.held]:
        if rid in judged:
            continue
        result = by_id.get(rid)
        if rid in problems:
            judged[rid] = KeyResult(rid, Outcome.FAILED, error=problems[rid])
        elif result is not None and result.outcome.failed:
            requeue = BACKOFF if result.retryable else FORGET
            judged[rid] = KeyResult(rid, result.outcome, requeue, error=result.error)
        elif rid in decision.held:
            judged[rid] = decision.held[rid]
        elif rid not in desired.resources:
            if result is not None:  # pruned, or an old revision deregistered
                judged[rid] = KeyResult(rid, result.outcome)
        else:
            unapplied = rid in planned and result is None
            judged[rid] = _converged(
                rid, result, decision.drifted, live.get(rid), target, unapplied=unapplied
            )
    return judged


def _converged(
    rid: ResourceId,
    result: Result | None,
    drifted: Mapping[ResourceId, str],
    live: Live | None,
    target: Target,
    *,
    unapplied: bool = False,
) -> KeyResult:
    """`rid` matches its manifests now (written in this pass, or already in sync), or a
    difference on it was left alone (`unapplied`: its rollout is converging it, or ECS rolled
    that rollout back, and then the key stays pending)."""
    revision, memory = target.desired.revision, target.memory
    outcome = result.outcome if result is not None else Outcome.UNCHANGED
    if memory is None:
        return KeyResult(rid, outcome)
    fingerprint = target.desired.fingerprint(rid)
    memory.drift.converged(rid, fingerprint)
    if rid in drifted and result is not None:
        log.info("drift_corrected", **rid.log_fields(), revision=revision, outcome=str(outcome))
    if rid.kind is not Kind.SERVICE:
        return KeyResult(rid, outcome)
    assessment, poll = memory.rollouts.observe(rid, result, live, revision, fingerprint)
    requeue = Requeue(after=memory.rollout_poll) if poll else FORGET
    if assessment is None:
        return KeyResult(rid, outcome, requeue)
    hold = memory.rollouts.holds(rid, fingerprint) if unapplied else None
    if hold is not None and hold.rolled_back:
        outcome = Outcome.PENDING
    message = assessment.message if assessment.progress is not None else None
    return KeyResult(
        rid,
        outcome,
        requeue,
        message=message,
        health=assessment.health,
        rollout=assessment.progress,
    )


def unwritten(
    target: Target,
    plan: Plan,
    wanted: Collection[ResourceId],
    live: Mapping[ResourceId, Live],
    mode: Mode,
) -> dict[ResourceId, KeyResult]:
    """The keys of a pass that wrote nothing: due changes are pending, the rest converged.

    Drift alerts come from a writing pass only, so that a standby replica and
    the leader never alert twice; but what converged is remembered, so that a
    standby that takes over tells drift from a new commit.
    """
    memory = target.memory
    pending = {a.id for a in plan.actions}
    problems = {p.id: p.message for p in plan.problems}
    message = STANDBY if mode is Mode.OBSERVE else None
    judged: dict[ResourceId, KeyResult] = {}
    for rid in wanted:
        if rid in problems:
            judged[rid] = KeyResult(rid, Outcome.FAILED, error=problems[rid])
        elif rid in pending:
            judged[rid] = KeyResult(rid, Outcome.PENDING, message=message)
        elif memory is None:
            judged[rid] = KeyResult(rid, Outcome.UNCHANGED)
        else:
            memory.drift.converged(rid, target.desired.fingerprint(rid))
            found = live.get(rid)
            assessment = assess_live(found) if found is not None else None
            health = assessment.health if assessment is not None else None
            judged[rid] = KeyResult(rid, Outcome.UNCHANGED, health=health)
    return judged
