"""Post-sync and sync-fail hooks at the end of a writing pass: arm, run, resume.

The rules are pure (`controller.plan.triggers`); this module gathers what
they need from one pass and acts on their answer:

- which hooks the pass concerns: those whose services, or anything those
  services depend on, the pass judged (an index built once per desired set);
- what the pass, and for services it did not judge the passes before it,
  say about those services: written, failed, Degraded, in sync and Healthy;
- each hook's run record, a tag of its cluster (read with the pass's
  clusters, or here when the hook's cluster was not among them).

It then writes the records that arm or disarm a hook (`hook_waiting` when
armed), and runs the hooks that are due (`hook_triggered`, with why) through
the executor, which logs `task_started`, `task_succeeded` and `task_failed`
with the hook's phase in `hook`, and records each run.

A one-shot `ecsync apply` keeps no memory: it knows only what its own pass
read, so a hook whose services it writes is armed, and runs at a later
`apply` (or in the daemon) once they are Healthy (see README, "Hooks").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from controller.apply.executor import apply_plan
from controller.apply.outcomes import Outcome, Result
from controller.aws import clusters, tasks
from controller.aws.errors import AwsError
from controller.core import hooks
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import TASK_RECORD_PREFIX, Desired, Live
from controller.plan import triggers
from controller.plan.actions import Action, ActionType, Plan
from controller.plan.tasks import parse_record, run_spec
from controller.reconcile.desired import DesiredSet
from controller.reconcile.health import Health, assess_live
from controller.reconcile.result import BACKOFF, FORGET, KeyResult

if TYPE_CHECKING:
    from controller.reconcile.target import Target

log = structlog.get_logger()

_WRITES = frozenset({Outcome.CREATED, Outcome.UPDATED, Outcome.REPLACED})
_WAITING_FOR = {
    hooks.POST_SYNC: "runs once these services are in sync and Healthy",
    hooks.SYNC_FAIL: "runs if a rollout of these services fails",
}


@dataclass(frozen=True)
class Index:
    """The post-sync and sync-fail hooks of one desired set, and who concerns them."""

    services: dict[ResourceId, tuple[ResourceId, ...]] = field(default_factory=dict)
    """Hook -> the services it is for."""
    scope: dict[ResourceId, frozenset[ResourceId]] = field(default_factory=dict)
    """Hook -> its services and all they depend on (a failure there fails their sync)."""
    concerned: dict[ResourceId, tuple[ResourceId, ...]] = field(default_factory=dict)
    """Resource -> the hooks whose scope holds it; each hook is in its own."""


@dataclass(frozen=True)
class Seen:
    """What the last pass that judged a service saw."""

    health: Health | None
    in_sync: bool
    """Nothing was due, written or held back for it: live state matched its manifests."""


class HookMemory:
    """What a long-running target remembers for its hooks between passes: the index of
    its desired set, and what was last seen of each service a hook is for."""

    def __init__(self) -> None:
        self._desired: DesiredSet | None = None
        self._index = Index()
        self.seen: dict[ResourceId, Seen] = {}

    def index(self, desired: DesiredSet) -> Index:
        if desired is not self._desired:
            self._desired, self._index = desired, index_of(desired)
        return self._index

    def forget(self, rid: ResourceId) -> None:
        self.seen.pop(rid, None)


@dataclass(frozen=True)
class HookRuns:
    """What the hooks did in one pass: their keys, and the results of their runs."""

    keys: dict[ResourceId, KeyResult] = field(default_factory=dict)
    results: tuple[Result, ...] = ()


def after_sync(
    target: Target,
    plan: Plan,
    live: Mapping[ResourceId, Live],
    results: Sequence[Result],
    keys: Mapping[ResourceId, KeyResult],
) -> HookRuns:
    """Arm, disarm, run or resume every hook this writing pass concerns."""
    desired = target.desired
    memory = target.memory.hooks if target.memory is not None else None
    index = memory.index(desired) if memory is not None else index_of(desired)
    if not index.services:
        return HookRuns()
    seen = _note_seen(index, keys, live, memory)
    problems = {p.id for p in plan.problems}
    due = sorted({h for rid in keys for h in index.concerned.get(rid, ())} - problems)
    if not due:
        return HookRuns()
    known = _with_clusters(target, due, live)
    written = {r.id for r in results if r.outcome in _WRITES}
    failed = {rid for rid, key in keys.items() if key.outcome.failed} | problems
    judged: dict[ResourceId, KeyResult] = {}
    runs: list[Action] = []
    for rid in due:
        cluster = known.get(ResourceId(Kind.CLUSTER, rid.cluster))
        if cluster is None:
            continue  # the hook's cluster is gone: the plan says so for the hook itself
        hook, services = desired.resources[rid], index.services[rid]
        phase = str(hook.annotations.hook)
        sync = triggers.SyncState(
            written=not written.isdisjoint(services),
            failed=not failed.isdisjoint(index.scope[rid]),
            degraded=any(_health(seen, s) is Health.DEGRADED for s in services),
            healthy=all(_health(seen, s) is Health.HEALTHY and seen[s].in_sync for s in services),
        )
        current = triggers.version(desired.fingerprint(s) for s in services)
        recorded, state, task_arn = parse_record(_record(cluster, rid))
        step = triggers.step(phase, current, recorded, state, sync)
        fields: dict[str, Any] = {
            **rid.log_fields(),
            "revision": desired.revision,
            "hook": phase,
            "services": [str(s) for s in services],
        }
        if step in (triggers.Step.ARM, triggers.Step.DISARM):
            judged[rid] = _mark(target, cluster, rid=rid, current=current, step=step, fields=fields)
        elif step is triggers.Step.RUN:
            log.info("hook_triggered", **fields, reason=triggers.reason(phase, sync))
            runs.append(_run(target, hook, current))
        elif step is triggers.Step.RESUME:
            runs.append(_run(target, hook, current, resume=task_arn))
    if not runs:
        return HookRuns(judged)
    resolved = {
        **plan.resolved_task_definitions,
        **{r.id.name: r.arn for r in results if r.outcome is Outcome.REGISTERED},
    }
    done = apply_plan(
        target.aws,
        Plan(actions=tuple(runs), resolved_task_definitions=resolved),
        known,
        revision=desired.revision,
        concurrency=target.settings.concurrency,
        skip_preflight=True,  # RunTask has no preflight check
    )
    for result in done:
        requeue = BACKOFF if result.outcome.failed and result.retryable else FORGET
        judged[result.id] = KeyResult(
            result.id, result.outcome, requeue, error=result.error or None
        )
    return HookRuns(judged, tuple(done))


def index_of(desired: DesiredSet) -> Index:
    """The post-sync and sync-fail hooks of `desired`, their services and scopes: one scan
    of the set, then lookups by service name or task definition family."""
    services: dict[ResourceId, tuple[ResourceId, ...]] = {}
    scope: dict[ResourceId, frozenset[ResourceId]] = {}
    concerned: dict[ResourceId, list[ResourceId]] = {}
    found = hooks.services_of_hooks(desired.values(), hooks.is_triggered_hook)
    for hook, candidates in found.items():
        held = tuple(sorted(set(candidates)))
        if not held:
            continue  # validate refuses it; a hook for nothing never runs
        services[hook] = held
        scope[hook] = frozenset(desired.closure(held))
        for rid in scope[hook] | {hook}:
            concerned.setdefault(rid, []).append(hook)
    return Index(services, scope, {rid: tuple(ids) for rid, ids in concerned.items()})


def _note_seen(
    index: Index,
    keys: Mapping[ResourceId, KeyResult],
    live: Mapping[ResourceId, Live],
    memory: HookMemory | None,
) -> Mapping[ResourceId, Seen]:
    """What is known of each service a hook is for: this pass's judgement where it judged
    the service, else the last one remembered. A one-shot run, which follows no rollout,
    judges health from what its pass read before writing: what the last sync left."""
    seen = memory.seen if memory is not None else {}
    for rid, key in keys.items():
        if rid not in index.concerned or rid.kind is not Kind.SERVICE:
            continue
        health = key.health
        if health is None and memory is None:
            found = live.get(rid)
            assessment = assess_live(found) if found is not None else None
            health = assessment.health if assessment is not None else None
        seen[rid] = Seen(health, key.outcome is Outcome.UNCHANGED)
    return seen


def _health(seen: Mapping[ResourceId, Seen], rid: ResourceId) -> Health | None:
    found = seen.get(rid)
    return found.health if found is not None else None


def _with_clusters(
    target: Target, due: Iterable[ResourceId], live: Mapping[ResourceId, Live]
) -> dict[ResourceId, Live]:
    """`live`, with the clusters of the `due` hooks that this pass did not read (their tags
    hold the run records)."""
    known = dict(live)
    missing = {rid.cluster for rid in due} - {rid.name for rid in live if rid.kind is Kind.CLUSTER}
    if missing:
        try:
            read = clusters.read_clusters(target.aws, sorted(missing))
        except AwsError as error:
            log.warning("hook_records_unread", clusters=sorted(missing), error=str(error))
            return known
        known.update({ResourceId(Kind.CLUSTER, name): item for name, item in read.items()})
    return known


def _record(cluster: Live, rid: ResourceId) -> str | None:
    value = (cluster.spec.get("tags") or {}).get(f"{TASK_RECORD_PREFIX}{rid.name}")
    return str(value) if value is not None else None


def _mark(
    target: Target,
    cluster: Live,
    *,
    rid: ResourceId,
    current: str,
    step: triggers.Step,
    fields: dict[str, Any],
) -> KeyResult:
    """Write the record that arms (`waiting`) or disarms (`passed`) a hook."""
    state = triggers.WAITING if step is triggers.Step.ARM else triggers.PASSED
    try:
        tasks.write_record(target.aws, cluster.arn, rid, f"{current} {state}")
    except AwsError as error:
        log.error("hook_record_failed", **fields, error=str(error), retryable=error.retryable)
        return KeyResult(rid, Outcome.FAILED, BACKOFF if error.retryable else FORGET, str(error))
    if step is triggers.Step.DISARM:
        return KeyResult(rid, Outcome.UNCHANGED, message="not needed: its services synced")
    message = _WAITING_FOR[str(fields["hook"])]
    log.info("hook_waiting", **fields, message=message)
    return KeyResult(rid, Outcome.UNCHANGED, message=f"waiting: {message}")


def _run(target: Target, hook: Desired, version: str, *, resume: str = "") -> Action:
    return Action(
        ActionType.RUN,
        hook.id,
        spec=run_spec(hook, target.settings.instance),
        hook=str(hook.annotations.hook),
        record=version,
        resume_task=resume,
    )
