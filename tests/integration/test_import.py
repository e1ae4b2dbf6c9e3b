"""`ecsync import` against moto: a shop built by hand becomes minimal manifests that
validate and plan as in sync; nothing is written to AWS unless adopting, and adopted
resources are managed from then on, prune included."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

import ecsync_local as local
from controller.aws.clients import Aws
from controller.core.kinds import Kind, ResourceId
from controller.core.settings import defaults
from controller.manifests import schema
from controller.manifests.loader import load
from controller.plan.actions import ActionType
from controller.reconcile.importer import ImportRefusedError, ImportRequest, import_live
from controller.reconcile.sync import sync
from tests.support import handmade
from tests.support.counting import CallCounter

REQUEST = ImportRequest(cluster=handmade.CLUSTER, repositories=handmade.REPOSITORIES)
FILES = [
    "capacity-providers/shop-ec2.yaml",
    "clusters/shop.yaml",
    "repositories/shop/web.yaml",
    "repositories/shop/worker.yaml",
    "services/shop/web-canary.yaml",
    "services/shop/web.yaml",
    "services/shop/worker.yaml",
    "task-definitions/shop-web.yaml",
    "task-definitions/shop-worker.yaml",
]
WEB_SERVICE = """\
apiVersion: ecsync/v1
kind: Service
metadata:
  name: web
spec:
  cluster: shop
  taskDefinition: shop-web
  desiredCount: 2
  launchType: FARGATE
  deploymentConfiguration:
    deploymentCircuitBreaker:
      enable: true
      rollback: true
    minimumHealthyPercent: 50
  networkConfiguration:
    awsvpcConfiguration:
      subnets: [{subnets}]
      securityGroups: [{group}]
  propagateTags: SERVICE
  enableExecuteCommand: true
  tags:
    team: shop
"""


@pytest.fixture
def shop(ecs: Any, ecr: Any, sandbox: local.Sandbox) -> handmade.Shop:
    """The shop built by hand with plain boto3, as a team without ecsync built it."""
    return handmade.build(ecs, ecr, sandbox)


def written(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def writes(calls: CallCounter) -> dict[str, int]:
    """Calls that are not reads."""
    reads = ("Describe", "List", "Get")
    return {op: n for op, n in calls.counts.items() if not op.startswith(reads)}


def test_import_writes_minimal_manifests_that_validate_and_plan_in_sync(
    aws: Aws, shop: handmade.Shop, sandbox: local.Sandbox, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """One file per resource in the folder layout, with only what is not a default; they
    load without errors and plan as in sync, and not one write reached AWS."""
    calls_sent.clear()

    report = import_live(aws, REQUEST, tmp_path)

    assert writes(calls_sent) == {}
    assert written(tmp_path) == FILES
    assert (tmp_path / "services/shop/web.yaml").read_text() == WEB_SERVICE.format(
        subnets=", ".join(sandbox.subnet_ids), group=sandbox.security_group_id
    )
    assert report.adopted == ()
    assert report.notes == (
        "Service/shop/web-canary runs shop-web:1, which is not the latest active revision of "
        "an imported family; its manifest pins that revision",
        "Service/shop/billing is owned by the ecsync instance 'billing-team'; not imported",
    )
    loaded = load(tmp_path)
    assert loaded.errors == ()
    planned = sync(aws, tmp_path, defaults(), apply=False).plan
    assert planned is not None
    assert planned.actions == ()
    assert planned.problems == ()
    assert len(planned.in_sync) == len(FILES)


def test_imported_task_definitions_hold_no_ecs_fill_ins(
    aws: Aws, shop: handmade.Shop, tmp_path: Path
) -> None:
    """The web family's manifest is its latest revision without what ECS added."""
    import_live(aws, REQUEST, tmp_path)
    document = yaml.safe_load((tmp_path / "task-definitions/shop-web.yaml").read_text())

    (app,) = document["spec"]["containerDefinitions"]
    assert app["image"].endswith("shop/web:1.1.0")
    assert app["portMappings"] == [{"containerPort": 8080}]
    assert app["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"],
        "startPeriod": 15,
    }
    assert "essential" not in app
    assert not {"revision", "status", "compatibilities", "taskDefinitionArn"} & set(
        document["spec"]
    )


def test_imported_manifests_match_the_json_schema(
    aws: Aws, shop: handmade.Shop, tmp_path: Path
) -> None:
    """Every imported document is valid under the schema editors use."""
    import_live(aws, REQUEST, tmp_path)
    validator = Draft202012Validator(schema.combined())

    for path in tmp_path.rglob("*.yaml"):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == [], path


def test_adopt_tags_what_was_imported_and_nothing_else(
    aws: Aws, ecs: Any, ecr: Any, shop: handmade.Shop, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """With adopt, each imported resource gets the ownership tag (a family: its latest
    revision) through TagResource alone; the other instance's service and the canary's
    older revision are untouched, and the plan stays in sync."""
    calls_sent.clear()

    report = import_live(aws, dataclasses.replace(REQUEST, adopt=True), tmp_path)

    assert writes(calls_sent) == {"TagResource": len(FILES)}
    assert len(report.adopted) == len(FILES)
    assert handmade.owner_tags(ecs, ecr) == {
        "Cluster/shop": "ecsync",
        "CapacityProvider/shop-ec2": "ecsync",
        "Service/shop/web": "ecsync",
        "Service/shop/web-canary": "ecsync",
        "Service/shop/worker": "ecsync",
        "Service/shop/billing": "billing-team",
        "TaskDefinition/shop-web:1": None,
        "TaskDefinition/shop-web:2": "ecsync",
        "TaskDefinition/shop-worker:1": "ecsync",
        "Repository/shop/web": "ecsync",
        "Repository/shop/worker": "ecsync",
    }
    planned = sync(aws, tmp_path, defaults(prune=True), apply=False).plan
    assert planned is not None
    assert planned.empty


def test_after_adopt_prune_deletes_only_the_service_whose_file_is_gone(
    aws: Aws, ecs: Any, shop: handmade.Shop, tmp_path: Path
) -> None:
    """Removing one imported service's file makes `--prune` delete that service, and only it."""
    import_live(aws, dataclasses.replace(REQUEST, adopt=True), tmp_path)
    (tmp_path / "services/shop/web-canary.yaml").unlink()

    planned = sync(aws, tmp_path, defaults(prune=True), apply=False).plan
    assert planned is not None
    assert [(a.type, a.id) for a in planned.actions] == [
        (ActionType.DELETE, ResourceId(Kind.SERVICE, "web-canary", handmade.CLUSTER))
    ]

    assert sync(aws, tmp_path, defaults(prune=True), apply=True).converged
    listed = ecs.list_services(cluster=handmade.CLUSTER)["serviceArns"]
    described = ecs.describe_services(cluster=handmade.CLUSTER, services=listed)["services"]
    assert {s["serviceName"] for s in described if s["status"] == "ACTIVE"} == {
        "web",
        "worker",
        "billing",
    }


def test_named_resources_that_do_not_exist_stop_the_import(
    aws: Aws, shop: handmade.Shop, calls_sent: CallCounter, tmp_path: Path
) -> None:
    """A named service or repository that does not exist is reported, and nothing is
    written to the folder or to AWS."""
    request = dataclasses.replace(
        REQUEST, services=("web", "nope"), repositories=("shop/web", "shop/nope"), adopt=True
    )

    with pytest.raises(ImportRefusedError, match="Service/shop/nope, Repository/shop/nope"):
        import_live(aws, request, tmp_path)

    assert written(tmp_path) == []
    assert writes(calls_sent) == {}


def test_a_missing_cluster_stops_the_import(aws: Aws, tmp_path: Path) -> None:
    """Importing a cluster that does not exist says so."""
    with pytest.raises(ImportRefusedError, match="cluster 'nope' does not exist"):
        import_live(aws, ImportRequest(cluster="nope"), tmp_path)


def test_existing_files_are_kept_unless_overwrite(
    aws: Aws, shop: handmade.Shop, tmp_path: Path
) -> None:
    """A second import into the same folder refuses to replace files, unless told to."""
    request = ImportRequest(cluster=handmade.CLUSTER, services=("web",))
    import_live(aws, request, tmp_path)
    (tmp_path / "clusters/shop.yaml").write_text("# edited by hand\n")

    with pytest.raises(ImportRefusedError, match="already exist"):
        import_live(aws, request, tmp_path)
    assert (tmp_path / "clusters/shop.yaml").read_text() == "# edited by hand\n"

    import_live(aws, request, tmp_path, overwrite=True)
    assert (tmp_path / "clusters/shop.yaml").read_text().startswith("apiVersion: ecsync/v1")
