"""Preflight, the pure part: image references, role and secret formats, and judging actions."""

from __future__ import annotations

from typing import Any

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.core.preflight_facts import Answer, EcrImage, Seen
from controller.plan import preflight
from controller.plan.actions import Action, ActionType
from controller.plan.preflight import Check, Facts

REGION = "us-east-1"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
DIGEST = "sha256:" + "ab" * 32
WEB = EcrImage("123456789012", REGION, "acme/web", tag="1.4")
EXECUTION_ROLE = "arn:aws:iam::123456789012:role/acme-execution"


def register(**spec: Any) -> Action:
    full = {
        "executionRoleArn": EXECUTION_ROLE,
        "containerDefinitions": [{"name": "app", "image": f"{REGISTRY}/acme/web:1.4"}],
        **spec,
    }
    return Action(ActionType.REGISTER, ResourceId(Kind.TASK_DEFINITION, "web"), spec=full)


def service(
    action: ActionType = ActionType.CREATE, fields: frozenset[str] = frozenset(), **spec: Any
) -> Action:
    full = {
        "cluster": "prod",
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-1"]}
        },
        **spec,
    }
    rid = ResourceId(Kind.SERVICE, "web", "prod")
    return Action(action, rid, spec=full, fields=fields)


def facts(**answers: Any) -> Facts:
    return Facts(region=REGION, **answers)


FOUND = Answer(Seen.FOUND)
ALL_NETWORK_FOUND = {
    "subnets": {"subnet-a": FOUND, "subnet-b": FOUND},
    "security_groups": {"sg-1": FOUND},
}


# -- image references ---------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (f"{REGISTRY}/acme/web:1.4", WEB),
        (f"{REGISTRY}/acme/web", EcrImage("123456789012", REGION, "acme/web", tag="latest")),
        (f"{REGISTRY}/acme/web@{DIGEST}", EcrImage("123456789012", REGION, "acme/web", "", DIGEST)),
        (f"{REGISTRY}/web:1.4@{DIGEST}", EcrImage("123456789012", REGION, "web", "", DIGEST)),
        (
            "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/base:7",
            EcrImage("210987654321", "cn-north-1", "base", tag="7"),
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a/b/c:x",
            EcrImage("123456789012", "us-gov-west-1", "a/b/c", tag="x"),
        ),
    ],
)
def test_ecr_image_references_are_parsed(image: str, expected: EcrImage) -> None:
    """Private ECR references give registry, region, repository and tag or digest."""
    assert preflight.ecr_image(image) == expected


@pytest.mark.parametrize(
    "image",
    [
        "nginx:1.27",
        "docker.io/library/nginx:1.27-alpine",
        "ghcr.io/acme/worker:2.3.1",
        "public.ecr.aws/nginx/nginx:latest",
        "registry.example.com:5000/team/app:1",
        "12345.dkr.ecr.us-east-1.amazonaws.com/short-account:1",
    ],
)
def test_images_on_other_registries_are_not_ecr(image: str) -> None:
    """Docker Hub, GHCR, ECR Public and self-hosted registries are not checked."""
    assert preflight.ecr_image(image) is None


# -- role ARNs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::123456789012:role/acme-execution",
        "arn:aws:iam::123456789012:role/service-role/ecsTaskExecutionRole",
        "arn:aws-cn:iam::123456789012:role/app",
        "arn:aws-us-gov:iam::123456789012:role/app+x=y,z.w@v-u_t",
    ],
)
def test_well_formed_role_arns_pass(value: str) -> None:
    """Role ARNs of any partition, with or without a path, pass for every role field."""
    assert preflight.role_problem("executionRoleArn", value, name_allowed=False) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("arn:aws:iam::12345:role/app", "is not a well-formed IAM role ARN"),
        ("arn:aws:iam::123456789012:user/app", "is not a well-formed IAM role ARN"),
        ("arn:aws:iam:us-east-1:123456789012:role/app", "is not a well-formed IAM role ARN"),
        ("arn:aws:iam::123456789012:role/", "is not a well-formed IAM role ARN"),
        ("acme-execution", "is not an IAM role ARN; ECS needs the full ARN here"),
    ],
)
def test_malformed_execution_role_is_named_with_the_reason(value: str, reason: str) -> None:
    """executionRoleArn must be a full, well-formed role ARN; the problem quotes the value."""
    problem = preflight.role_problem("executionRoleArn", value, name_allowed=False)
    assert problem == f"executionRoleArn '{value}' {reason}" + (
        " (arn:aws:iam::<12-digit account>:role/<name>)" if "well-formed" in reason else ""
    )


def test_task_role_and_service_role_may_be_names() -> None:
    """taskRoleArn and a service's role accept a role name (with a path), as ECS does."""
    assert preflight.role_problem("taskRoleArn", "storefront-task", name_allowed=True) is None
    assert preflight.role_problem("role", "ecs/my-service-role", name_allowed=True) is None
    problem = preflight.role_problem("role", "my role!", name_allowed=True)
    assert problem is not None
    assert "neither an IAM role ARN" in problem


# -- secret references ----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/web/db-AbCdEf",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:username::",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:password:AWSPREVIOUS:",
        "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db",
        "arn:aws:ssm:us-east-1:123456789012:parameter/acme/web/session-key",
        "arn:aws:ssm:us-east-1:123456789012:parameter/flat_name",
        "/acme/web/session-key",
        "session-key",
        "acme.web_key-1",
    ],
)
def test_secret_references_ecs_accepts_pass(value: str) -> None:
    """Secrets Manager ARNs (with JSON key and version), SSM ARNs and SSM names pass."""
    assert preflight.secret_reference_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:secretmanager:us-east-1:123456789012:secret:db",
        "arn:aws:secretsmanager:us-east-1:1234:secret:db",
        "arn:aws:ssm:us-east-1:123456789012:parameter",
        "arn:aws:s3:::bucket/key",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db:a:b:c:d",
    ],
)
def test_malformed_secret_arns_fail_and_are_quoted(value: str) -> None:
    """An ARN that is neither a secret nor a parameter fails; being an ARN, it is quoted."""
    problem = preflight.secret_reference_problem(value)
    assert problem is not None
    assert problem.startswith(f"valueFrom '{value}' is not a Secrets Manager secret ARN")


def test_a_malformed_non_arn_reference_is_not_quoted() -> None:
    """A valueFrom that is not an ARN may be the secret itself: it is never repeated."""
    problem = preflight.secret_reference_problem("hunter2 with spaces!")
    assert problem is not None
    assert "hunter2" not in problem
    assert "(value not shown)" in problem


# -- judging actions ------------------------------------------------------------------


def test_registered_image_that_exists_passes() -> None:
    """A task definition whose ECR image was found passes."""
    action = register()
    assert preflight.needs(action, action.spec, facts()).images == {WEB}
    assert preflight.check(action, action.spec, facts(images={WEB: FOUND})) == []


def test_missing_tag_fails_with_the_exact_reason() -> None:
    """A missing tag in an existing repository fails, naming image, repository and tag."""
    action = register()
    failures = preflight.check(action, action.spec, facts(images={WEB: Answer(Seen.MISSING)}))
    assert failures == [
        preflight.Failure(
            Check.IMAGE,
            f"image {REGISTRY}/acme/web:1.4 not found: repository acme/web has no tag 1.4",
            retryable=True,
        )
    ]


def test_missing_repository_and_digest_are_named() -> None:
    """A missing repository, and a missing digest, are each named in the reason."""
    pinned = EcrImage("123456789012", REGION, "acme/web", digest=DIGEST)
    action = register(
        containerDefinitions=[
            {"name": "a", "image": f"{REGISTRY}/acme/web@{DIGEST}"},
            {"name": "b", "image": f"{REGISTRY}/acme/gone:2"},
        ]
    )
    gone = EcrImage("123456789012", REGION, "acme/gone", tag="2")
    answers = {pinned: Answer(Seen.MISSING), gone: Answer(Seen.NO_REPOSITORY)}
    reasons = [f.reason for f in preflight.check(action, action.spec, facts(images=answers))]
    assert reasons == [
        f"image {REGISTRY}/acme/web@{DIGEST} not found: repository acme/web has no image {DIGEST}",
        f"image {REGISTRY}/acme/gone:2 not found: repository acme/gone does not exist",
    ]


def test_image_in_a_repository_this_plan_creates_passes_without_a_lookup() -> None:
    """A repository created by the same plan has no images yet: its images are not looked up."""
    action = register()
    creating = preflight.creating(
        [Action(ActionType.CREATE, ResourceId(Kind.REPOSITORY, "acme/web")), action]
    )
    known = facts(creating=creating)
    assert preflight.needs(action, action.spec, known).images == frozenset()
    assert preflight.check(action, action.spec, known) == []


def test_images_of_other_registries_and_regions_are_not_looked_up() -> None:
    """Docker Hub, GHCR and ECR images of another region need no lookup and pass."""
    action = register(
        containerDefinitions=[
            {"name": "a", "image": "nginx:1.27"},
            {"name": "b", "image": "ghcr.io/acme/worker:2"},
            {"name": "c", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/web:1"},
        ]
    )
    assert preflight.needs(action, action.spec, facts()) == preflight.Needs()
    assert preflight.check(action, action.spec, facts()) == []


def test_access_denied_is_not_held_against_the_resource() -> None:
    """An image ecsync may not look at passes; a lookup that failed fails as it did."""
    action = register()
    unchecked = facts(images={WEB: Answer(Seen.UNCHECKED, "AccessDenied")})
    assert preflight.check(action, action.spec, unchecked) == []
    failed = facts(images={WEB: Answer(Seen.FAILED, "DescribeImages ... throttled", True)})
    (failure,) = preflight.check(action, action.spec, failed)
    assert failure.reason.endswith("could not be checked: DescribeImages ... throttled")
    assert failure.retryable


def test_bad_roles_and_secret_references_fail_and_are_permanent() -> None:
    """Format failures of a task definition are reported together and are not retryable."""
    action = register(
        taskRoleArn="arn:aws:iam::123:role/app",
        containerDefinitions=[
            {
                "name": "app",
                "image": "nginx",
                "secrets": [{"name": "DB", "valueFrom": "arn:aws:s3:::b/k"}],
                "logConfiguration": {
                    "logDriver": "splunk",
                    "secretOptions": [{"name": "splunk-token", "valueFrom": "not a name"}],
                },
            }
        ],
    )
    failures = preflight.check(action, action.spec, facts())
    assert [(f.check, f.retryable) for f in failures] == [
        (Check.ROLE, False),
        (Check.SECRET, False),
        (Check.SECRET, False),
    ]
    assert failures[1].reason.startswith("container app: secret DB: valueFrom 'arn:aws:s3:::b/k'")
    assert failures[2].reason.startswith("container app: log secret splunk-token: valueFrom (value")


def test_service_subnets_and_groups_must_exist() -> None:
    """A service's missing subnet or security group fails, each named."""
    action = service()
    assert preflight.needs(action, action.spec, facts()) == preflight.Needs(
        subnets=frozenset({"subnet-a", "subnet-b"}), security_groups=frozenset({"sg-1"})
    )
    missing = Answer(Seen.MISSING)
    known = facts(
        subnets={"subnet-a": FOUND, "subnet-b": missing}, security_groups={"sg-1": missing}
    )
    assert [(f.check, f.reason) for f in preflight.check(action, action.spec, known)] == [
        (Check.SUBNET, "subnet subnet-b does not exist"),
        (Check.SECURITY_GROUP, "security group sg-1 does not exist"),
    ]
    assert preflight.check(action, action.spec, facts(**ALL_NETWORK_FOUND)) == []


def test_service_role_is_checked_on_create() -> None:
    """A service's role must be a role ARN or name."""
    action = service(role="arn:aws:iam::1:role/x")
    (failure,) = preflight.check(action, action.spec, facts(**ALL_NETWORK_FOUND))
    assert failure.check is Check.ROLE


def test_an_update_checks_only_the_fields_it_writes() -> None:
    """Scaling a service does not look at its (unchanged) network configuration."""
    scale = service(ActionType.UPDATE, frozenset({"desiredCount"}), role="bad role!")
    assert preflight.needs(scale, scale.spec, facts()) == preflight.Needs()
    assert preflight.check(scale, scale.spec, facts()) == []
    move = service(ActionType.UPDATE, frozenset({"networkConfiguration"}))
    assert preflight.needs(move, move.spec, facts()).subnets == {"subnet-a", "subnet-b"}


def test_only_writes_of_task_definitions_and_services_are_checked() -> None:
    """Deletes, one-off runs and other kinds pass through untouched."""
    delete = service(ActionType.DELETE)
    run = Action(ActionType.RUN, ResourceId(Kind.TASK, "migrate", "prod"), spec=service().spec)
    repo = Action(ActionType.CREATE, ResourceId(Kind.REPOSITORY, "acme/web"))
    for action in (delete, run, repo):
        assert not preflight.applies(action)
        assert preflight.check(action, action.spec, facts()) == []
