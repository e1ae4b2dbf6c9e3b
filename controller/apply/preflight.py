"""Preflight in the executor: look things up once per pass, judge each write before it runs.

`prepare` gathers what every action of the plan needs and asks AWS in batches
(one DescribeImages per repository, one DescribeSubnets and one
DescribeSecurityGroups for the whole pass); the answers are the pass's cache.
`refuse` then judges one action: a failure is logged as `preflight_failed`,
once per failed check, and becomes a `PREFLIGHT_FAILED` result, so nothing is
written for the resource and what depends on it is blocked. `plan` asks the
same questions read-only (`problem`), so a pull request sees what apply would
refuse, in the same words.

With `--local`, `Aws.placeholder_images` is set, and `prepare` (when it may
write) hands it the images it is about to look up first, so that the embedded
ECR holds a placeholder for an image no CI ever pushed there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import reduce

import structlog

from controller.apply.outcomes import Outcome, Result
from controller.aws import preflight as lookups
from controller.aws.clients import Aws
from controller.core.preflight_facts import Answer, Seen
from controller.plan import preflight
from controller.plan.actions import Action, Problem
from controller.plan.preflight import Check, Facts, Failure, Needs

log = structlog.get_logger()


def prepare(
    aws: Aws, actions: Sequence[Action], *, revision: str | None = None, read_only: bool = False
) -> Facts:
    """The facts every preflight of `actions` needs, looked up in batches.

    Unless `read_only` (plan), the images are first offered to
    `aws.placeholder_images` when it is set (`--local` only).
    """
    facts = Facts(region=aws.region, creating=preflight.creating(actions))
    needs = reduce(Needs.__or__, (preflight.needs(a, a.spec, facts) for a in actions), Needs())
    if needs.images and aws.placeholder_images is not None and not read_only:
        aws.placeholder_images(needs.images)
    facts = replace(
        facts,
        images=lookups.describe_images(aws, needs.images) if needs.images else {},
        subnets=lookups.existing_subnets(aws, needs.subnets) if needs.subnets else {},
        security_groups=(
            lookups.existing_security_groups(aws, needs.security_groups)
            if needs.security_groups
            else {}
        ),
    )
    _report_unchecked(facts, revision)
    return facts


def refuse(action: Action, facts: Facts, revision: str | None) -> Result | None:
    """A PREFLIGHT_FAILED result when `action` must not be written, else None."""
    failures = preflight.check(action, action.spec, facts)
    if not failures:
        return None
    retryable = all(f.retryable for f in failures)
    for failure in failures:
        (log.warning if failure.retryable else log.error)(
            "preflight_failed",
            **action.id.log_fields(),
            revision=revision,
            action=str(action.type),
            check=str(failure.check),
            reason=failure.reason,
            retryable=failure.retryable,
        )
    return Result(action.id, Outcome.PREFLIGHT_FAILED, _message(failures), retryable)


def problem(action: Action, facts: Facts) -> Problem | None:
    """What `refuse` would refuse, as a plan problem (nothing logged), else None."""
    failures = preflight.check(action, action.spec, facts)
    return Problem(action.id, _message(failures)) if failures else None


def _message(failures: Sequence[Failure]) -> str:
    return "; ".join(f"preflight {f.check}: {f.reason}" for f in failures)


def _report_unchecked(facts: Facts, revision: str | None) -> None:
    """One `preflight_skipped` per check that AWS would not let ecsync do."""
    groups: list[tuple[Check, Iterable[Answer]]] = [
        (Check.IMAGE, facts.images.values()),
        (Check.SUBNET, facts.subnets.values()),
        (Check.SECURITY_GROUP, facts.security_groups.values()),
    ]
    for check, answers in groups:
        denied = [a.error for a in answers if a.seen is Seen.UNCHECKED]
        if denied:
            log.warning(
                "preflight_skipped",
                revision=revision,
                check=str(check),
                count=len(denied),
                reason=f"access denied, not checked: {denied[0]}",
            )
