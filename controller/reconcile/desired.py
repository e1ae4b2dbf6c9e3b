"""The desired set of one target, and the facts every pass needs about it, computed once.

A manifest load yields a `DesiredSet`. Building it costs O(N): each
resource's digest, its direct dependencies (with the pre-sync hooks that
hold a service), who depends on whom, and each resource's fingerprint. A
pass then looks these up per key, so that its bookkeeping costs nothing per
resource beyond the resource's own key (before, every fingerprint walked the
whole set, and a resync of N services cost O(N²)).
"""

from __future__ import annotations

import copy
import hashlib
import json
import weakref
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field

from controller.core import hooks
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired
from controller.plan.references import dependencies


@dataclass(frozen=True, eq=False)
class DesiredSet:
    """What the manifests of one revision ask for, keyed by resource.

    `load_ok` is False when the latest load failed and this is the last good
    set: it is still enforced, but nothing is pruned.
    """

    resources: Mapping[ResourceId, Desired]
    revision: str | None = None
    load_ok: bool = True
    previous: InitVar[DesiredSet | None] = None
    """The set this one follows: what did not change is taken from it, not computed again."""
    _families: frozenset[str] = field(init=False, repr=False)
    _hooks: frozenset[ResourceId] = field(init=False, repr=False)
    """The pre-sync hooks among the resources."""
    _edits: tuple[weakref.ref[DesiredSet], set[ResourceId], set[ResourceId]] | None = field(
        init=False, repr=False, default=None
    )
    """The set this one follows (`_follow`), and what differs from it: (changed, removed)."""
    _objects: frozenset[int] = field(init=False, repr=False)
    """The `id()` of each resource's `Desired` (they live as long as this set): a set that
    follows this one finds what changed by identity, without hashing every resource id."""
    _digests: dict[ResourceId, str] = field(init=False, repr=False)
    _plain: dict[ResourceId, tuple[ResourceId, ...]] = field(init=False, repr=False)
    """Direct dependencies (`controller.plan.references.dependencies`)."""
    _needs: dict[ResourceId, tuple[ResourceId, ...]] = field(init=False, repr=False)
    """Direct dependencies among the desired, plus for a service the pre-sync hooks that
    hold it."""
    _dependents: dict[ResourceId, tuple[ResourceId, ...]] = field(init=False, repr=False)
    _fingerprints: dict[ResourceId, str] = field(init=False, repr=False)

    def __post_init__(self, previous: DesiredSet | None) -> None:
        if previous is None or not self._follow(previous):
            self._build(previous)

    def _build(self, previous: DesiredSet | None) -> None:
        """Every fact worked out over the whole set (taking each unchanged resource's digest,
        dependencies and fingerprint from `previous`)."""
        resources = self.resources
        families = frozenset(rid.name for rid in resources if rid.kind is Kind.TASK_DEFINITION)
        names = set(families)
        same_families = previous is not None and previous._families == families
        digests: dict[ResourceId, str] = {}
        plain: dict[ResourceId, tuple[ResourceId, ...]] = {}
        for rid, d in resources.items():
            if previous is not None and previous.resources.get(rid) is d:
                digests[rid] = previous._digests[rid]
                plain[rid] = previous._plain[rid] if same_families else dependencies(d, names)
            else:
                digests[rid] = _digest(d)
                plain[rid] = dependencies(d, names)
        held = _held_by_hooks(resources.values())
        needs = {
            rid: tuple(dep for dep in (*deps, *held.get(rid, ())) if dep in resources)
            for rid, deps in plain.items()
        }
        dependents: dict[ResourceId, list[ResourceId]] = {}
        for rid, deps in plain.items():
            for dep in deps:
                dependents.setdefault(dep, []).append(rid)
        object.__setattr__(self, "_families", families)
        object.__setattr__(
            self, "_hooks", frozenset(d.id for d in resources.values() if is_hook(d))
        )
        object.__setattr__(self, "_objects", frozenset(map(id, resources.values())))
        object.__setattr__(self, "_digests", digests)
        object.__setattr__(self, "_plain", plain)
        object.__setattr__(self, "_needs", needs)
        object.__setattr__(self, "_dependents", {k: tuple(v) for k, v in dependents.items()})
        kept = self._unaffected(previous) if previous is not None else set()
        fingerprints = {rid: self._fingerprint_of(rid) for rid in resources if rid not in kept}
        if previous is not None:
            fingerprints.update((rid, previous._fingerprints[rid]) for rid in kept)
        object.__setattr__(self, "_fingerprints", fingerprints)

    def _follow(self, previous: DesiredSet) -> bool:
        """The facts of `previous`, with only what changed since worked out again: a one-file
        edit in a fleet of 10,000 services costs what the edit touches, not a walk of every
        resource's facts. False (nothing set) when a family came or went, or pre-sync hooks
        are involved: `_build` then works everything out."""
        resources, before = self.resources, previous.resources
        kept = previous._objects
        changed = [d.id for d in resources.values() if id(d) not in kept]
        added = [rid for rid in changed if rid not in before]
        removed = [] if len(before) + len(added) == len(resources) else _gone(before, resources)
        came_or_went = [*added, *removed]
        if (
            previous._hooks
            or any(is_hook(resources[rid]) for rid in changed)
            or any(rid.kind is Kind.TASK_DEFINITION for rid in came_or_went)
        ):
            return False
        families = previous._families
        digests, plain = dict(previous._digests), dict(previous._plain)
        for rid in removed:
            del digests[rid], plain[rid]
        for rid in changed:
            digests[rid] = _digest(resources[rid])
            plain[rid] = dependencies(resources[rid], set(families))
        dependents = _patched_dependents(previous, plain, [*changed, *removed])
        # Whose needs may differ: the changed, and what depends on an id that came or went.
        touched = {*changed, *(r for rid in came_or_went for r in dependents.get(rid, ()))}
        needs = dict(previous._needs)
        for rid in removed:
            del needs[rid]
        for rid in touched:
            if rid in resources:
                needs[rid] = tuple(dep for dep in plain[rid] if dep in resources)
        # Without hooks, a resource needs only what it depends on: dependents lead back.
        dirty = [
            rid
            for rid in touched
            if rid in resources
            and (
                previous._digests.get(rid) != digests[rid] or previous._needs.get(rid) != needs[rid]
            )
        ]
        affected: set[ResourceId] = set()
        while dirty:
            rid = dirty.pop()
            if rid not in affected:
                affected.add(rid)
                dirty.extend(r for r in dependents.get(rid, ()) if rid in needs[r])
        object.__setattr__(self, "_families", families)
        object.__setattr__(self, "_hooks", frozenset())
        object.__setattr__(self, "_objects", frozenset(map(id, resources.values())))
        object.__setattr__(self, "_digests", digests)
        object.__setattr__(self, "_plain", plain)
        object.__setattr__(self, "_needs", needs)
        object.__setattr__(self, "_dependents", dependents)
        edited = {rid for rid in changed if previous._digests.get(rid) != digests[rid]}
        object.__setattr__(self, "_edits", (weakref.ref(previous), edited, set(removed)))
        fingerprints = dict(previous._fingerprints)
        for rid in removed:
            del fingerprints[rid]
        for rid in affected:
            fingerprints[rid] = self._fingerprint_of(rid)
        object.__setattr__(self, "_fingerprints", fingerprints)
        return True

    @classmethod
    def of(
        cls,
        resources: Iterable[Desired],
        revision: str | None = None,
        *,
        load_ok: bool = True,
        previous: DesiredSet | None = None,
    ) -> DesiredSet:
        """The set of `resources`; with `previous` (the set it follows), only what changed
        is worked out again."""
        return cls({d.id: d for d in resources}, revision, load_ok, previous)

    def with_load_failed(self) -> DesiredSet:
        """This set, kept as the last good one after a later load failed: nothing is pruned."""
        kept = copy.copy(self)
        object.__setattr__(kept, "load_ok", False)
        return kept

    def __contains__(self, rid: object) -> bool:
        return rid in self.resources

    def __len__(self) -> int:
        return len(self.resources)

    def values(self) -> Sequence[Desired]:
        return list(self.resources.values())

    def fingerprint(self, rid: ResourceId) -> str:
        """A digest of what the manifests say about `rid` and what it depends on.

        When it is unchanged since the resource last converged, any difference
        found later was made outside ecsync: that is drift.
        """
        return self._fingerprints[rid]

    def closure(self, ids: Collection[ResourceId]) -> set[ResourceId]:
        """`ids` plus every desired resource they depend on, transitively.

        A service also depends on each pre-sync hook that holds it: when a hook
        failed, a later pass over the service alone must still see it and keep
        the service held.
        """
        found: set[ResourceId] = set()
        pending = [rid for rid in ids if rid in self.resources]
        while pending:
            rid = pending.pop()
            if rid not in found:
                found.add(rid)
                pending.extend(self._needs[rid])
        return found

    def dependents(self, changed: Collection[ResourceId]) -> set[ResourceId]:
        """Desired resources that depend on any of `changed` (one level is enough:
        services and tasks depend on task definitions and clusters, clusters on
        capacity providers, and nothing depends on services)."""
        return {rid for dep in changed for rid in self._dependents.get(dep, ())}

    def changes_since(self, older: DesiredSet | None) -> tuple[set[ResourceId], set[ResourceId]]:
        """What differs from `older`: (added or changed, with their dependents; removed).

        A document that only moved within the files is not a change.
        """
        if older is None:
            return set(self.resources), set()
        if self._edits is not None and self._edits[0]() is older:
            changed, removed = self._edits[1], self._edits[2]
            return changed | self.dependents(changed), set(removed)
        changed = {
            rid for rid, digest in self._digests.items() if older._digests.get(rid) != digest
        }
        removed = set(older.resources) - set(self.resources)
        return changed | self.dependents(changed), removed

    def _unaffected(self, previous: DesiredSet) -> set[ResourceId]:
        """The resources whose fingerprint `previous` already has: neither they nor anything
        they depend on, transitively, changed its manifest or its dependencies."""
        dirty = [
            rid
            for rid in self.resources
            if previous._digests.get(rid) != self._digests[rid]
            or previous._needs.get(rid) != self._needs[rid]
        ]
        needed_by: dict[ResourceId, list[ResourceId]] = {}
        for rid, deps in self._needs.items():
            for dep in deps:
                needed_by.setdefault(dep, []).append(rid)
        affected: set[ResourceId] = set()
        while dirty:
            rid = dirty.pop()
            if rid not in affected:
                affected.add(rid)
                dirty.extend(needed_by.get(rid, ()))
        return set(self.resources) - affected

    def _fingerprint_of(self, rid: ResourceId) -> str:
        parts = "\n".join(self._digests[dep] for dep in sorted(self.closure([rid])))
        return hashlib.sha256(parts.encode()).hexdigest()[:16]


def _digest(d: Desired) -> str:
    """What a resource's manifest says (identity, spec, annotations), not where it stands."""
    encoded = json.dumps([str(d.id), d.spec, repr(d.annotations)], sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _gone(
    before: Mapping[ResourceId, Desired], now: Mapping[ResourceId, Desired]
) -> list[ResourceId]:
    return [rid for rid in before if rid not in now]


def _patched_dependents(
    previous: DesiredSet,
    plain: Mapping[ResourceId, tuple[ResourceId, ...]],
    edited: list[ResourceId],
) -> dict[ResourceId, tuple[ResourceId, ...]]:
    """`previous`'s dependents, with the edges of the `edited` resources as `plain` has them."""
    dependents = dict(previous._dependents)
    for rid in edited:
        old, new = previous._plain.get(rid, ()), plain.get(rid, ())
        for dep in set(old) - set(new):
            left = tuple(r for r in dependents[dep] if r != rid)
            if left:
                dependents[dep] = left
            else:
                del dependents[dep]
        for dep in set(new) - set(old):
            dependents[dep] = (*dependents.get(dep, ()), rid)
    return dependents


def is_hook(d: Desired) -> bool:
    """A pre-sync hook: it holds the services it is for (see `closure`)."""
    return hooks.is_pre_sync_hook(d)


def _held_by_hooks(resources: Iterable[Desired]) -> dict[ResourceId, list[ResourceId]]:
    """Service id -> the pre-sync hooks that hold it."""
    held: dict[ResourceId, list[ResourceId]] = {}
    for hook, services in hooks.services_of_hooks(resources, hooks.is_pre_sync_hook).items():
        for service in services:
            if hook not in held.get(service, ()):
                held.setdefault(service, []).append(hook)
    return held
