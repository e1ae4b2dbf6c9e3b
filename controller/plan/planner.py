"""Pair desired with live resources and decide, per resource, what to do.

Pure: takes plain data, returns a Plan. Desired and live are normalised by
the same functions, compared field by field, and only what differs is
written. Prune candidates are live resources carrying this instance's
ownership tag that no manifest names any more (see `prune`).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from controller.core.field_facts import REPLACE_FIELDS
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import (
    CONTENT_HASH_TAG,
    NEWEST_TAGS,
    OWNER_TAG,
    PRUNE_TAG,
    TASK_RECORD_PREFIX,
    Desired,
    Live,
)
from controller.diff import pointer
from controller.diff.compare import FieldChange, compare
from controller.diff.normalise import COMPUTED, NAMESPACE_REFERENCES, normalise
from controller.diff.normalise.common import arns_as_names, concrete_paths, user_tags
from controller.diff.normalise.repository import KMS_KEY
from controller.diff.normalise.task_definition import content_hash
from controller.plan import memo, ordering, prune, references, schedules, tasks
from controller.plan.actions import Action, ActionType, Plan, Problem

IMMUTABLE_FIELDS: dict[Kind, frozenset[str]] = {
    Kind.REPOSITORY: frozenset({"encryptionConfiguration"}),
    Kind.CAPACITY_PROVIDER: frozenset(),
    Kind.CLUSTER: frozenset(),
    # CreateLogGroup: "The value of logGroupClass can't be changed after a log group is
    # created"; replacing the group would delete its log events.
    Kind.LOG_GROUP: frozenset({"logGroupClass"}),
}
"""Fields that cannot change without destroying data or capacity: ecsync
reports them and never replaces the resource on its own."""

UNTAGGED: frozenset[Kind] = frozenset({Kind.SCALING_POLICY})
"""Kinds AWS keeps no tags for: no tags are compared, and their reader sets `Live.owner`
from what owns them (a scaling policy: its scalable target)."""

SCALED_COUNT = "/desiredCount"

PENDING_REVISION = "(new revision)"

NAMESPACE_NAMES = "namespaceNames"
"""`Live.status` key: ARN -> name of the Cloud Map namespaces the live resource
references, read in the same pass (see `controller.reconcile.observe`). A manifest
naming a namespace by name is compared with that name, not with the ARN AWS reports."""

KMS_KEY_ALIAS = "kmsKeyAlias"
"""`Live.status` key of a Repository: the KMS alias its manifest names, set (by
`controller.reconcile.observe`, from one ListAliases in the same pass) only when that
alias targets the key ECR reports. The manifest's alias is then compared with itself,
not with the key ARN ECR reports."""


@dataclass(frozen=True)
class PlanOptions:
    instance: str = "ecsync"
    prune: bool = False
    adopt: bool = False
    """Take over every existing, unowned resource that a manifest names."""
    load_ok: bool = True
    """False when any manifest failed to load: then nothing is ever pruned."""
    prune_max_share: float = 0.3
    """The mass-deletion guard: a prune that would delete more than this share of
    the owned resources (or everything, when the manifests name nothing) is held
    back unless `confirm_prune`."""
    confirm_prune: bool = False
    keep_revisions: int | None = 5
    """Owned task definition revisions kept per family; None keeps them all."""


def build_plan(
    desired: Sequence[Desired],
    live: Mapping[ResourceId, Live],
    options: PlanOptions,
    *,
    remembered: memo.InSync | None = None,
) -> Plan:
    """The plan for `desired` against `live`. A long-running caller passes the memo it keeps
    (`remembered`): a resource whose inputs are those it was last found in sync with is in
    sync again, without normalising or comparing (see `controller.plan.memo`)."""
    steps: list[Action] = []
    problems: list[Problem] = []
    in_sync: list[ResourceId] = []
    resolved: dict[str, str] = {}
    families = {d.id.name for d in desired if d.id.kind is Kind.TASK_DEFINITION}
    desired_ids = {d.id for d in desired}

    notes = [_scaled_note(d) for d in desired if d.annotations.scaled_by and _sets_count(d)]
    # Task definitions first: services and schedules compare with the revisions they resolve.
    first = [d for d in desired if d.id.kind is Kind.TASK_DEFINITION]
    for d in [*first, *(d for d in desired if d.id.kind is not Kind.TASK_DEFINITION)]:
        problem = references.missing(d, desired_ids, live)
        if problem is None and d.id.kind is Kind.TASK:
            outcome = tasks.plan_task(d, live.get(d.id), options.instance, resolved, families)
        else:
            outcome = problem or _plan_remembered(
                d, live.get(d.id), options, resolved, families, remembered=remembered
            )
        if outcome is None:
            in_sync.append(d.id)
        elif isinstance(outcome, Action):
            steps.append(outcome)
        else:
            problems.append(outcome)

    steps = tasks.hold_services_for_hooks(steps, problems, desired)
    pruning = prune.plan_prune(desired, live, options) if options.prune else prune.Pruning()
    steps.extend(pruning.deletes)
    problems.extend(pruning.problems)
    return Plan(
        actions=tuple(ordering.sort(steps)),
        problems=tuple(problems),
        in_sync=tuple(sorted(in_sync)),
        notes=(*notes, *pruning.notes),
        resolved_task_definitions=resolved,
        prune_blocked=pruning.blocked,
    )


def _plan_remembered(
    d: Desired,
    live: Live | None,
    options: PlanOptions,
    resolved: dict[str, str],
    families: set[str],
    *,
    remembered: memo.InSync | None,
) -> Action | Problem | None:
    """`_plan_one`, skipped when `remembered` holds `d` in sync with the same inputs."""
    if remembered is None or live is None:
        return _plan_one(_with_scaled_count_ignored(d), live, options, resolved, families)
    inputs = _inputs(d, live, options, resolved, families)
    seen = remembered.found(d, inputs)
    if seen is not None:
        if seen.resolved is not None:
            resolved[d.id.name] = seen.resolved
        return None
    outcome = _plan_one(_with_scaled_count_ignored(d), live, options, resolved, families)
    if outcome is None:
        family_revision = resolved[d.id.name] if d.id.kind is Kind.TASK_DEFINITION else None
        remembered.note(d, inputs, family_revision)
    else:
        remembered.forget(d.id)
    return outcome


def _inputs(
    d: Desired, live: Live, options: PlanOptions, resolved: dict[str, str], families: set[str]
) -> bytes:
    """A digest of what `_plan_one` reads besides `d` itself: the options, the live state
    (a task definition's by its revisions, whose content never changes once registered
    (RegisterTaskDefinition, ECS API Reference): the newest one's ARN stands for its
    content, though not for its tags) and the revision a service or schedule runs."""
    managing = (options.instance, options.adopt)
    if d.id.kind is Kind.TASK_DEFINITION:
        revisions = live.status.get("revisions")
        # read from AWS, a family says its newest tags in its status: its spec stays unmade
        tags = live.status[NEWEST_TAGS] if NEWEST_TAGS in live.status else live.spec.get("tags")
        return memo.digest(managing, live.arn, live.owner, tags, revisions)
    return memo.digest(
        managing,
        live.owner,
        live.status.get(NAMESPACE_NAMES),
        live.status.get(KMS_KEY_ALIAS),
        _resolution(d, resolved, families),
        live.spec,
    )


def _plan_one(
    d: Desired,
    live: Live | None,
    options: PlanOptions,
    resolved: dict[str, str],
    families: set[str],
) -> Action | Problem | None:
    system = _wanted_system_tags(d, options)
    owner_problem = _ownership(d, live, options)
    if owner_problem:
        return owner_problem
    managing = live is None or live.owner == options.instance or _adopting(d, options)
    if d.id.kind is Kind.TASK_DEFINITION:
        return _plan_task_definition(d, live, system, resolved, managing)

    compare_spec = _resolve_task_definition(d, resolved, families)
    depends = references.dependencies(d, families)
    if live is None:
        spec = _own({**d.spec, "tags": {**user_tags(d.spec.get("tags")), **system}})
        return Action(
            ActionType.CREATE, d.id, spec=spec, depends_on=depends, wave=d.annotations.wave
        )

    desired_norm, live_norm = _normalised_pair(d, compare_spec, live)
    changes = compare(desired_norm, live_norm, set(d.spec) - {"tags"})
    wanted_tags = user_tags(d.spec["tags"] if "tags" in d.spec else live.spec.get("tags"))
    live_tags = user_tags(live.spec.get("tags"))
    if managing:
        wanted_tags = {**wanted_tags, **system}
        live_tags = {**live_tags, **_system_tags(live)}
    if d.id.kind not in UNTAGGED:
        changes += compare({"tags": wanted_tags}, {"tags": live_tags}, ["tags"])
    changes = _without_ignored(changes, d)
    if not changes:
        return None
    if not managing:
        return Problem(
            d.id,
            "exists in AWS but was not created by ecsync, so it is not changed; "
            'to let ecsync manage it, add the annotation `ecsync/adopt: "true"` '
            "or run with --adopt",
            tuple(changes),
        )
    return _change(d, live, changes, wanted_tags, depends)


def _change(
    d: Desired,
    live: Live,
    changes: list[FieldChange],
    tags: dict[str, str],
    depends: tuple[ResourceId, ...],
) -> Action | Problem:
    """Update in place, replace, or refuse, depending on which fields changed."""
    fields = frozenset(c.top_field for c in changes)
    blocked = fields & IMMUTABLE_FIELDS.get(d.id.kind, frozenset())
    if blocked:
        return Problem(
            d.id,
            f"{', '.join(sorted(blocked))} cannot change on an existing resource; "
            "revert the manifest, or create a new resource under another name",
            tuple(changes),
        )
    replaced = fields & REPLACE_FIELDS.get(d.id.kind, frozenset())
    return Action(
        ActionType.REPLACE if replaced else ActionType.UPDATE,
        d.id,
        changes=tuple(changes),
        fields=fields,
        spec=_write_spec(d, live, tags),
        depends_on=depends,
        wave=d.annotations.wave,
        reason=f"ECS cannot update {', '.join(sorted(replaced))} in place" if replaced else "",
    )


def _plan_task_definition(
    d: Desired, live: Live | None, system: dict[str, str], resolved: dict[str, str], managing: bool
) -> Action | Problem | None:
    effective = _grafted(d.spec, live.spec if live else None, d.annotations.ignore)
    desired_norm = normalise(Kind.TASK_DEFINITION, effective)
    digest = content_hash(desired_norm)
    tags = {**user_tags(d.spec.get("tags")), **system, CONTENT_HASH_TAG: digest}
    depends = references.dependencies(d, set())
    if live is None:
        return Action(
            ActionType.REGISTER,
            d.id,
            spec=_own({**effective, "tags": tags}),
            depends_on=depends,
            wave=d.annotations.wave,
        )
    for revision in reversed(live.status.get("revisions", [])):
        if revision.get("content_hash") == digest and revision.get("owner") is not None:
            resolved[d.id.name] = str(revision["arn"])
            return None
    live_norm = normalise(Kind.TASK_DEFINITION, live.spec)
    content_fields = (set(desired_norm) | set(live_norm)) - {"tags"}
    changes = compare(desired_norm, live_norm, content_fields)
    if not changes:
        resolved[d.id.name] = live.arn
        return None
    if not managing:
        return Problem(
            d.id,
            "this family has revisions that ecsync did not register, so no new one is "
            'registered; add the annotation `ecsync/adopt: "true"` or run with --adopt',
            tuple(changes),
        )
    return Action(
        ActionType.REGISTER,
        d.id,
        changes=tuple(changes),
        fields=frozenset(c.top_field for c in changes),
        spec=_own({**effective, "tags": tags}),
        depends_on=depends,
        wave=d.annotations.wave,
    )


def _ownership(d: Desired, live: Live | None, options: PlanOptions) -> Problem | None:
    if live is None or live.owner is None or live.owner == options.instance:
        return None
    return Problem(
        d.id,
        f"is owned by the ecsync instance {live.owner!r}, not {options.instance!r}; "
        "it is never touched. Remove it from these manifests or run as that instance",
    )


def _adopting(d: Desired, options: PlanOptions) -> bool:
    return options.adopt or d.annotations.adopt


def _resolve_task_definition(
    d: Desired, resolved: dict[str, str], families: set[str]
) -> dict[str, Any]:
    """Services and schedules name a family from the manifests; compare against the
    revision to run."""
    revision = _resolution(d, resolved, families)
    if revision is None:
        return d.spec
    if d.id.kind is Kind.SCHEDULE:
        return schedules.with_task_definition(d.spec, revision)
    return {**d.spec, "taskDefinition": revision}


def _resolution(d: Desired, resolved: dict[str, str], families: set[str]) -> str | None:
    """The revision a service or schedule naming a family from the manifests runs (a pending
    one while the family has none yet); None for anything else."""
    if d.id.kind is Kind.SCHEDULE:
        family = schedules.family(d.spec, families)
    elif d.id.kind is Kind.SERVICE and d.spec.get("taskDefinition") in families:
        family = d.spec["taskDefinition"]
    else:
        return None
    return None if family is None else resolved.get(family, f"{family}:{PENDING_REVISION}")


def _normalised_pair(
    d: Desired, compare_spec: dict[str, Any], live: Live
) -> tuple[dict[str, Any], dict[str, Any]]:
    desired_norm = normalise(d.id.kind, compare_spec)
    live_spec = live.spec
    names = live.status.get(NAMESPACE_NAMES)
    if names:
        live_spec = arns_as_names(compare_spec, live_spec, NAMESPACE_REFERENCES[d.id.kind], names)
    alias = live.status.get(KMS_KEY_ALIAS)
    if alias:
        live_spec = pointer.graft(
            live_spec, {"encryptionConfiguration": {"kmsKey": alias}}, KMS_KEY
        )
    live_norm = normalise(d.id.kind, live_spec)
    for computed in COMPUTED.get(d.id.kind, ()):
        for path in concrete_paths(desired_norm, computed):
            if not pointer.has(desired_norm, path):
                desired_norm = pointer.graft(desired_norm, live_norm, path)
    for path in d.annotations.ignore:
        desired_norm = pointer.graft(desired_norm, live_norm, path)
    return desired_norm, live_norm


def _sets_count(d: Desired) -> bool:
    return "desiredCount" in d.spec


def _scaled_note(d: Desired) -> str:
    return f"{d.id}: desiredCount left to Application Auto Scaling ({d.annotations.scaled_by})"


def _with_scaled_count_ignored(d: Desired) -> Desired:
    """A Service that a ScalableTarget scales, with its desiredCount ignored: a create
    still sends the manifest's count, then the count is the scaler's (no drift, no write)."""
    if not d.annotations.scaled_by or SCALED_COUNT in d.annotations.ignore:
        return d
    ignore = (*d.annotations.ignore, SCALED_COUNT)
    return dataclasses.replace(d, annotations=dataclasses.replace(d.annotations, ignore=ignore))


def _without_ignored(changes: list[FieldChange], d: Desired) -> list[FieldChange]:
    return [
        c for c in changes if not any(pointer.is_within(c.path, p) for p in d.annotations.ignore)
    ]


def _grafted(
    spec: dict[str, Any], live_spec: dict[str, Any] | None, ignore: tuple[str, ...]
) -> dict[str, Any]:
    """The spec with every ignored field taking its live value, so a write keeps it.

    It may share parts with `spec` (or be `spec` itself): never change it. What
    becomes an action's spec is deep-copied (`_own`), because actions are
    changed on their way to AWS and the manifests' own specs must stay as
    loaded (drift detection compares their fingerprint with the converged one).
    """
    if live_spec is None:
        return spec
    for path in ignore:
        spec = pointer.graft(spec, live_spec, path)
    return spec


def _own(spec: dict[str, Any]) -> dict[str, Any]:
    """A deep copy, for an action: nothing it holds is shared with the manifests."""
    return copy.deepcopy(spec)


def _write_spec(d: Desired, live: Live, tags: dict[str, str]) -> dict[str, Any]:
    """What an update sends; one-off task records on a cluster are kept as they are."""
    spec = _own(_grafted(d.spec, live.spec, d.annotations.ignore))
    records = {
        k: v for k, v in (live.spec.get("tags") or {}).items() if k.startswith(TASK_RECORD_PREFIX)
    }
    spec["tags"] = {**records, **tags}
    return spec


def _wanted_system_tags(d: Desired, options: PlanOptions) -> dict[str, str]:
    tags = {OWNER_TAG: options.instance}
    if not d.annotations.prune:
        tags[PRUNE_TAG] = "false"
    return tags


def _system_tags(live: Live) -> dict[str, str]:
    tags = live.spec.get("tags") or {}
    return {k: v for k, v in tags.items() if k in (OWNER_TAG, PRUNE_TAG)}
