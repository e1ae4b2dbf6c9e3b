"""Drift: what converged, which alerts were sent, who keeps fighting, and what to apply.

The memory is pure bookkeeping with an injectable clock, so each rule is
tested directly:
- a difference on a resource whose manifests did not change since it last
  converged is drift (a new commit is a sync, not drift);
- in alert-only mode the same drift is logged again only when it changes, or
  when the re-alert interval has passed;
- the same drift corrected `flap_count` times within `flap_window` means some
  other system keeps writing: stop fighting and back off.

`decide` applies these rules to one pass's plan: which actions run, which
correct drift, and which are held back (with their outcome and requeue).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import structlog

from controller.apply.outcomes import Outcome
from controller.core.kinds import ResourceId
from controller.core.resources import TASK_RECORD_PREFIX, Live
from controller.core.settings import Settings
from controller.diff.compare import FieldChange
from controller.plan.actions import REMOVALS, Action, ActionType, Plan
from controller.reconcile.desired import DesiredSet
from controller.reconcile.health import Health
from controller.reconcile.result import KeyResult, Requeue
from controller.reconcile.rollouts import RolloutTracker

log = structlog.get_logger()

RERUN_SKIPPED = (
    "not run again: it already ran for these manifests, and its run record on the cluster "
    "(or the task definition revision it resolves to) was changed outside ecsync; "
    "to run it again, change its spec"
)


@dataclass(frozen=True)
class DriftPolicy:
    realert: float = 3600.0
    flap_count: int = 3
    flap_window: float = 600.0
    alert_only: bool = False
    """Report drift, never correct it (commits are still applied)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> DriftPolicy:
        return cls(
            realert=settings.realert,
            flap_count=settings.flap_count,
            flap_window=settings.flap_window,
            alert_only=settings.alert_only,
        )


def signature(changes: Sequence[FieldChange]) -> str:
    """Identity of one drift: which fields, with which values."""
    encoded = json.dumps([c.to_dict() for c in changes], sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


@dataclass(slots=True)
class _Memory:
    """One per desired resource, for as long as the daemon runs: kept small (slots, and a
    list rather than a deque: corrections are few)."""

    converged: str | None = None
    alerted: str | None = None
    alerted_at: float = 0.0
    corrections: list[tuple[float, str]] = field(default_factory=list)


class DriftTracker:
    def __init__(
        self, policy: DriftPolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._policy = policy or DriftPolicy()
        self._clock = clock
        self._memory: dict[ResourceId, _Memory] = {}

    def converged(self, rid: ResourceId, fingerprint: str) -> None:
        """`rid` now matches manifests whose fingerprint is `fingerprint`."""
        memory = self._memory.get(rid)
        if memory is None:
            memory = self._memory[rid] = _Memory()
        memory.converged = fingerprint
        memory.alerted = None

    def is_drift(self, rid: ResourceId, fingerprint: str) -> bool:
        """True when the manifests did not change since `rid` last converged."""
        memory = self._memory.get(rid)
        return memory is not None and memory.converged == fingerprint

    def should_alert(self, rid: ResourceId, drift: str) -> bool:
        """Alert-only: is this drift new, changed, or due for a reminder?"""
        memory = self._memory.setdefault(rid, _Memory())
        now = self._clock()
        if memory.alerted == drift and now - memory.alerted_at < self._policy.realert:
            return False
        memory.alerted, memory.alerted_at = drift, now
        return True

    def record_correction(self, rid: ResourceId, drift: str) -> bool:
        """Note a correction; True when the same drift keeps coming back (flapping)."""
        memory = self._memory.setdefault(rid, _Memory())
        now = self._clock()
        memory.corrections.append((now, drift))
        while memory.corrections and now - memory.corrections[0][0] > self._policy.flap_window:
            del memory.corrections[0]
        same = sum(1 for _, seen in memory.corrections if seen == drift)
        return same >= self._policy.flap_count

    def forget(self, rid: ResourceId) -> None:
        self._memory.pop(rid, None)

    @property
    def policy(self) -> DriftPolicy:
        return self._policy


@dataclass(frozen=True)
class Decision:
    to_apply: tuple[Action, ...]
    drifted: dict[ResourceId, str]
    """Actions that correct drift: id -> the drift's signature."""
    held: dict[ResourceId, KeyResult]
    """Resources whose action is not run, and why."""


def decide(
    plan: Plan,
    live: Mapping[ResourceId, Live],
    desired: DesiredSet,
    tracker: DriftTracker,
    rollouts: RolloutTracker | None = None,
) -> Decision:
    """Which actions of `plan` to run, which of them correct drift, and which are held back.

    A difference on a resource whose manifests did not change since it last
    converged is drift: it is logged (`drift_detected`), then corrected, unless
    the policy is alert-only or the same drift keeps coming back
    (`drift_flapping`: held for the flap window). Removals and new commits run.

    Not drift, and not written, on the same manifests (`rollouts.holds`): a
    service whose rollout ecsync started is still converging (left out of the
    actions, so the pass goes on following it), and a service whose rollout ECS
    rolled back (held, pending, Degraded, with the rollback's reason).
    """
    policy = tracker.policy
    to_apply: list[Action] = []
    drifted: dict[ResourceId, str] = {}
    held: dict[ResourceId, KeyResult] = {}
    for action in plan.actions:
        rid = action.id
        if action.type in REMOVALS:
            to_apply.append(action)
            continue
        if rid not in desired:
            continue
        if not tracker.is_drift(rid, desired.fingerprint(rid)):
            to_apply.append(action)
            continue
        if action.type is ActionType.RUN:
            held[rid] = _skip_rerun(action, live.get(rid), tracker, desired.revision)
            continue
        hold = rollouts.holds(rid, desired.fingerprint(rid)) if rollouts is not None else None
        if hold is not None:
            if hold.rolled_back:
                held[rid] = KeyResult(
                    rid,
                    Outcome.PENDING,
                    message=hold.message,
                    health=Health.DEGRADED,
                    rollout=hold.progress,
                )
            continue
        drift = signature(action.changes)
        fields = [c.to_dict() for c in action.changes]
        if not policy.alert_only or tracker.should_alert(rid, drift):
            log.warning(
                "drift_detected", **rid.log_fields(), revision=desired.revision, fields=fields
            )
        if policy.alert_only:
            held[rid] = KeyResult(rid, Outcome.DRIFT_HELD, message="drift (alert only)")
            continue
        if tracker.record_correction(rid, drift):
            log.warning(
                "drift_flapping",
                **rid.log_fields(),
                revision=desired.revision,
                fields=fields,
                retry_in=policy.flap_window,
                message="the same drift keeps coming back: another system is writing "
                "this resource; not correcting it until the back-off ends",
            )
            held[rid] = KeyResult(
                rid,
                Outcome.DRIFT_HELD,
                Requeue(after=policy.flap_window),
                message="drift flapping",
            )
            continue
        drifted[rid] = drift
        to_apply.append(action)
    return Decision(tuple(to_apply), drifted, held)


def _skip_rerun(
    action: Action, live: Live | None, tracker: DriftTracker, revision: str | None
) -> KeyResult:
    """A one-off task that ran for these very manifests is never run again by a resync.

    Its run record (a cluster tag) is ecsync's memory, not the task's content:
    when it is removed or edited outside ecsync (or the revision the task
    resolves to changed by hand), nothing in the manifests asks for a second
    run of, say, a migration. Logged once per record value, not as drift.
    """
    rid = action.id
    recorded = live.status.get("record") if live is not None else None
    if tracker.should_alert(rid, f"record {recorded}"):
        log.warning(
            "task_rerun_skipped",
            **rid.log_fields(),
            revision=revision,
            record=f"{TASK_RECORD_PREFIX}{rid.name}",
            recorded=recorded,
            reason=action.reason,
            message=RERUN_SKIPPED,
        )
    return KeyResult(rid, Outcome.UNCHANGED, message=RERUN_SKIPPED)
