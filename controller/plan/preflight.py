"""Preflight: what must hold before a task definition or a service is written.

ECS accepts a task definition whose image does not exist, and a service whose
role ARN is malformed; the mistake only shows later, as tasks that never
start. The executor checks first, and writes nothing for a resource that
fails (so its dependents are blocked too, as after any failure).

This module is pure. It parses image references, judges formats (role ARNs,
secret references), says which AWS lookups an action needs (`needs`), and
judges an action against the answers (`check`). `controller.aws.preflight`
does the lookups; `controller.apply.preflight` ties the two together.

What is checked, and what is deliberately not:
- Images in a private ECR registry of the region ecsync runs in: the
  repository and the tag (or digest) exist. Images on other registries
  (Docker Hub, GHCR, ECR Public, self-hosted) and in other regions are not
  checked. An image in a repository that this same plan creates passes: a
  repository that does not exist yet cannot hold the image yet, and CI pushes
  it after the repository exists. The tag is required once the repository
  existed before the plan.
- Role ARNs: `executionRoleArn` must be an IAM role ARN; `taskRoleArn` and a
  service's `role` may also be a role name (with its path), as ECS allows.
- `secrets[].valueFrom` (and `logConfiguration.secretOptions`): a Secrets
  Manager secret ARN (optionally with `:json-key:version-stage:version-id`),
  an SSM parameter ARN, or an SSM parameter name (which ECS resolves in the
  task's own region).
- Subnets and security groups of `awsvpcConfiguration`: they exist.
An update checks only the fields it writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from controller.core.kinds import Kind
from controller.core.preflight_facts import Answer, EcrImage, Seen
from controller.plan.actions import Action, ActionType


class Check(StrEnum):
    IMAGE = "image"
    ROLE = "role"
    SECRET = "secret"  # noqa: S105 (the name of a check, not a password)
    SUBNET = "subnet"
    SECURITY_GROUP = "security_group"


@dataclass(frozen=True)
class Failure:
    check: Check
    reason: str
    """What is wrong, exactly; never a secret value."""
    retryable: bool = False
    """True when AWS may change and fix it (an image pushed later); False when
    only a change to the manifests can."""


_ECR_IMAGE = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"/(?P<repository>[a-z0-9][a-z0-9._/-]*?)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


def ecr_image(image: str) -> EcrImage | None:
    """The ECR image `image` names, or None for any other registry (or a malformed name).

    No tag and no digest means the tag `latest`, as for `docker pull`.
    """
    match = _ECR_IMAGE.match(image)
    if match is None:
        return None
    digest = match["digest"] or ""
    return EcrImage(
        registry=match["registry"],
        region=match["region"],
        repository=match["repository"],
        tag="" if digest else (match["tag"] or "latest"),
        digest=digest,
    )


_PARTITION = r"arn:aws(?:-[a-z]+)*"
_ROLE_NAME = r"(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}"
ROLE_ARN = re.compile(rf"^{_PARTITION}:iam::\d{{12}}:role/{_ROLE_NAME}$", re.ASCII)
ROLE_NAME = re.compile(rf"^{_ROLE_NAME}$", re.ASCII)
_ROLE_ARN_FORM = "arn:aws:iam::<12-digit account>:role/<name>"

SECRETS_MANAGER_ARN = re.compile(
    rf"^{_PARTITION}:secretsmanager:[a-z0-9-]+:\d{{12}}:secret:[\w/+=.@-]+(?::[^:]*){{0,3}}$",
    re.ASCII,
)
SSM_PARAMETER_ARN = re.compile(
    rf"^{_PARTITION}:ssm:[a-z0-9-]+:\d{{12}}:parameter/[\w./-]+$", re.ASCII
)
SSM_PARAMETER_NAME = re.compile(r"^/?[\w.-]+(?:/[\w.-]+)*$", re.ASCII)
_REFERENCE_FORMS = (
    "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), "
    "an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>) "
    "or an SSM parameter name in the task's region"
)


def role_problem(field_name: str, value: Any, *, name_allowed: bool) -> str | None:
    """Why `value` is not a usable role reference for `field_name`, or None."""
    if not isinstance(value, str):
        return None
    if value.startswith("arn:"):
        if ROLE_ARN.match(value):
            return None
        return f"{field_name} '{value}' is not a well-formed IAM role ARN ({_ROLE_ARN_FORM})"
    if not name_allowed:
        return f"{field_name} '{value}' is not an IAM role ARN; ECS needs the full ARN here"
    if ROLE_NAME.match(value):
        return None
    return f"{field_name} '{value}' is neither an IAM role ARN ({_ROLE_ARN_FORM}) nor a role name"


def secret_reference_problem(value: Any) -> str | None:
    """Why `value` is not a `valueFrom` ECS can resolve, or None.

    A malformed value is quoted only when it is an ARN: anything else may be
    the secret itself, written by mistake where its reference belongs.
    """
    if not isinstance(value, str):
        return None
    if any(p.match(value) for p in (SECRETS_MANAGER_ARN, SSM_PARAMETER_ARN)):
        return None
    if not value.startswith("arn:") and SSM_PARAMETER_NAME.match(value):
        return None
    shown = f"'{value}'" if value.startswith("arn:") else "(value not shown)"
    return f"valueFrom {shown} is not {_REFERENCE_FORMS}"


def applies(action: Action) -> bool:
    """Whether the executor runs preflight for `action` before writing it."""
    return action.id.kind in (Kind.TASK_DEFINITION, Kind.SERVICE) and action.type in (
        ActionType.REGISTER,
        ActionType.CREATE,
        ActionType.UPDATE,
        ActionType.REPLACE,
    )


@dataclass(frozen=True)
class Needs:
    """The AWS lookups some actions need."""

    images: frozenset[EcrImage] = frozenset()
    subnets: frozenset[str] = frozenset()
    security_groups: frozenset[str] = frozenset()

    def __or__(self, other: Needs) -> Needs:
        return Needs(
            self.images | other.images,
            self.subnets | other.subnets,
            self.security_groups | other.security_groups,
        )


@dataclass(frozen=True)
class Facts:
    """Everything the lookups found, and the context to judge actions by."""

    region: str
    """The region ecsync writes to; only ECR images of this region are checked."""
    creating: frozenset[str] = frozenset()
    """ECR repositories this plan creates."""
    images: Mapping[EcrImage, Answer] = field(default_factory=dict)
    subnets: Mapping[str, Answer] = field(default_factory=dict)
    security_groups: Mapping[str, Answer] = field(default_factory=dict)


def creating(actions: Sequence[Action]) -> frozenset[str]:
    """Names of the ECR repositories that `actions` create."""
    return frozenset(
        a.id.name for a in actions if a.id.kind is Kind.REPOSITORY and a.type is ActionType.CREATE
    )


def needs(action: Action, spec: Mapping[str, Any], facts: Facts) -> Needs:
    """The lookups `check` will want for `action` (given what `facts` already says)."""
    if not applies(action):
        return Needs()
    if action.id.kind is Kind.TASK_DEFINITION:
        images = {
            image
            for _, image in _ecr_images(spec, facts.region)
            if image.repository not in facts.creating
        }
        return Needs(images=frozenset(images))
    subnets, groups = _network(spec) if _writes(action, "networkConfiguration") else ((), ())
    return Needs(subnets=frozenset(subnets), security_groups=frozenset(groups))


def check(action: Action, spec: Mapping[str, Any], facts: Facts) -> list[Failure]:
    """Every preflight failure of `action` (written as `spec`), in a stable order."""
    if not applies(action):
        return []
    if action.id.kind is Kind.TASK_DEFINITION:
        return [*_roles(spec), *_secrets(spec), *_images(spec, facts)]
    failures = []
    if _writes(action, "role"):
        problem = role_problem("role", spec.get("role"), name_allowed=True)
        if problem:
            failures.append(Failure(Check.ROLE, problem))
    if _writes(action, "networkConfiguration"):
        subnets, groups = _network(spec)
        failures += _exist(Check.SUBNET, "subnet", subnets, facts.subnets)
        failures += _exist(Check.SECURITY_GROUP, "security group", groups, facts.security_groups)
    return failures


def _writes(action: Action, field_name: str) -> bool:
    """An update writes only its changed fields; everything else writes the whole spec."""
    return action.type is not ActionType.UPDATE or field_name in action.fields


def _roles(spec: Mapping[str, Any]) -> Iterator[Failure]:
    for name, allowed in (("taskRoleArn", True), ("executionRoleArn", False)):
        problem = role_problem(name, spec.get(name), name_allowed=allowed)
        if problem:
            yield Failure(Check.ROLE, problem)


def _secrets(spec: Mapping[str, Any]) -> Iterator[Failure]:
    for container in _containers(spec):
        log_config = container.get("logConfiguration")
        log_secrets = log_config.get("secretOptions") if isinstance(log_config, dict) else None
        for where, entries in (("secret", container.get("secrets")), ("log secret", log_secrets)):
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                problem = secret_reference_problem(entry.get("valueFrom"))
                if problem:
                    label = f"container {container.get('name')}: {where} {entry.get('name')}"
                    yield Failure(Check.SECRET, f"{label}: {problem}")


def _images(spec: Mapping[str, Any], facts: Facts) -> Iterator[Failure]:
    for text, image in _ecr_images(spec, facts.region):
        if image.repository in facts.creating:
            continue
        answer = facts.images.get(image, Answer(Seen.UNCHECKED))
        if answer.seen is Seen.NO_REPOSITORY:
            reason = f"image {text} not found: repository {image.repository} does not exist"
        elif answer.seen is Seen.MISSING:
            reason = f"image {text} not found: repository {image.repository} has no {image.wanted}"
        elif answer.seen is Seen.FAILED:
            reason = f"image {text} could not be checked: {answer.error}"
        else:
            continue
        retryable = answer.retryable if answer.seen is Seen.FAILED else True
        yield Failure(Check.IMAGE, reason, retryable)


def _exist(
    check_name: Check, noun: str, ids: tuple[str, ...], answers: Mapping[str, Answer]
) -> Iterator[Failure]:
    for item in ids:
        answer = answers.get(item, Answer(Seen.UNCHECKED))
        if answer.seen is Seen.MISSING:
            yield Failure(check_name, f"{noun} {item} does not exist", retryable=True)
        elif answer.seen is Seen.FAILED:
            reason = f"{noun} {item} could not be checked: {answer.error}"
            yield Failure(check_name, reason, answer.retryable)


def _containers(spec: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    containers = spec.get("containerDefinitions")
    for container in containers if isinstance(containers, list) else []:
        if isinstance(container, dict):
            yield container


def _ecr_images(spec: Mapping[str, Any], region: str) -> Iterator[tuple[str, EcrImage]]:
    """(as written, parsed) for each container image in ECR in `region`."""
    for container in _containers(spec):
        text = container.get("image")
        image = ecr_image(text) if isinstance(text, str) else None
        if image is not None and image.region == region:
            yield str(text), image


def _network(spec: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The subnets and security groups of an awsvpc network configuration."""
    network = spec.get("networkConfiguration")
    vpc = network.get("awsvpcConfiguration") if isinstance(network, dict) else None
    if not isinstance(vpc, dict):
        return (), ()
    return _strings(vpc.get("subnets")), _strings(vpc.get("securityGroups"))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
