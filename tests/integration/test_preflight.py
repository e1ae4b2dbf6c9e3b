"""Preflight against moto: what fails is not written, the rest converges, lookups are batched."""

from __future__ import annotations

import re
import shutil
from fnmatch import fnmatchcase as fnmatch
from pathlib import Path
from typing import Any

import pytest
import structlog

import ecsync_local as local
from controller.aws.clients import Aws, AwsConfig
from controller.core.settings import defaults
from controller.reconcile.sync import SyncReport, sync
from tests.support import arrange
from tests.support.counting import CallCounter

REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
GOOD_ROLE = "arn:aws:iam::123456789012:role/pf-execution"
NO_SUBNET = "subnet-0000000000000000f"


def taskdef(family: str, *images: str, role: str = GOOD_ROLE) -> str:
    containers = "\n".join(
        f"    - {{name: c{i}, image: '{image}', memory: 128}}" for i, image in enumerate(images)
    )
    return f"""apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: {family}}}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  executionRoleArn: {role}
  containerDefinitions:
{containers}
"""


def service(name: str, family: str, subnet: str, group: str) -> str:
    return f"""apiVersion: ecsync/v1
kind: Service
metadata: {{name: {name}}}
spec:
  cluster: pf
  taskDefinition: {family}
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration:
    awsvpcConfiguration: {{subnets: [{subnet}], securityGroups: [{group}]}}
"""


CLUSTER_AND_NEW_REPOSITORY = """apiVersion: ecsync/v1
kind: Cluster
metadata: {name: pf}
spec: {}
---
apiVersion: ecsync/v1
kind: Repository
metadata: {name: pf/new}
spec: {}
"""


def write(root: Path, *documents: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "stack.yaml").write_text("---\n".join(documents))
    return root


def apply(aws: Aws, root: Path, **options: Any) -> tuple[SyncReport, list[dict[str, Any]]]:
    """Apply `root`; the report and every `preflight_failed` event logged meanwhile."""
    with structlog.testing.capture_logs() as events:
        report = sync(aws, root, defaults(**options), apply=True)
    return report, [dict(e) for e in events if e["event"] == "preflight_failed"]


def sent(counter: CallCounter, operation: str, key: str) -> list[str]:
    return sorted(str(p[key]) for p in counter.params(operation))


def test_failed_checks_write_nothing_for_that_resource_and_the_rest_converges(
    aws: Aws, calls_sent: CallCounter, sandbox: local.Sandbox, ecr: Any, tmp_path: Path
) -> None:
    """A missing ECR tag, a missing subnet and a malformed role each fail preflight with the
    exact reason; nothing is registered or created for them or their dependents."""
    ecr.create_repository(repositoryName="pf/app")
    arrange.push_image(ecr, "pf/app", "1.0")
    subnet, group = sandbox.subnet_ids[0], sandbox.security_group_id
    root = write(
        tmp_path / "stack",
        CLUSTER_AND_NEW_REPOSITORY,
        taskdef("pf-good", f"{REGISTRY}/pf/app:1.0", f"{REGISTRY}/pf/new:0.1", "nginx:1.27"),
        taskdef("pf-missing-tag", f"{REGISTRY}/pf/app:9.9"),
        taskdef("pf-bad-role", "nginx:1.27", role="arn:aws:iam::12345:role/pf"),
        service("good", "pf-good", subnet, group),
        service("no-subnet", "pf-good", NO_SUBNET, group),
        service("on-missing-tag", "pf-missing-tag", subnet, group),
    )
    calls_sent.clear()

    report, failed = apply(aws, root)

    outcomes = {str(r.id): str(r.outcome) for r in report.results}
    assert outcomes == {
        "Repository/pf/new": "created",
        "Cluster/pf": "created",
        "TaskDefinition/pf-good": "registered",
        "TaskDefinition/pf-missing-tag": "preflight_failed",
        "TaskDefinition/pf-bad-role": "preflight_failed",
        "Service/pf/good": "created",
        "Service/pf/no-subnet": "preflight_failed",
        "Service/pf/on-missing-tag": "blocked",
    }
    assert not report.converged
    assert sorted((e["kind"], e["name"], e["check"], e["reason"]) for e in failed) == [
        (
            "Service",
            "no-subnet",
            "subnet",
            f"subnet {NO_SUBNET} does not exist",
        ),
        (
            "TaskDefinition",
            "pf-bad-role",
            "role",
            "executionRoleArn 'arn:aws:iam::12345:role/pf' is not a well-formed IAM role ARN "
            "(arn:aws:iam::<12-digit account>:role/<name>)",
        ),
        (
            "TaskDefinition",
            "pf-missing-tag",
            "image",
            f"image {REGISTRY}/pf/app:9.9 not found: repository pf/app has no tag 9.9",
        ),
    ]
    assert all("revision" in e and e["log_level"] in ("warning", "error") for e in failed)
    assert {e["name"]: e["log_level"] for e in failed}["pf-bad-role"] == "error"
    assert sent(calls_sent, "RegisterTaskDefinition", "family") == ["pf-good"]
    assert sent(calls_sent, "CreateService", "serviceName") == ["good"]
    assert calls_sent["DescribeSubnets"] == 1
    assert calls_sent["DescribeSecurityGroups"] == 1
    assert (
        sent(calls_sent, "DescribeImages", "repositoryName") == ["pf/app"] * 3
    )  # batch, then 1 by 1


def test_image_lookups_are_batched_per_repository_and_asked_once_per_pass(
    aws: Aws, ecr: Any, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """Two families using two tags of one repository, and one reusing a tag, cost a single
    DescribeImages with the two distinct image ids."""
    ecr.create_repository(repositoryName="pf/app")
    for tag in ("1.0", "2.0"):
        arrange.push_image(ecr, "pf/app", tag)
    root = write(
        tmp_path / "stack",
        taskdef("pf-a", f"{REGISTRY}/pf/app:1.0"),
        taskdef("pf-b", f"{REGISTRY}/pf/app:2.0", f"{REGISTRY}/pf/app:1.0"),
    )

    report, failed = apply(aws, root)

    assert report.converged
    assert failed == []
    (asked,) = calls_sent.params("DescribeImages")
    assert asked["registryId"] == "123456789012"
    assert sorted(i["imageTag"] for i in asked["imageIds"]) == ["1.0", "2.0"]


def test_an_existing_empty_repository_fails_the_tag_check(
    aws: Aws, ecr: Any, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """Once a repository exists, its images must too: only a repository this very plan creates
    is given the benefit of the doubt."""
    root = write(
        tmp_path / "stack",
        CLUSTER_AND_NEW_REPOSITORY,
        taskdef("pf-new", f"{REGISTRY}/pf/new:0.1"),
    )
    first, failed = apply(aws, root)
    assert first.converged
    assert failed == []

    (root / "stack.yaml").write_text(
        (root / "stack.yaml").read_text().replace("memory: 128", "memory: 256")
    )
    second, failed = apply(aws, root)

    assert [str(r.outcome) for r in second.results] == ["preflight_failed"]
    assert [e["reason"] for e in failed] == [
        f"image {REGISTRY}/pf/new:0.1 not found: repository pf/new has no tag 0.1"
    ]
    assert failed[0]["retryable"] is True
    assert second.results[0].retryable


def test_a_missing_repository_is_named(aws: Aws, tmp_path: Path) -> None:
    """An image in a repository that exists nowhere fails, naming the repository."""
    root = write(tmp_path / "stack", taskdef("pf-x", f"{REGISTRY}/pf/nowhere:1"))

    _, failed = apply(aws, root)

    assert [e["reason"] for e in failed] == [
        f"image {REGISTRY}/pf/nowhere:1 not found: repository pf/nowhere does not exist"
    ]


def test_skip_preflight_writes_without_checking(
    aws: Aws, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """With skip_preflight, nothing is looked up and the write goes ahead."""
    root = write(tmp_path / "stack", taskdef("pf-x", f"{REGISTRY}/pf/nowhere:1"))

    report, failed = apply(aws, root, skip_preflight=True)

    assert report.converged
    assert failed == []
    assert calls_sent["DescribeImages"] == 0
    assert sent(calls_sent, "RegisterTaskDefinition", "family") == ["pf-x"]


def plan(aws: Aws, root: Path, **options: Any) -> tuple[SyncReport, list[dict[str, Any]]]:
    """Plan `root`; the report and every event logged meanwhile."""
    with structlog.testing.capture_logs() as events:
        report = sync(aws, root, defaults(**options), apply=False)
    return report, [dict(e) for e in events]


def test_plan_reports_a_missing_image_as_apply_would_refuse_it(
    aws: Aws, ecr: Any, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """A plan whose task definition names a missing ECR tag carries a problem with apply's own
    reason text, keeps the register action, and writes nothing."""
    ecr.create_repository(repositoryName="pf/app")
    root = write(tmp_path / "stack", taskdef("pf-missing-tag", f"{REGISTRY}/pf/app:9.9"))
    calls_sent.clear()

    planned, events = plan(aws, root)
    applied, _ = apply(aws, root)

    assert planned.plan is not None
    assert [str(a.id) for a in planned.plan.actions] == ["TaskDefinition/pf-missing-tag"]
    assert [(str(p.id), p.message) for p in planned.plan.problems] == [
        (
            "TaskDefinition/pf-missing-tag",
            f"preflight image: image {REGISTRY}/pf/app:9.9 not found: "
            "repository pf/app has no tag 9.9",
        )
    ]
    assert [r.error for r in applied.results] == [planned.plan.problems[0].message]
    assert not [e for e in events if e["event"] == "preflight_failed"]
    assert calls_sent["RegisterTaskDefinition"] == 0


def test_plan_passes_what_exists_and_what_the_plan_creates(
    aws: Aws, ecr: Any, tmp_path: Path
) -> None:
    """A pushed tag, and a tag in a repository the same plan creates, give no problem."""
    ecr.create_repository(repositoryName="pf/app")
    arrange.push_image(ecr, "pf/app", "1.0")
    root = write(
        tmp_path / "stack",
        CLUSTER_AND_NEW_REPOSITORY,
        taskdef("pf-good", f"{REGISTRY}/pf/app:1.0", f"{REGISTRY}/pf/new:0.1"),
    )

    planned, _ = plan(aws, root)

    assert planned.plan is not None
    assert planned.plan.problems == ()
    assert len(planned.plan.actions) == 3


def test_plan_checks_service_networks_and_roles(
    aws: Aws, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A missing subnet and a malformed execution role are plan problems too."""
    root = write(
        tmp_path / "stack",
        CLUSTER_AND_NEW_REPOSITORY,
        taskdef("pf-bad-role", "nginx:1.27", role="arn:aws:iam::12345:role/pf"),
        service("no-subnet", "pf-bad-role", NO_SUBNET, sandbox.security_group_id),
    )

    planned, _ = plan(aws, root)

    assert planned.plan is not None
    assert sorted((str(p.id), p.message.split(":")[0]) for p in planned.plan.problems) == [
        ("Service/pf/no-subnet", "preflight subnet"),
        ("TaskDefinition/pf-bad-role", "preflight role"),
    ]


def test_plan_skip_preflight_looks_nothing_up(
    aws: Aws, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """With skip_preflight, a plan asks ECR nothing and reports no preflight problem."""
    root = write(tmp_path / "stack", taskdef("pf-x", f"{REGISTRY}/pf/nowhere:1"))

    planned, _ = plan(aws, root, skip_preflight=True)

    assert planned.plan is not None
    assert planned.plan.problems == ()
    assert calls_sent["DescribeImages"] == 0


OWNED_REPOSITORIES = """apiVersion: ecsync/v1
kind: Repository
metadata: {name: pf/app}
spec: {imageTagMutability: IMMUTABLE}
---
apiVersion: ecsync/v1
kind: Repository
metadata: {name: pf/pinned}
spec: {}
"""
DIGEST = "sha256:" + "ab" * 32


def with_placeholders(aws: Aws, instance: str = "ecsync") -> Aws:
    """`aws` with the `--local` hook set, as the command line sets it."""
    aws.placeholder_images = lambda images: local.put_placeholder_images(aws, instance, images)
    return aws


def test_local_placeholders_let_a_new_tag_in_an_owned_repository_roll_out(
    aws: Aws, ecr: Any, tmp_path: Path
) -> None:
    """With the `--local` hook, a new tag in a repository the manifests own gets a placeholder
    (logged), so the revision is registered; a second tag shares the placeholder image."""
    root = write(tmp_path / "stack", OWNED_REPOSITORIES, taskdef("pf-app", f"{REGISTRY}/pf/app:1"))
    first, _ = apply(with_placeholders(aws), root)
    assert first.converged

    for tag in ("2", "3"):
        (root / "stack.yaml").write_text(
            (root / "stack.yaml").read_text().replace(f"pf/app:{int(tag) - 1}'", f"pf/app:{tag}'")
        )
        with structlog.testing.capture_logs() as events:
            report = sync(aws, root, defaults(), apply=True)
        assert [str(r.outcome) for r in report.results] == ["registered"]
        placed = [e for e in events if e["event"] == "local_image_placeholder"]
        assert [(e["repository"], e["tag"], e["log_level"]) for e in placed] == [
            ("pf/app", tag, "info")
        ]

    (image,) = ecr.describe_images(repositoryName="pf/app")["imageDetails"]
    assert sorted(image["imageTags"]) == ["2", "3"]


def test_local_placeholders_leave_foreign_repositories_digests_and_pushed_images_alone(
    aws: Aws, ecr: Any, tmp_path: Path
) -> None:
    """No placeholder goes into a repository made outside ecsync or under a digest, and a
    tag CI pushed keeps its image: those images are judged as on AWS."""
    ecr.create_repository(repositoryName="pf/foreign")
    pushed = arrange.push_image(ecr, "pf/foreign", "1.0")
    root = write(tmp_path / "stack", OWNED_REPOSITORIES, taskdef("pf-app", "nginx:1.27"))
    apply(with_placeholders(aws), root)
    root = write(
        tmp_path / "stack",
        OWNED_REPOSITORIES,
        taskdef(
            "pf-app",
            f"{REGISTRY}/pf/foreign:1.0",
            f"{REGISTRY}/pf/foreign:2.0",
            f"{REGISTRY}/pf/pinned@{DIGEST}",
        ),
    )

    with structlog.testing.capture_logs() as events:
        report = sync(aws, root, defaults(), apply=True)

    assert not [e for e in events if e["event"] == "local_image_placeholder"]
    failed = [e for e in events if e["event"] == "preflight_failed"]
    assert [str(r.outcome) for r in report.results] == ["preflight_failed"]
    assert sorted(e["reason"] for e in failed) == [
        f"image {REGISTRY}/pf/foreign:2.0 not found: repository pf/foreign has no tag 2.0",
        f"image {REGISTRY}/pf/pinned@{DIGEST} not found: repository pf/pinned has no "
        f"image {DIGEST}",
    ]
    (image,) = ecr.describe_images(repositoryName="pf/foreign")["imageDetails"]
    assert image["imageDigest"] == pushed
    assert ecr.describe_images(repositoryName="pf/pinned")["imageDetails"] == []


def test_local_placeholders_are_not_put_by_a_plan_or_for_another_instance(
    aws: Aws, ecr: Any, tmp_path: Path
) -> None:
    """A plan only reads, and an instance does not fill repositories another instance owns."""
    root = write(tmp_path / "stack", OWNED_REPOSITORIES, taskdef("pf-app", "nginx:1.27"))
    apply(aws, root)
    root = write(tmp_path / "stack", OWNED_REPOSITORIES, taskdef("pf-app", f"{REGISTRY}/pf/app:1"))

    planned, _ = plan(with_placeholders(aws), root)
    _, failed = apply(with_placeholders(aws, instance="other"), root)

    assert planned.plan is not None
    assert len(planned.plan.problems) == 1
    assert len(failed) == 1
    assert ecr.describe_images(repositoryName="pf/app")["imageDetails"] == []


def test_local_placeholders_refuse_an_aws_without_endpoint(aws_env: None) -> None:
    """Against AWS itself (no endpoint) the placeholder hook refuses to run."""
    with pytest.raises(ValueError, match="embedded AWS endpoint only"):
        local.put_placeholder_images(Aws(AwsConfig(region="us-east-1")), "ecsync", [])


ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_ROLE = re.compile(r"It only needs to read:(?P<list>.*?)#\s+AWS_REGION", re.DOTALL)


def plan_role_actions() -> list[str]:
    """The IAM actions the example CI workflow's header grants its read-only plan role."""
    header = WORKFLOW_ROLE.search((ROOT / "docs" / "examples" / "github-actions.yaml").read_text())
    assert header is not None
    return re.findall(r"(?<![\w-])[a-z0-9-]+:[A-Za-z*]+", header["list"])


def test_the_ci_plan_role_covers_every_call_a_plan_makes(
    moto_endpoint: str, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """Every AWS operation a plan of the sample sends (preflight lookups included, on a fresh
    account and after an edit) is granted by the read-only role the CI example documents."""
    aws = Aws(AwsConfig(region="us-east-1", endpoint_url=moto_endpoint))  # no client made yet
    sent_actions: set[str] = set()
    aws.session.events.register(
        "before-call",
        lambda model, **_: sent_actions.add(f"{model.service_model.signing_name}:{model.name}"),
    )
    sample = Path(shutil.copytree(ROOT / "manifests", tmp_path / "manifests"))
    plan(aws, sample)
    planned_fresh = set(sent_actions)
    apply(aws, sample)
    sent_actions.clear()
    for path, old, new in (
        ("web/task-definition.yaml", "acme/web:v1.8.0", "acme/web:v1.9.0"),
        ("web/service.yaml", "assignPublicIp: DISABLED", "assignPublicIp: ENABLED"),
    ):
        edited = sample / path
        edited.write_text(edited.read_text().replace(old, new))
    planned, _ = plan(aws, sample)
    assert planned.plan is not None
    sent_actions |= planned_fresh

    granted = plan_role_actions()
    assert {"ecr:DescribeImages", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"} <= (
        sent_actions
    )
    assert sorted(a for a in sent_actions if not any(fnmatch(a, g) for g in granted)) == []
