"""Which post-sync and sync-fail hooks a pass concerns, found once per desired set."""

from __future__ import annotations

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Annotations, Desired
from controller.reconcile.desired import DesiredSet
from controller.reconcile.hooks import HookMemory, index_of

CLUSTER = ResourceId(Kind.CLUSTER, "shop")
FAMILY = ResourceId(Kind.TASK_DEFINITION, "shop-web")
WEB = ResourceId(Kind.SERVICE, "web", "shop")
API = ResourceId(Kind.SERVICE, "api", "edge")
MIGRATE = ResourceId(Kind.TASK, "migrate", "shop")
SMOKE = ResourceId(Kind.TASK, "smoke", "shop")
CLEANUP = ResourceId(Kind.TASK, "cleanup", "shop")
RUN_ON_WEB = {"cluster": "shop", "taskDefinition": "shop-web"}


def desired(*extra: Desired) -> DesiredSet:
    return DesiredSet.of(
        [
            Desired(CLUSTER, {}),
            Desired(FAMILY, {"containerDefinitions": [{"name": "web", "image": "nginx"}]}),
            Desired(WEB, {"cluster": "shop", "taskDefinition": "shop-web"}),
            Desired(API, {"cluster": "edge", "taskDefinition": "api:3"}),
            Desired(MIGRATE, RUN_ON_WEB, Annotations(hook="pre-sync")),
            *extra,
        ]
    )


def test_a_hook_of_a_family_is_for_its_services_and_concerned_by_what_they_need() -> None:
    """A post-sync hook of web's family is for web; web, its task definition, its cluster
    and its pre-sync hook (whose failure fails the sync) all concern it, and so does the
    hook itself; a service of another family does not."""
    index = index_of(desired(Desired(SMOKE, RUN_ON_WEB, Annotations(hook="post-sync"))))
    assert index.services == {SMOKE: (WEB,)}
    assert index.scope[SMOKE] == {WEB, FAMILY, CLUSTER, MIGRATE}
    for rid in (WEB, FAMILY, CLUSTER, MIGRATE, SMOKE):
        assert index.concerned[rid] == (SMOKE,)
    assert API not in index.concerned


def test_hook_for_names_the_services_of_a_sync_fail_hook() -> None:
    """With `ecsync/hook-for`, a sync-fail hook is for the services it names, in any
    cluster, whatever its own family."""
    cleanup = Desired(CLEANUP, RUN_ON_WEB, Annotations(hook="sync-fail", hook_for=("api",)))
    index = index_of(desired(cleanup))
    assert index.services == {CLEANUP: (API,)}
    assert WEB not in index.concerned


def test_pre_sync_hooks_and_plain_tasks_are_not_indexed() -> None:
    """Only post-sync and sync-fail hooks run at the end of a pass."""
    report = Desired(ResourceId(Kind.TASK, "report", "shop"), RUN_ON_WEB)
    assert index_of(desired(report)).services == {}


def test_the_index_is_built_once_per_desired_set() -> None:
    """A daemon's passes over one desired set share its index; a new set gets a new one."""
    memory = HookMemory()
    first = desired(Desired(SMOKE, RUN_ON_WEB, Annotations(hook="post-sync")))
    assert memory.index(first) is memory.index(first)
    second = desired()
    assert memory.index(second).services == {}
