"""One reconcile pass, keys in and a result out: what `plan`, `apply` and the daemon all run.

In the manner of controller-runtime's `Reconcile(request) -> Result`: the
pass reads desired and live state again every time (level-triggered) and
never trusts what an event said. For the keys of a `Request` it

1. reads the live state they and what they depend on need, in batches
   (every desired resource with one read when the request is for everything;
   with prune, everything this instance owns as well);
2. plans (the pure planner, plus the revisions to clean up), task definitions
   that follow their image tags at the digests the tags name now
   (`image_updates`: a push to a followed tag is a change, not drift);
3. in `Mode.APPLY`, decides what is a new commit and what is drift
   (`drift.decide`), and applies; in `Mode.PLAN`, adds what preflight would
   refuse to the plan's problems; in `Mode.OBSERVE` (a standby), only reads;
4. judges every key: its outcome, its health and when it should come back
   (`judge`);
5. in `Mode.APPLY`, arms, runs or resumes the post-sync and sync-fail hooks
   of the services it judged (`hooks`).

Everything a pass needs to know about its unit of ownership comes in the
`Target` (see `controller.reconcile.target`), so that a later Application is
a parameter of this pass, not a second pipeline.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from controller.apply import preflight
from controller.apply.executor import apply_plan
from controller.aws import taskdefs
from controller.aws.errors import AwsError
from controller.core.kinds import ResourceId
from controller.core.resources import Desired
from controller.core.settings import Settings
from controller.plan.actions import Plan
from controller.plan.planner import PlanOptions
from controller.reconcile import drift, hooks, image_updates, judge, observe, planning
from controller.reconcile.result import Mode, PassResult, Request
from controller.reconcile.target import Target


def reconcile(target: Target, request: Request) -> PassResult:
    """Run one pass of `request` over `target` (see the module docstring)."""
    started = time.monotonic()
    desired, settings = target.desired, target.settings
    prune = request.prune and settings.prune and desired.load_ok
    if request.everything:
        wanted: Sequence[ResourceId] = list(desired.resources)
    else:
        wanted = sorted(rid for rid in request.keys if rid in desired)
    subset: Sequence[Desired]
    if request.everything or prune:
        subset = desired.values()
    else:
        subset = [desired.resources[rid] for rid in sorted(desired.closure(wanted))]
    options = plan_options(settings, prune=prune, load_ok=desired.load_ok)
    in_use = target.memory.revisions_in_use if target.memory is not None else None
    if in_use is not None and request.everything:
        in_use.expire()  # a resync reads the whole account's revisions in use again, once
    reads = taskdefs.RevisionReads.keeping(
        settings.keep_revisions, in_use.known() if in_use is not None else ()
    )
    try:
        live = observe.read_live(
            target.aws, subset, owned_by=settings.instance if prune else None, revision_reads=reads
        )
        if in_use is not None:
            in_use.note(live)
        pinning = image_updates.resolve(
            target.aws, subset, live, manifests=desired, may_write=request.mode is Mode.APPLY
        )
        # Task definitions that follow their tags are planned at the digests they name now.
        subset, desired = pinning.desired, pinning.desired_set(desired)
        target = dataclasses.replace(target, desired=desired)
        plan = planning.plan(
            target.aws,
            subset,
            live,
            options,
            revision=desired.revision,
            revisions_in_use=in_use,
            remembered=target.memory.in_sync if target.memory is not None else None,
        )
        plan = pinning.checked(plan)
        if request.mode is Mode.PLAN and not settings.skip_preflight:
            plan = _with_preflight_problems(target, plan)
    except AwsError as error:
        return PassResult.unread(wanted, error, time.monotonic() - started)
    if request.mode is not Mode.APPLY:
        keys = pinning.requeued(judge.unwritten(target, plan, wanted, live, request.mode))
        return PassResult(keys, plan, seconds=time.monotonic() - started)
    if target.memory is not None:
        target.memory.rollouts.refresh(target.aws, live)
    decision = (
        drift.decide(plan, live, desired, target.memory.drift, target.memory.rollouts)
        if target.memory is not None
        else drift.Decision(plan.actions, {}, {})
    )
    results = apply_plan(
        target.aws,
        dataclasses.replace(plan, actions=decision.to_apply),
        live,
        revision=desired.revision,
        concurrency=settings.concurrency,
        skip_preflight=settings.skip_preflight,
    )
    keys = judge.applied(target, plan, wanted, live, results=results, decision=decision)
    pinning.log_updates(plan, results, desired.revision)
    keys = pinning.requeued(keys)
    ran = hooks.after_sync(target, plan, live, results, keys)
    keys, results = {**keys, **ran.keys}, [*results, *ran.results]
    return PassResult(keys, plan, tuple(results), seconds=time.monotonic() - started)


def plan_options(settings: Settings, *, prune: bool, load_ok: bool) -> PlanOptions:
    """The planner's options for one pass: the settings, with prune as this pass does it."""
    return PlanOptions(
        instance=settings.instance,
        prune=prune,
        adopt=settings.adopt,
        load_ok=load_ok,
        prune_max_share=settings.prune_max_share,
        confirm_prune=settings.confirm_prune,
        keep_revisions=settings.keep_revisions,
    )


def _with_preflight_problems(target: Target, plan: Plan) -> Plan:
    """What apply would refuse becomes a problem of the plan, with apply's own reason text
    (the lookups only read)."""
    revision = target.desired.revision
    facts = preflight.prepare(target.aws, plan.actions, revision=revision, read_only=True)
    found = tuple(p for a in plan.actions if (p := preflight.problem(a, facts)) is not None)
    return dataclasses.replace(plan, problems=plan.problems + found) if found else plan
