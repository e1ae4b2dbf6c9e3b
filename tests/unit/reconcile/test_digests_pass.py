"""A pass's image updates as plain data: pins, problems, back-off, fingerprints and events."""

from __future__ import annotations

from typing import Any

from structlog.testing import capture_logs

from controller.apply.outcomes import Outcome, Result
from controller.aws.digests import Lookup
from controller.core.kinds import Kind, ResourceId
from controller.core.preflight_facts import EcrImage, Seen
from controller.core.resources import Annotations, Desired, Live
from controller.diff.compare import FieldChange
from controller.plan.actions import Action, ActionType, Plan
from controller.reconcile import image_updates
from controller.reconcile.desired import DesiredSet
from controller.reconcile.result import BACKOFF, FORGET, KeyResult

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
REGION = "us-east-1"
A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
WEB = ResourceId(Kind.TASK_DEFINITION, "web")
SERVICE = ResourceId(Kind.SERVICE, "web", "prod")
V1 = EcrImage("123456789012", REGION, "shop/web", tag="v1")


def family(image: str = f"{ECR}/shop/web:v1", *, follow: bool = True, name: str = "web") -> Desired:
    spec: dict[str, Any] = {"containerDefinitions": [{"name": "app", "image": image}]}
    annotations = Annotations(image_update="digest" if follow else "")
    return Desired(ResourceId(Kind.TASK_DEFINITION, name), spec, annotations)


def service() -> Desired:
    return Desired(SERVICE, {"cluster": "prod", "taskDefinition": "web", "desiredCount": 1})


def live(image: str) -> dict[ResourceId, Live]:
    spec = {"containerDefinitions": [{"name": "app", "image": image}]}
    arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
    return {WEB: Live(WEB, arn, spec, owner="ecsync")}


def image_of(d: Desired) -> str:
    image: str = d.spec["containerDefinitions"][0]["image"]
    return image


def test_a_found_tag_is_planned_at_its_digest_with_no_update_on_first_resolution() -> None:
    """A new family is pinned to the digest; nothing ran before, so nothing is an update."""
    pinning = image_updates.pin([family()], {}, {V1: Lookup(Seen.FOUND, A)}, region=REGION)

    (pinned,) = pinning.desired
    assert image_of(pinned) == f"{ECR}/shop/web@{A}"
    assert (pinning.problems, pinning.updates, pinning.retry) == ((), {}, frozenset())


def test_a_live_revision_at_the_same_digest_is_no_update() -> None:
    """The live revision already names the digest the tag names: no update, no event."""
    pinning = image_updates.pin(
        [family()], live(f"{ECR}/shop/web@{A}"), {V1: Lookup(Seen.FOUND, A)}, region=REGION
    )

    assert pinning.updates == {}
    assert image_of(pinning.desired[0]) == f"{ECR}/shop/web@{A}"


def test_a_tag_that_moved_is_an_update_from_the_live_digest() -> None:
    """The tag names B while the live revision runs A: one update of that container."""
    pinning = image_updates.pin(
        [family()], live(f"{ECR}/shop/web@{A}"), {V1: Lookup(Seen.FOUND, B)}, region=REGION
    )

    assert pinning.updates == {WEB: (image_updates.Update("app", f"{ECR}/shop/web:v1", A, B),)}


def test_a_missing_tag_keeps_the_live_digest_and_is_a_problem_that_says_what_to_do() -> None:
    """A tag not in the repository: the live digest stays planned, the family has a problem
    naming the tag and the fix, and it is not retried before the next event or resync."""
    pinning = image_updates.pin(
        [family()], live(f"{ECR}/shop/web@{A}"), {V1: Lookup(Seen.MISSING)}, region=REGION
    )

    assert image_of(pinning.desired[0]) == f"{ECR}/shop/web@{A}"
    (problem,) = pinning.problems
    assert problem.id == WEB
    assert "tag 'v1' is not in ECR repository 'shop/web'" in problem.message
    assert "push it, or fix the image" in problem.message
    assert pinning.retry == frozenset()


def test_a_transient_lookup_failure_backs_off_that_family_only() -> None:
    """A throttled lookup is a problem of its family, which backs off; other keys keep
    their requeue."""
    throttled = Lookup(Seen.FAILED, error="DescribeImages failed: Throttling", retryable=True)
    pinning = image_updates.pin([family()], {}, {V1: throttled}, region=REGION)
    keys = {
        WEB: KeyResult(WEB, Outcome.FAILED, FORGET),
        SERVICE: KeyResult(SERVICE, Outcome.UNCHANGED, FORGET),
    }

    requeued = pinning.requeued(keys)

    assert requeued[WEB].requeue == BACKOFF
    assert requeued[SERVICE].requeue == FORGET
    assert "Throttling" in pinning.problems[0].message


def test_a_repository_the_manifests_create_is_looked_up_again_later() -> None:
    """No repository yet, but a manifest creates it: a transient problem (back off and look
    again); a repository no manifest creates is a problem that says to create it."""
    repository = ResourceId(Kind.REPOSITORY, "shop/web")
    lookups = {V1: Lookup(Seen.NO_REPOSITORY)}

    coming = image_updates.pin([family()], {}, lookups, region=REGION, manifests={repository})
    absent = image_updates.pin([family()], {}, lookups, region=REGION)

    assert coming.retry == {WEB}
    assert "is not created yet" in coming.problems[0].message
    assert absent.retry == frozenset()
    assert "does not exist in registry 123456789012" in absent.problems[0].message


def test_an_image_in_another_region_is_a_problem_not_a_lookup() -> None:
    """ecsync reads the ECR of its own region: an image elsewhere is a problem naming both."""
    d = family("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:v1")

    pinning = image_updates.pin([d], {}, {}, region=REGION)

    (problem,) = pinning.problems
    assert "own region (us-east-1), not eu-west-1" in problem.message


def test_without_the_annotation_nothing_is_pinned() -> None:
    """A family that does not follow tags is planned exactly as loaded."""
    d = family(follow=False)

    pinning = image_updates.pin([d], {}, {V1: Lookup(Seen.FOUND, A)}, region=REGION)

    assert pinning.desired == [d]
    assert pinning.pinned == {}


def test_a_problem_drops_the_familys_action_and_keeps_the_others() -> None:
    """The plan keeps no action for a family whose tag did not resolve, and gains its problem."""
    pinning = image_updates.pin([family()], {}, {V1: Lookup(Seen.MISSING)}, region=REGION)
    other = ResourceId(Kind.TASK_DEFINITION, "other")
    plan = Plan(actions=(Action(ActionType.REGISTER, WEB), Action(ActionType.REGISTER, other)))

    checked = pinning.checked(plan)

    assert [a.id for a in checked.actions] == [other]
    assert [p.id for p in checked.problems] == [WEB]


def test_the_fingerprints_follow_the_digest() -> None:
    """A new digest changes the fingerprint of the family and of the service that runs it
    (a change to roll out, not drift); the same digest keeps both."""
    desired = DesiredSet.of([family(), service()])

    def fingerprints(digest: str) -> tuple[str, str]:
        pinning = image_updates.pin(
            desired.values(), {}, {V1: Lookup(Seen.FOUND, digest)}, region=REGION
        )
        pinned = pinning.desired_set(desired)
        return pinned.fingerprint(WEB), pinned.fingerprint(SERVICE)

    first = fingerprints(A)
    assert fingerprints(A) == first
    moved = fingerprints(B)
    assert moved[0] != first[0]
    assert moved[1] != first[1]


def test_image_updated_is_logged_once_the_new_revision_is_registered() -> None:
    """`image_updated` names the family, container, image and both digests, after the
    register succeeded; a failed register logs nothing."""
    pinning = image_updates.pin(
        [family()], live(f"{ECR}/shop/web@{A}"), {V1: Lookup(Seen.FOUND, B)}, region=REGION
    )
    plan = Plan(actions=(Action(ActionType.REGISTER, WEB),))
    arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"

    with capture_logs() as logs:
        pinning.log_updates(plan, [Result(WEB, Outcome.REGISTERED, arn=arn)], "abc123")
        pinning.log_updates(plan, [Result(WEB, Outcome.FAILED, "boom")], "abc123")

    assert logs == [
        {
            "event": "image_updated",
            "log_level": "info",
            "kind": "TaskDefinition",
            "name": "web",
            "revision": "abc123",
            "container": "app",
            "image": f"{ECR}/shop/web:v1",
            "old_digest": A,
            "new_digest": B,
            "task_definition": arn,
        }
    ]


def test_image_updated_is_logged_when_a_service_moves_back_to_an_older_revision() -> None:
    """No register (an older revision holds the digest), but the service moved to it: logged;
    a service update that did not change its task definition logs nothing."""
    pinning = image_updates.pin(
        [family()], live(f"{ECR}/shop/web@{B}"), {V1: Lookup(Seen.FOUND, A)}, region=REGION
    )
    older = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
    moved = FieldChange("/taskDefinition", older, "web:2")
    counted = FieldChange("/desiredCount", 2, 1)

    def update(change: FieldChange) -> Plan:
        action = Action(ActionType.UPDATE, SERVICE, changes=(change,), depends_on=(WEB,))
        return Plan(actions=(action,), resolved_task_definitions={"web": older})

    with capture_logs() as logs:
        pinning.log_updates(update(counted), [Result(SERVICE, Outcome.UPDATED)], None)
        pinning.log_updates(update(moved), [Result(SERVICE, Outcome.UPDATED)], None)

    assert [(e["old_digest"], e["new_digest"], e["task_definition"]) for e in logs] == [
        (B, A, older)
    ]
