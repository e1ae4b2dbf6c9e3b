"""Prune guards and revision cleanup against the moto server: the mass-deletion guard,
scale-to-0 before DeleteService, `ecsync/prune: "false"`, reverse delete order, and
deregistering old task definition revisions ecsync registered (and no others)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

import ecsync_local as local
from controller.aws.clients import Aws
from controller.core.settings import Settings, defaults
from controller.daemon.loop import SOURCE, Controller
from controller.daemon.metrics import Metrics
from controller.daemon.status import StatusBoard
from controller.plan.actions import ActionType
from controller.reconcile.sync import sync
from tests.support import arrange, cli
from tests.support.counting import CallCounter
from tests.support.sources import FixedFolder
from tests.support.stacks import active_services, deletes, write_stack

PRUNE = defaults(prune=True)
CONFIRMED = defaults(prune=True, confirm_prune=True)
KEEP_ALL = defaults(keep_revisions=None)
REMOVALS = ("UpdateService", "DeleteService", "DeregisterTaskDefinition", "DeleteCluster")
KEEPER = """\
apiVersion: ecsync/v1
kind: Repository
metadata: {name: keeper}
spec: {}
"""


def operations(calls: CallCounter, *names: str) -> list[str]:
    """The operations among `names` that were sent, in order."""
    return [name for name, _ in calls.sent if name in names]


def storefront(aws: Aws, sandbox: local.Sandbox, root: Path) -> Path:
    """The storefront stack (repository, cluster, task definition, service), converged."""
    write_stack("storefront", root, sandbox)
    assert sync(aws, root, defaults(), apply=True).converged
    return root


# -- the mass-deletion guard ---------------------------------------------------


def test_a_prune_of_half_the_stack_is_blocked_until_confirmed(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """Removing the service and task definition manifests (2 of 4 owned) deletes nothing,
    logs `prune_blocked` and reports both; confirmed, both go, the service first."""
    root = storefront(aws, sandbox, tmp_path / "storefront")
    (root / "web-service.yaml").unlink()
    (root / "web-task-definition.yaml").unlink()
    calls_sent.clear()

    with capture_logs() as logs:
        blocked = sync(aws, root, PRUNE, apply=True)

    assert blocked.plan is not None
    assert not blocked.converged
    assert deletes(blocked.plan.actions) == []
    assert sorted(str(p.id) for p in blocked.plan.problems) == [
        "Service/storefront/web",
        "TaskDefinition/storefront-web",
    ]
    assert "2 of the 4 resources" in blocked.plan.notes[0]
    (event,) = [e for e in logs if e["event"] == "prune_blocked"]
    assert event["log_level"] == "warning"
    assert (event["deletes"], event["owned"], event["max_share"]) == (2, 4, 0.3)
    assert operations(calls_sent, *REMOVALS) == []
    assert set(active_services(ecs, "storefront")) == {"web"}

    confirmed = sync(aws, root, CONFIRMED, apply=True)

    assert confirmed.converged
    assert operations(calls_sent, *REMOVALS) == [
        "UpdateService",
        "DeleteService",
        "DeregisterTaskDefinition",
    ]
    assert set(active_services(ecs, "storefront")) == set()
    assert ecs.list_task_definitions(familyPrefix="storefront-web")["taskDefinitionArns"] == []


def test_a_raised_share_lets_the_same_prune_through(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """`prune_max_share=0.5` allows deleting 2 of 4 without confirmation."""
    root = storefront(aws, sandbox, tmp_path / "storefront")
    (root / "web-service.yaml").unlink()
    (root / "web-task-definition.yaml").unlink()

    report = sync(aws, root, defaults(prune=True, prune_max_share=0.5), apply=True)

    assert report.converged
    assert set(active_services(ecs, "storefront")) == set()


# -- services: scale to 0, then delete ------------------------------------------


def test_a_pruned_service_is_scaled_to_zero_then_deleted_without_force(
    aws: Aws, sandbox: local.Sandbox, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """DELETE of a running service is UpdateService(desiredCount=0), then DeleteService
    with no `force`: two calls, in that order."""
    root = storefront(aws, sandbox, tmp_path / "storefront")
    (root / "web-service.yaml").unlink()
    calls_sent.clear()

    assert sync(aws, root, PRUNE, apply=True).converged

    sent = [(n, p) for n, p in calls_sent.sent if n in ("UpdateService", "DeleteService")]
    assert sent == [
        ("UpdateService", {"cluster": "storefront", "service": "web", "desiredCount": 0}),
        ("DeleteService", {"cluster": "storefront", "service": "web"}),
    ]
    assert calls_sent["UpdateService"] == calls_sent["DeleteService"] == 1


def test_a_service_already_at_zero_is_deleted_with_one_call(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """A service someone already scaled to 0 needs no UpdateService: only DeleteService."""
    root = storefront(aws, sandbox, tmp_path / "storefront")
    ecs.update_service(cluster="storefront", service="web", desiredCount=0)
    (root / "web-service.yaml").unlink()
    calls_sent.clear()

    assert sync(aws, root, PRUNE, apply=True).converged

    assert operations(calls_sent, "UpdateService", "DeleteService") == ["DeleteService"]
    assert set(active_services(ecs, "storefront")) == set()


# -- ecsync/prune: "false" -------------------------------------------------------


def test_prune_false_keeps_a_service_through_cli_apply_prune(
    moto_endpoint: str, aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A service applied with `ecsync/prune: "false"` carries the tag, and survives
    `ecsync apply --prune --confirm-prune` after its manifest is gone."""
    root = write_stack("storefront", tmp_path / "storefront", sandbox)
    manifest = root / "web-service.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "  name: web\n", '  name: web\n  annotations:\n    ecsync/prune: "false"\n'
        )
    )
    assert sync(aws, root, defaults(), apply=True).converged
    described = ecs.describe_services(cluster="storefront", services=["web"], include=["TAGS"])
    assert {"key": "ecsync:prune", "value": "false"} in described["services"][0]["tags"]
    manifest.unlink()

    ran = cli.run(
        "apply", str(root), "--prune", "--confirm-prune", "--endpoint-url", moto_endpoint,
        "--region", "us-east-1", "--log-format", "json",
    )  # fmt: skip

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "delete" not in ran.stdout
    assert set(active_services(ecs, "storefront")) == {"web"}
    again = sync(aws, root, CONFIRMED, apply=False).plan
    assert again is not None
    assert again.empty


# -- reverse dependency order ----------------------------------------------------


def test_deletes_run_services_then_task_definitions_then_clusters_then_providers(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """Pruning a whole EC2 stack deletes both services (each scaled to 0 first), then
    deregisters the task definition, then deletes the cluster, then the capacity provider."""
    root = write_stack("batch-ec2", tmp_path / "batch", sandbox)
    (root / "keeper.yaml").write_text(KEEPER)
    assert sync(aws, root, defaults(), apply=True).converged
    for name in ("capacity.yaml", "ingest.yaml"):
        (root / name).unlink()
    calls_sent.clear()

    report = sync(aws, root, CONFIRMED, apply=True)

    assert report.converged
    order = operations(calls_sent, *REMOVALS, "DeleteCapacityProvider")
    assert sorted(order[:4]) == ["DeleteService"] * 2 + ["UpdateService"] * 2
    assert order[4:] == ["DeregisterTaskDefinition", "DeleteCluster", "DeleteCapacityProvider"]
    per_service = [
        (name, params["service"])
        for name, params in calls_sent.sent
        if name in ("UpdateService", "DeleteService")
    ]
    for service in ("ingest", "ingest-spot"):
        mine = [name for name, of in per_service if of == service]
        assert mine == ["UpdateService", "DeleteService"], service
    assert ecs.describe_clusters(clusters=["batch"])["clusters"][0]["status"] == "INACTIVE"


# -- old task definition revisions ------------------------------------------------

API = """\
apiVersion: ecsync/v1
kind: Cluster
metadata: {{name: apps}}
spec: {{}}
---
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {{name: api}}
spec:
  containerDefinitions:
    - {{name: app, image: "ghcr.io/acme/api:{tag}", memory: 128}}
---
apiVersion: ecsync/v1
kind: Service
metadata: {{name: api}}
spec: {{cluster: apps, taskDefinition: api, desiredCount: 1}}
"""


def release(aws: Aws, root: Path, tag: str, options: Settings = KEEP_ALL) -> None:
    """Write the api stack at image `tag` and apply it: one new revision, one service update."""
    root.mkdir(exist_ok=True)
    (root / "api.yaml").write_text(API.format(tag=tag))
    assert sync(aws, root, options, apply=True).converged


def active_revisions(ecs: Any, family: str = "api") -> list[int]:
    arns = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return sorted(int(arn.rsplit(":", 1)[1]) for arn in arns)


def test_old_owned_revisions_go_but_used_and_hand_registered_ones_stay(
    aws: Aws, ecs: Any, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """With keep 3, of owned revisions 1,2,4,5,6,7 the three newest stay, revision 1 stays
    because a hand-made service in another cluster runs it, and 2 and 4 are deregistered;
    revision 3, registered by hand, is never touched."""
    root = tmp_path / "api"
    release(aws, root, "v1")
    release(aws, root, "v2")
    arrange.register(ecs, "api", owner=None)  # revision 3
    for tag in ("v3", "v4", "v5", "v6"):
        release(aws, root, tag)
    arrange.services(ecs, "other", [], owner=None)
    ecs.create_service(
        cluster="other", serviceName="legacy", taskDefinition="api:1", desiredCount=1
    )
    assert active_revisions(ecs) == [1, 2, 3, 4, 5, 6, 7]
    calls_sent.clear()

    report = sync(aws, root, defaults(keep_revisions=3), apply=True)

    assert report.converged
    assert report.plan is not None
    assert sorted(a.id.name for a in report.plan.actions) == ["api:2", "api:4"]
    assert {a.type for a in report.plan.actions} == {ActionType.DEREGISTER}
    assert sorted(p["taskDefinition"].rsplit("/", 1)[1] for p in calls_sent.params(
        "DeregisterTaskDefinition"
    )) == ["api:2", "api:4"]  # fmt: skip
    assert active_revisions(ecs) == [1, 3, 5, 6, 7]
    described = [(p["cluster"], p["services"]) for p in calls_sent.params("DescribeServices")]
    assert described == [("apps", ["api"]), ("other", ["legacy"])]  # read once, not again
    again = sync(aws, root, defaults(keep_revisions=3), apply=False).plan
    assert again is not None
    assert again.empty


def test_a_release_past_the_limit_deregisters_the_oldest_after_the_update(
    aws: Aws, ecs: Any, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """At 5 owned revisions (the default keep), the sixth release registers, updates the
    service, and only then deregisters revision 1; the plan after it is empty."""
    root = tmp_path / "api"
    for tag in ("v1", "v2", "v3", "v4", "v5"):
        release(aws, root, tag, defaults())
    assert active_revisions(ecs) == [1, 2, 3, 4, 5]
    calls_sent.clear()

    release(aws, root, "v6", defaults())

    writes = operations(
        calls_sent, "RegisterTaskDefinition", "UpdateService", "DeregisterTaskDefinition"
    )
    assert writes == ["RegisterTaskDefinition", "UpdateService", "DeregisterTaskDefinition"]
    assert active_revisions(ecs) == [2, 3, 4, 5, 6]
    again = sync(aws, root, defaults(), apply=False).plan
    assert again is not None
    assert again.empty


def test_no_cleanup_read_while_the_count_is_within_keep(
    aws: Aws, tmp_path: Path, calls_sent: CallCounter
) -> None:
    """With no more owned revisions than keep, a plan lists no clusters or services of the
    account; below keep, the same plan does (to learn which revisions are in use)."""
    root = tmp_path / "api"
    for tag in ("v1", "v2", "v3"):
        release(aws, root, tag, defaults())
    calls_sent.clear()

    quiet = sync(aws, root, defaults(), apply=False).plan

    assert quiet is not None
    assert quiet.empty
    assert (calls_sent["ListClusters"], calls_sent["ListServices"]) == (0, 0)

    cleanup = sync(aws, root, defaults(keep_revisions=2), apply=False).plan

    assert cleanup is not None
    assert [a.id.name for a in cleanup.actions] == ["api:1"]
    assert calls_sent["ListClusters"] == 1


# -- the daemon --------------------------------------------------------------------


def first_pass(aws: Aws, root: Path, options: Settings) -> Controller:
    """A daemon controller on `root` that has loaded it and run its first full pass."""
    controller = Controller(aws, FixedFolder(root), options, board=StatusBoard(), metrics=Metrics())
    controller.process([SOURCE])
    controller.process(controller.queue.get_batch(timeout=1))
    return controller


def test_the_daemon_holds_back_a_large_prune_until_run_with_confirm_prune(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """`ecsync run --prune` logs `prune_blocked` (with the revision) and deletes nothing;
    with `--confirm-prune` the same first pass deletes."""
    root = storefront(aws, sandbox, tmp_path / "storefront")
    (root / "web-service.yaml").unlink()
    (root / "web-task-definition.yaml").unlink()

    with capture_logs() as logs:
        first_pass(aws, root, defaults(prune=True, resync=3600))

    (event,) = [e for e in logs if e["event"] == "prune_blocked"]
    assert (event["revision"], event["deletes"], event["owned"]) == ("rev-1", 2, 4)
    assert set(active_services(ecs, "storefront")) == {"web"}

    first_pass(aws, root, defaults(prune=True, confirm_prune=True, resync=3600))

    assert set(active_services(ecs, "storefront")) == set()


def test_the_daemon_deregisters_old_revisions_beyond_keep(
    aws: Aws, ecs: Any, tmp_path: Path
) -> None:
    """A daemon pass with `keep_revisions=2` deregisters the oldest of three owned revisions
    and logs `task_definition_deregistered`."""
    root = tmp_path / "api"
    for tag in ("v1", "v2", "v3"):
        release(aws, root, tag)

    with capture_logs() as logs:
        first_pass(aws, root, defaults(keep_revisions=2, resync=3600))

    assert active_revisions(ecs) == [2, 3]
    (event,) = [e for e in logs if e["event"] == "task_definition_deregistered"]
    assert (event["kind"], event["name"], event["revision"]) == ("TaskDefinition", "api:1", "rev-1")
    assert event["arn"].endswith(":task-definition/api:1")


# -- the command line ------------------------------------------------------------


def test_cli_apply_prune_refuses_a_large_shrink_then_confirm_prune_deletes(
    moto_endpoint: str, aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """`ecsync apply --prune` exits 1 naming the counts and `--confirm-prune`, deleting
    nothing; the same command with `--confirm-prune` exits 0 and deletes."""
    root = storefront(aws, sandbox, tmp_path / "storefront")
    (root / "web-service.yaml").unlink()
    (root / "web-task-definition.yaml").unlink()
    flags = ["--endpoint-url", moto_endpoint, "--region", "us-east-1", "--log-format", "json"]

    refused = cli.run("apply", str(root), "--prune", *flags)

    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "prune blocked: it would delete 2 of the 4 resources" in refused.stdout
    assert "--confirm-prune" in refused.stdout
    events = [json.loads(line) for line in refused.stderr.splitlines() if line.startswith("{")]
    assert [e["deletes"] for e in events if e["event"] == "prune_blocked"] == [2]
    assert set(active_services(ecs, "storefront")) == {"web"}

    confirmed = cli.run("apply", str(root), "--prune", "--confirm-prune", *flags)

    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr
    assert "- delete Service/storefront/web" in confirmed.stdout
    assert set(active_services(ecs, "storefront")) == set()


def test_cli_prune_max_share_raises_the_limit(
    moto_endpoint: str, aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """`--prune-max-share 0.5` lets `apply --prune` delete 2 of 4 without confirmation."""
    root = storefront(aws, sandbox, tmp_path / "storefront")
    (root / "web-service.yaml").unlink()
    (root / "web-task-definition.yaml").unlink()

    ran = cli.run(
        "apply", str(root), "--prune", "--prune-max-share", "0.5", "--endpoint-url",
        moto_endpoint, "--region", "us-east-1", "--log-format", "json",
    )  # fmt: skip

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert set(active_services(ecs, "storefront")) == set()
