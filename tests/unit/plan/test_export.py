"""Exporting live resources as minimal manifests: defaults, read-only fields and
ecsync's own tags go, names replace ARNs, and the result plans as in sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import OWNER_TAG, PRUNE_TAG, Live
from controller.diff.normalise import normalise
from controller.diff.normalise.task_definition import content_hash
from controller.manifests import yamldump
from controller.manifests.loader import load
from controller.manifests.specs import SPEC_MODELS
from controller.plan import export
from controller.plan.planner import PlanOptions, build_plan

FIXTURES = Path(__file__).parents[2] / "fixtures" / "live"


def _raw(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def _ecs_tags(tags: list[dict[str, str]]) -> dict[str, str]:
    return {t["key"]: t["value"] for t in tags}


def _live(rid: ResourceId, arn: str, spec: dict[str, Any], **status: Any) -> Live:
    """A Live as the readers make it: the create call's members only (the spec model's)."""
    fields = {f.alias or n for n, f in SPEC_MODELS[rid.kind].model_fields.items()}
    taken = {k: v for k, v in spec.items() if k in fields or k == "tags"}
    return Live(rid, arn, taken, owner=spec["tags"].get(OWNER_TAG), status=status)


def service(owner: str | None = None) -> Live:
    """The api service as DescribeServices reports it, shaped like the reader shapes it
    (cluster by name, roleArn as `role`, tags as a mapping)."""
    raw = _raw("service-api.describe.json")
    tags = _ecs_tags(raw.pop("tags")) | ({OWNER_TAG: owner} if owner else {})
    spec = {**raw, "cluster": "prod", "role": raw["roleArn"], "tags": tags}
    return _live(ResourceId(Kind.SERVICE, "api", "prod"), raw["serviceArn"], spec)


def task_definition(owner: str | None = None) -> Live:
    """The api family's latest revision as DescribeTaskDefinition reports it."""
    raw = _raw("task-definition-api.describe.json")
    tags = _ecs_tags(raw["tags"]) | ({OWNER_TAG: owner} if owner else {})
    definition = raw["taskDefinition"]
    arn = definition["taskDefinitionArn"]
    revisions = [{"arn": arn, "revision": 12, "owner": owner, "content_hash": None}]
    return _live(
        ResourceId(Kind.TASK_DEFINITION, "api"),
        arn,
        {**definition, "tags": tags},
        revision=12,
        revisions=revisions,
    )


def cluster(owner: str | None = None) -> Live:
    raw = _raw("cluster-prod.describe.json")
    tags = _ecs_tags(raw.pop("tags")) | ({OWNER_TAG: owner} if owner else {})
    return _live(ResourceId(Kind.CLUSTER, "prod"), raw["clusterArn"], {**raw, "tags": tags})


def capacity_provider(owner: str | None = None) -> Live:
    raw = _raw("capacity-provider-batch.describe.json")
    tags = _ecs_tags(raw.pop("tags")) | ({OWNER_TAG: owner} if owner else {})
    rid = ResourceId(Kind.CAPACITY_PROVIDER, "batch-ec2")
    return _live(rid, raw["capacityProviderArn"], {**raw, "tags": tags})


def repository(owner: str | None = None) -> Live:
    """DescribeRepositories, GetLifecyclePolicy, GetRepositoryPolicy and ListTagsForResource."""
    raw = _raw("repository-api.describe.json")
    tags = {t["Key"]: t["Value"] for t in raw["tags"]}
    tags = {k: v for k, v in tags.items() if k != OWNER_TAG} | ({OWNER_TAG: owner} if owner else {})
    spec = {
        **raw["repository"],
        "lifecyclePolicy": json.loads(raw["lifecyclePolicyText"]),
        "repositoryPolicy": json.loads(raw["policyText"]),
        "tags": tags,
    }
    rid = ResourceId(Kind.REPOSITORY, "acme/api")
    return _live(rid, raw["repository"]["repositoryArn"], spec)


def everything(owner: str | None = None) -> dict[ResourceId, Live]:
    found = [service(owner), task_definition(owner), cluster(owner)]
    found += [capacity_provider(owner), repository(owner)]
    return {item.id: item for item in found}


def exported(live: Live) -> export.Exported:
    families = {"api": task_definition()}
    reference = (
        export.task_definition_reference(live, families) if live.id.kind is Kind.SERVICE else None
    )
    return export.export(live, task_definition=reference)


def test_service_keeps_only_what_is_not_an_ecs_default() -> None:
    """A described service keeps its settings; ECS's defaults, read-only fields (ARNs,
    counts, deployments, events), the service-linked role and AWS's tags go."""
    assert exported(service()).spec == {
        "cluster": "prod",
        "taskDefinition": "api",
        "loadBalancers": [
            {
                "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                "targetgroup/api/0123456789abcdef",
                "containerName": "app",
                "containerPort": 8080,
            }
        ],
        "desiredCount": 3,
        "launchType": "FARGATE",
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-0bbb2222", "subnet-0aaa1111"],
                "securityGroups": ["sg-0a1b2c3d"],
            }
        },
        "healthCheckGracePeriodSeconds": 60,
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "tags": {"team": "api"},
    }


def test_task_definition_drops_ecs_fill_ins_and_read_only_fields() -> None:
    """cpu 0, essential, hostPort and protocol, empty lists, health check defaults,
    revision, status, compatibilities, requiresAttributes and registeredAt all go."""
    spec = exported(task_definition()).spec

    assert set(spec) == {
        "taskRoleArn",
        "executionRoleArn",
        "networkMode",
        "containerDefinitions",
        "requiresCompatibilities",
        "cpu",
        "memory",
        "runtimePlatform",
        "tags",
    }
    app, router = spec["containerDefinitions"]
    assert app["portMappings"] == [{"containerPort": 8080, "name": "http", "appProtocol": "http"}]
    assert app["healthCheck"] == {
        "command": ["CMD-SHELL", "wget -qO- http://localhost:8080/healthz || exit 1"],
        "startPeriod": 10,
    }
    assert set(app) == {
        "name",
        "image",
        "portMappings",
        "environment",
        "secrets",
        "dependsOn",
        "ulimits",
        "logConfiguration",
        "healthCheck",
    }
    assert app["logConfiguration"]["logDriver"] == "awsfirelens"
    assert "secretOptions" not in app["logConfiguration"]
    assert router == {
        "name": "log-router",
        "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
        "memoryReservation": 50,
        "user": "0",
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": "/ecs/api-firelens",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "firelens",
            },
        },
        "firelensConfiguration": {
            "type": "fluentbit",
            "options": {"enable-ecs-log-metadata": "true"},
        },
    }


def _described(fixture: str, rid: ResourceId) -> dict[str, Any]:
    """A describe response as it is, only with tags as a mapping and a service's
    cluster and role under their request names."""
    raw = _raw(fixture)
    if rid.kind is Kind.TASK_DEFINITION:
        return {**raw["taskDefinition"], "tags": _ecs_tags(raw["tags"])}
    raw["tags"] = _ecs_tags(raw["tags"])
    if rid.kind is Kind.SERVICE:
        raw.update(cluster="prod", role=raw["roleArn"])
    return raw


@pytest.mark.parametrize(
    ("fixture", "rid"),
    [
        ("service-api.describe.json", ResourceId(Kind.SERVICE, "api", "prod")),
        ("task-definition-api.describe.json", ResourceId(Kind.TASK_DEFINITION, "api")),
        ("cluster-prod.describe.json", ResourceId(Kind.CLUSTER, "prod")),
        ("capacity-provider-batch.describe.json", ResourceId(Kind.CAPACITY_PROVIDER, "batch-ec2")),
    ],
)
def test_read_only_fields_never_reach_a_manifest(fixture: str, rid: ResourceId) -> None:
    """A describe response exported as it is (ARNs, status, counts, deployments, events,
    revision, compatibilities, requiresAttributes, createdAt, registeredAt...) gives the
    same manifest as the reader's projection of it."""
    raw = _described(fixture, rid)
    unprojected = Live(rid, "arn:unused", raw)

    reference = "api" if rid.kind is Kind.SERVICE else None
    assert export.export(unprojected, task_definition=reference) == exported(
        _live(rid, "arn:unused", raw)
    )


def test_task_definition_content_is_unchanged() -> None:
    """The minimal task definition normalises to exactly the registered revision, so
    its content hash is the revision's (a task definition is compared whole)."""
    live = task_definition()
    minimal = exported(live).spec

    assert normalise(Kind.TASK_DEFINITION, minimal) == normalise(Kind.TASK_DEFINITION, live.spec)
    assert content_hash(normalise(Kind.TASK_DEFINITION, minimal)) == content_hash(
        normalise(Kind.TASK_DEFINITION, live.spec)
    )


def test_cluster_keeps_its_settings_and_strategy_without_defaults() -> None:
    """Counts, status and attachments go; base 0 and execute-command logging DEFAULT go."""
    assert exported(cluster()).spec == {
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
        "serviceConnectDefaults": {
            "namespace": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/"
            "ns-abcdefgh12345678"
        },
        "tags": {"environment": "prod"},
    }


def test_capacity_provider_names_its_group_and_keeps_non_default_scaling() -> None:
    """The Auto Scaling group is named, not ARN'd; ECS's scaling defaults go."""
    assert exported(capacity_provider()).spec == {
        "autoScalingGroupProvider": {
            "autoScalingGroupArn": "batch-asg",
            "managedScaling": {"status": "ENABLED", "targetCapacity": 90},
        },
        "tags": {"team": "batch"},
    }


def test_repository_keeps_policies_verbatim_and_drops_ecr_defaults() -> None:
    """MUTABLE and scanOnPush false go, a KMS key stays, policies keep their Version,
    and ecsync's own ownership tag is not a user tag."""
    spec = exported(repository(owner="ecsync")).spec

    assert spec == {
        "encryptionConfiguration": {
            "encryptionType": "KMS",
            "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        "lifecyclePolicy": json.loads(_raw("repository-api.describe.json")["lifecyclePolicyText"]),
        "repositoryPolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PullFromStaging",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }
            ],
        },
        "tags": {"team": "api"},
    }


@pytest.mark.parametrize("owner", [None, "ecsync"])
def test_exported_manifests_plan_as_in_sync(owner: str | None) -> None:
    """Every exported manifest, planned against the live state it came from, changes
    nothing, whether ecsync owns the resources or not."""
    live = everything(owner)
    desired = [exported(item).desired() for item in live.values()]

    plan = build_plan(desired, live, PlanOptions())

    assert plan.actions == ()
    assert plan.problems == ()
    assert len(plan.in_sync) == 5


def test_a_service_on_an_older_revision_is_pinned() -> None:
    """A service running a revision older than the family's latest names `family:N`,
    so the plan does not roll it onto the family's manifest."""
    older = service()
    spec = {**older.spec, "taskDefinition": older.spec["taskDefinition"].replace(":12", ":11")}
    pinned = Live(older.id, older.arn, spec)

    assert export.task_definition_reference(pinned, {"api": task_definition()}) == "api:11"
    assert export.task_definition_reference(pinned, {}) == "api:11"
    assert export.task_definition_reference(service(), {"api": task_definition()}) == "api"


def test_prune_protection_becomes_the_annotation() -> None:
    """A resource tagged ecsync:prune=false is exported with `ecsync/prune: "false"`."""
    live = cluster(owner="ecsync")
    protected = Live(
        live.id, live.arn, {**live.spec, "tags": {**live.spec["tags"], PRUNE_TAG: "false"}}
    )

    document = export.export(protected).document

    assert document["metadata"] == {"name": "prod", "annotations": {"ecsync/prune": "false"}}
    assert PRUNE_TAG not in document["spec"]["tags"]


def test_exported_files_load_back_as_written(tmp_path: Path) -> None:
    """Written as YAML in the folder layout, the documents load without an error or
    warning, and each loads as exactly the spec that was exported."""
    documents = [exported(item) for item in everything().values()]
    for item in documents:
        target = tmp_path / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yamldump.dump([item.document]))

    loaded = load(tmp_path)

    assert loaded.errors == ()
    assert loaded.warnings == ()
    assert {d.id: d.spec for d in loaded.resources} == {e.id: e.spec for e in documents}
    assert sorted(str(e.path) for e in documents) == [
        "capacity-providers/batch-ec2.yaml",
        "clusters/prod.yaml",
        "repositories/acme/api.yaml",
        "services/prod/api.yaml",
        "task-definitions/api.yaml",
    ]


def test_a_value_the_models_do_not_know_is_an_export_error() -> None:
    """A value newer than ecsync's spec models is refused with the resource and field."""
    live = service()
    newer = Live(live.id, live.arn, {**live.spec, "launchType": "QUANTUM"})

    with pytest.raises(export.ExportError, match=r"Service/prod/api: spec\.launchType"):
        export.export(newer, task_definition="api")


def test_the_real_ecs_web_fixtures_minimise_to_their_manifest() -> None:
    """The shipped real-ECS task definition exports as its hand-written manifest's content."""
    live = Live(
        ResourceId(Kind.TASK_DEFINITION, "web"),
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
        _raw("task-definition-web.real-ecs.json"),
    )
    desired = _raw("task-definition-web.desired.json")

    spec = export.export(live).spec

    assert normalise(Kind.TASK_DEFINITION, spec) == normalise(Kind.TASK_DEFINITION, desired)
    assert spec["containerDefinitions"][0]["portMappings"] == [{"containerPort": 8080}]
    assert spec["volumes"] == [{"name": "scratch"}]
