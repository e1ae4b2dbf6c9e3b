"""Image updates in a pass: task definitions that follow their tags are registered at the
digests the tags name now (`ecsync/image-update: digest`, see `controller.plan.image_pins`).

What the pass does with it (`controller.reconcile.reconciler`):

1. `resolve`, once live state is read and before planning: the tags of every
   following task definition of the pass are looked up together, one
   DescribeImages per repository (`controller.aws.digests`), and only when a
   manifest follows a tag, as the namespace and alias lookups are read only
   when a manifest needs them. Each followed image is then planned as
   `<repository>@<digest>`.
2. `Pinning.desired_set`: the pass's desired set with those specs, so that the
   fingerprints that tell drift from a new commit include the digests. A push
   to a tag is then a change to roll out, as a commit is, and not drift; while
   the tag does not move, a change made by hand is drift as before.
3. `Pinning.checked`: a tag that could not be resolved (missing, no
   repository, the lookup failed) is a problem of its task definition, whose
   action is dropped: nothing is registered from a tag, the revision in use
   stays, and only what depends on the family waits. Every other resource
   goes on.
4. `Pinning.log_updates`, after apply: `image_updated` once per container whose
   digest changed, when the new revision was registered (or an older revision
   that holds the digest was put back in service).
5. `Pinning.requeued`: a lookup that failed for a transient reason backs its
   task definition off; the next event or resync looks again.

A daemon notices a push at its next resync (`--resync`, 2 minutes by
default), or at any earlier pass over the family.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field

import structlog

from controller.apply.outcomes import Outcome, Result
from controller.aws import digests
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.preflight_facts import EcrImage, Seen
from controller.core.resources import Desired, Live
from controller.plan import image_pins
from controller.plan.actions import REMOVALS, Action, Plan, Problem
from controller.reconcile.desired import DesiredSet
from controller.reconcile.result import BACKOFF, KeyResult

log = structlog.get_logger()


@dataclass(frozen=True)
class Update:
    """One container whose followed tag names another digest than the live revision."""

    container: str
    image: str
    """The followed image as the manifest writes it (`…/web:v1`)."""
    old_digest: str
    new_digest: str


@dataclass(frozen=True)
class Pinning:
    """What the lookups of one pass decided about the task definitions that follow tags."""

    desired: list[Desired]
    """The pass's desired resources, following task definitions pinned."""
    pinned: dict[ResourceId, Desired]
    problems: tuple[Problem, ...] = ()
    retry: frozenset[ResourceId] = frozenset()
    """Task definitions whose lookup failed for a transient reason: they back off."""
    updates: dict[ResourceId, tuple[Update, ...]] = field(default_factory=dict)

    def desired_set(self, desired: DesiredSet) -> DesiredSet:
        """`desired` with the pinned task definitions (see the module docstring, step 2)."""
        if not self.pinned:
            return desired
        resources = [self.pinned.get(rid, d) for rid, d in desired.resources.items()]
        return DesiredSet.of(resources, desired.revision, load_ok=desired.load_ok, previous=desired)

    def checked(self, plan: Plan) -> Plan:
        """`plan` with each unresolved task definition's problem, and without its action."""
        if not self.problems:
            return plan
        failed = {p.id for p in self.problems}
        return dataclasses.replace(
            plan,
            actions=tuple(a for a in plan.actions if a.id not in failed),
            problems=plan.problems + self.problems,
        )

    def requeued(self, keys: Mapping[ResourceId, KeyResult]) -> dict[ResourceId, KeyResult]:
        """`keys`, a task definition whose lookup failed for a transient reason backing off."""
        if not self.retry:
            return dict(keys)
        return {
            rid: dataclasses.replace(key, requeue=BACKOFF) if rid in self.retry else key
            for rid, key in keys.items()
        }

    def log_updates(self, plan: Plan, results: Sequence[Result], revision: str | None) -> None:
        """`image_updated` for each container of a family whose new digest went into service
        in this pass (see the module docstring, step 4)."""
        if not self.updates:
            return
        writes = {a.id: a for a in plan.actions if a.type not in REMOVALS}
        written = [(writes[r.id], r) for r in results if r.id in writes and r.outcome in _WRITTEN]
        for rid, updates in self.updates.items():
            registered = next((r.arn for a, r in written if a.id == rid), None)
            if registered is None and not any(_moves_to(a, rid) for a, _ in written):
                continue
            arn = registered or plan.resolved_task_definitions.get(rid.name, "")
            for update in updates:
                log.info(
                    "image_updated",
                    **rid.log_fields(),
                    revision=revision,
                    container=update.container,
                    image=update.image,
                    old_digest=update.old_digest,
                    new_digest=update.new_digest,
                    task_definition=arn,
                )


_NOT_LOOKED_UP = digests.Lookup(Seen.FAILED, error="not looked up in this pass", retryable=True)

_WRITTEN = frozenset({Outcome.REGISTERED, Outcome.CREATED, Outcome.UPDATED, Outcome.REPLACED})


def _moves_to(action: Action, family: ResourceId) -> bool:
    """Whether `action` (written) moved a service or schedule to another revision of
    `family`: an older revision that holds the new digest is put back, none registered."""
    return family in action.depends_on and any(
        "taskdefinition" in c.path.lower() for c in action.changes
    )


def resolve(
    aws: Aws,
    desired: Sequence[Desired],
    live: Mapping[ResourceId, Live],
    *,
    manifests: Container[ResourceId] = (),
    may_write: bool = False,
) -> Pinning:
    """The digests every following task definition of `desired` registers (nothing is read,
    and nothing changes, when no manifest follows a tag): the lookups, then `pin`.

    With `may_write` (an applying pass) and `--local`, the embedded ECR first gets a
    placeholder under each tag it lacks, as preflight gives it (`Aws.placeholder_images`).
    """
    if not any(image_pins.follows(d) for d in desired):
        return Pinning(list(desired), {})
    wanted = {
        f.image for d in desired for f in image_pins.followed(d) if f.image.region == aws.region
    }
    if wanted and may_write and aws.placeholder_images is not None:
        aws.placeholder_images(frozenset(wanted))
    lookups = digests.look_up(aws, wanted) if wanted else {}
    return pin(desired, live, lookups, region=aws.region, manifests=manifests)


def pin(
    desired: Sequence[Desired],
    live: Mapping[ResourceId, Live],
    lookups: Mapping[EcrImage, digests.Lookup],
    *,
    region: str,
    manifests: Container[ResourceId] = (),
) -> Pinning:
    """What the `lookups` (by image, from `digests.look_up`) make of each following task
    definition of `desired`. Pure.

    A followed image with no digest in this pass keeps the digest its live revision
    has, and is a problem of its task definition. `manifests` holds every desired
    resource: a repository one of them creates but that does not exist yet is looked
    up again later (a transient problem).
    """
    pinned: dict[ResourceId, Desired] = {}
    problems: list[Problem] = []
    retry: set[ResourceId] = set()
    updates: dict[ResourceId, tuple[Update, ...]] = {}
    for d in desired:
        if not image_pins.follows(d):
            continue
        found = live.get(d.id)
        running = image_pins.live_images(found.spec) if found is not None else {}
        images: dict[str, str] = {}
        changed: list[Update] = []
        reasons: list[tuple[str, bool]] = []
        for followed in image_pins.followed(d):
            old = image_pins.digest_of(running.get(followed.container), followed.image)
            lookup = lookups.get(followed.image, _NOT_LOOKED_UP)
            if lookup.seen is Seen.FOUND and followed.image.region == region:
                images[followed.container] = followed.pinned(lookup.digest)
                if old and old != lookup.digest:
                    changed.append(Update(followed.container, followed.written, old, lookup.digest))
                continue
            if old:  # keep what runs: the plan shows no change for it
                images[followed.container] = followed.pinned(old)
            reasons.append(_unresolved(followed, lookup, region, manifests))
        pinned[d.id] = image_pins.pinned(d, images)
        if reasons:
            problems.append(Problem(d.id, "; ".join(reason for reason, _ in reasons)))
            if any(again for _, again in reasons):
                retry.add(d.id)
        elif changed:
            updates[d.id] = tuple(changed)
    return Pinning(
        desired=[pinned.get(d.id, d) for d in desired],
        pinned=pinned,
        problems=tuple(problems),
        retry=frozenset(retry),
        updates=updates,
    )


def _unresolved(
    followed: image_pins.Followed,
    lookup: digests.Lookup,
    region: str,
    manifests: Container[ResourceId],
) -> tuple[str, bool]:
    """Why `followed` has no digest in this pass, and whether a later look may find one."""
    image = followed.image
    where = f"container {followed.container}: {followed.written}"
    keeps = "no new revision is registered until it resolves"
    if image.region != region:
        return (
            f"{where}: ecsync/image-update follows tags in the ECR of its own region "
            f"({region}), not {image.region}; pin this image by digest, or run ecsync in "
            f"{image.region}",
            False,
        )
    if lookup.seen is Seen.MISSING:
        return (
            f"{where}: tag {image.tag!r} is not in ECR repository {image.repository!r} "
            f"(registry {image.registry}); push it, or fix the image; {keeps}",
            False,
        )
    if lookup.seen is Seen.NO_REPOSITORY:
        if ResourceId(Kind.REPOSITORY, image.repository) in manifests:
            return (
                f"{where}: repository {image.repository!r} is not created yet; its tag is "
                f"looked up once it exists; {keeps}",
                True,
            )
        return (
            f"{where}: ECR repository {image.repository!r} does not exist in registry "
            f"{image.registry}; create it and push the image, or fix the image; {keeps}",
            False,
        )
    if lookup.seen is Seen.UNCHECKED:
        return (
            f"{where}: ecsync may not read the tag (grant ecr:DescribeImages on the "
            f"repository): {lookup.error}; {keeps}",
            False,
        )
    return f"{where}: the tag could not be looked up: {lookup.error}; {keeps}", lookup.retryable
