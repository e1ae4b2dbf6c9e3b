"""Post-sync and sync-fail hooks against the local AWS: armed, run once, recorded."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

import ecsync_local as local
from controller.apply.outcomes import Outcome, Result
from controller.aws.clients import Aws, AwsConfig
from controller.core.kinds import Kind, ResourceId
from controller.core.settings import defaults
from controller.manifests.loader import load
from controller.plan.actions import Plan
from controller.reconcile import hooks, observe
from controller.reconcile.desired import DesiredSet
from controller.reconcile.health import Health
from controller.reconcile.result import KeyResult
from controller.reconcile.sync import SyncReport, sync
from controller.reconcile.target import Memory, Target
from tests.support import jobs
from tests.support.moto_tasks import make_failing_tasks_possible

WEB = ResourceId(Kind.SERVICE, "web", "jobs")
SMOKE = ResourceId(Kind.TASK, "smoke", "jobs")


def stack(
    sandbox: local.Sandbox,
    *,
    image: str = "app:1",
    hook: str = "post-sync",
    hook_for: str = "",
    migrate: str = "",
) -> str:
    """A cluster, the `app` family, its `web` and `worker` services and a `smoke` hook of
    `hook`'s phase (for `hook_for`, else for the family's services); with `migrate`, a
    pre-sync hook running that command."""
    scope = f", ecsync/hook-for: {hook_for}" if hook_for else ""
    text = jobs.family(image) + jobs.service(sandbox, "web") + jobs.service(sandbox, "worker")
    text += jobs.task(sandbox, "smoke", "smoke", f"ecsync/hook: {hook}{scope}")
    if migrate:
        text += jobs.task(sandbox, "migrate", migrate, "ecsync/hook: pre-sync")
    return text


def record(ecs: Any, name: str = "smoke") -> str:
    cluster = ecs.describe_clusters(clusters=["jobs"], include=["TAGS"])["clusters"][0]
    tags = {t["key"]: t["value"] for t in cluster.get("tags", [])}
    return str(tags.get(f"ecsync:task/{name}", ""))


def runs_of(report: SyncReport, rid: ResourceId = SMOKE) -> list[str]:
    return [str(r.outcome) for r in report.results if r.id == rid]


def started(logs: Sequence[MutableMapping[str, Any]], name: str = "smoke") -> list[Any]:
    return [e for e in logs if e["event"] == "task_started" and e["name"] == name]


def test_post_sync_is_armed_by_apply_and_runs_at_the_next_one_once(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, moto_endpoint: str, tmp_path: Path
) -> None:
    """The apply that writes the services arms the hook (they are not Healthy yet); the next
    apply finds them Healthy and runs it once; later applies do not; a new image runs it
    again, one apply after the one that rolls it out."""
    root = jobs.write(tmp_path / "m", stack(sandbox))
    with capture_logs() as logs:
        first = sync(aws, root, defaults(), apply=True)
    assert runs_of(first) == []
    assert record(ecs).endswith(" waiting")
    (waiting,) = [e for e in logs if e["event"] == "hook_waiting"]
    assert waiting["hook"] == "post-sync"
    assert waiting["services"] == ["Service/jobs/web", "Service/jobs/worker"]

    restarted = Aws(AwsConfig("us-east-1", moto_endpoint))  # nothing kept in memory
    with capture_logs() as logs:
        second = sync(restarted, root, defaults(), apply=True)
    assert runs_of(second) == ["succeeded"]
    assert second.converged
    (triggered,) = [e for e in logs if e["event"] == "hook_triggered"]
    assert "Healthy" in triggered["reason"]
    assert [e["hook"] for e in started(logs)] == ["post-sync"]
    assert record(ecs).endswith(" succeeded")

    assert runs_of(sync(restarted, root, defaults(), apply=True)) == []

    jobs.write(root, stack(sandbox, image="app:2"))
    rolled = sync(restarted, root, defaults(), apply=True)
    assert runs_of(rolled) == []
    assert record(ecs).endswith(" waiting")
    assert runs_of(sync(restarted, root, defaults(), apply=True)) == ["succeeded"]
    assert runs_of(sync(restarted, root, defaults(), apply=True)) == []


def test_a_post_sync_hook_waits_only_for_the_services_it_is_for(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A hook for `worker` is armed when worker is written, not when only web is."""
    root = jobs.write(tmp_path / "m", stack(sandbox, hook_for="worker"))
    sync(aws, root, defaults(), apply=True)
    assert runs_of(sync(aws, root, defaults(), apply=True)) == ["succeeded"]
    ran = record(ecs)

    text = stack(sandbox, hook_for="worker").replace("desiredCount: 1", "desiredCount: 2", 1)
    jobs.write(root, text)
    changed = sync(aws, root, defaults(), apply=True)
    assert [str(r.id) for r in changed.results] == ["Service/jobs/web"]
    assert record(ecs) == ran


def test_a_failed_pre_sync_hook_runs_sync_fail_once(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """A pre-sync hook that fails blocks the services, and the sync-fail hook for them runs
    in the same apply; the next apply of the same manifests does not run it again."""
    make_failing_tasks_possible()
    root = jobs.write(tmp_path / "m", stack(sandbox, hook="sync-fail", migrate="fail"))
    with capture_logs() as logs:
        first = sync(aws, root, defaults(), apply=True)
    outcomes = {str(r.id): str(r.outcome) for r in first.results}
    assert outcomes["Task/jobs/migrate"] == "failed"
    assert outcomes["Service/jobs/web"] == "blocked"
    assert runs_of(first) == ["succeeded"]
    (triggered,) = [e for e in logs if e["event"] == "hook_triggered"]
    assert triggered["hook"] == "sync-fail"
    assert "failed" in triggered["reason"]
    assert [e["hook"] for e in started(logs)] == ["sync-fail"]
    assert [e["hook"] for e in started(logs, "migrate")] == ["pre-sync"]

    again = sync(aws, root, defaults(), apply=True)
    assert runs_of(again) == []
    assert not again.converged

    jobs.write(root, stack(sandbox, hook="sync-fail", migrate="migrate"))
    fixed = sync(aws, root, defaults(), apply=True)
    assert runs_of(fixed) == []
    assert record(ecs).endswith(" waiting")  # armed while the new services roll out
    assert runs_of(sync(aws, root, defaults(), apply=True)) == []
    assert record(ecs).endswith(" passed")


def pass_over(target: Target, keys: dict[ResourceId, KeyResult], *results: Result) -> Any:
    """The hooks' end of a writing pass that judged `keys` and wrote `results`."""
    cluster = ResourceId(Kind.CLUSTER, "jobs")
    live = observe.read_live(target.aws, [target.desired.resources[cluster]])
    return hooks.after_sync(target, Plan(), live, list(results), keys)


def test_sync_fail_runs_when_a_rollout_it_was_armed_for_degrades(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """In the daemon, a write arms the sync-fail hook; a later pass that judges a service
    Degraded runs it once; a Healthy pass before that would have disarmed it."""
    root = jobs.write(tmp_path / "m", stack(sandbox, hook="sync-fail"))
    sync(aws, root, defaults(), apply=True)
    target = Target(aws, defaults(), DesiredSet.of(load(root).resources), Memory())
    updated = KeyResult(WEB, Outcome.UPDATED)
    pass_over(target, {WEB: updated}, Result(WEB, Outcome.UPDATED))
    assert record(ecs).endswith(" waiting")

    progressing = KeyResult(WEB, Outcome.UNCHANGED, health=Health.PROGRESSING)
    assert pass_over(target, {WEB: progressing}).results == ()
    with capture_logs() as logs:
        degraded = KeyResult(WEB, Outcome.UNCHANGED, health=Health.DEGRADED)
        ran = pass_over(target, {WEB: degraded})
    assert [(str(r.id), str(r.outcome)) for r in ran.results] == [(str(SMOKE), "succeeded")]
    assert ran.keys[SMOKE].outcome is Outcome.SUCCEEDED
    assert "Degraded" in next(e for e in logs if e["event"] == "hook_triggered")["reason"]
    assert pass_over(target, {WEB: degraded}).results == ()


def web_reads_degraded(aws: Aws) -> Aws:
    """`aws`, whose DescribeServices answers say `web` runs none of its tasks: what a
    rollout whose tasks do not stay up leaves."""

    def degrade(parsed: dict[str, Any], **_: Any) -> None:
        for service in parsed.get("services") or []:
            if service.get("serviceName") == "web":
                service["runningCount"] = 0
                for deployment in service.get("deployments") or []:
                    deployment["runningCount"] = 0

    aws.session.events.register("after-call.ecs.DescribeServices", degrade)
    return aws


def test_apply_runs_sync_fail_when_the_rollout_it_armed_for_left_a_service_degraded(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, moto_endpoint: str, tmp_path: Path
) -> None:
    """The next apply reads a service that the last one wrote as Degraded: the sync-fail
    hook runs, once."""
    root = jobs.write(tmp_path / "m", stack(sandbox, hook="sync-fail"))
    sync(aws, root, defaults(), apply=True)
    assert record(ecs).endswith(" waiting")
    degraded = web_reads_degraded(Aws(AwsConfig("us-east-1", moto_endpoint)))
    with capture_logs() as logs:
        assert runs_of(sync(degraded, root, defaults(), apply=True)) == ["succeeded"]
    (triggered,) = [e for e in logs if e["event"] == "hook_triggered"]
    assert "Degraded" in triggered["reason"]
    assert runs_of(sync(degraded, root, defaults(), apply=True)) == []


def test_a_hook_edited_while_its_sync_is_under_way_still_runs_for_it(
    aws: Aws, ecs: Any, sandbox: local.Sandbox, tmp_path: Path
) -> None:
    """The sync is its services' manifests, not the hook's: a post-sync hook armed by one
    apply and edited before the next runs, as edited, at that next one."""
    root = jobs.write(tmp_path / "m", stack(sandbox))
    sync(aws, root, defaults(), apply=True)
    jobs.write(root, stack(sandbox).replace("command: [smoke]", "command: [smoke, --fast]"))
    with capture_logs() as logs:
        assert runs_of(sync(aws, root, defaults(), apply=True)) == ["succeeded"]
    (run,) = started(logs)
    described = ecs.describe_tasks(cluster="jobs", tasks=[run["task"]])["tasks"][0]
    assert described["overrides"]["containerOverrides"][0]["command"] == ["smoke", "--fast"]
