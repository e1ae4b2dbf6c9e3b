"""When post-sync and sync-fail hooks run: the pure rules over one pass's outcome."""

from __future__ import annotations

import pytest

from controller.plan.triggers import Step, SyncState, reason, step, version

V = "v2"
OLD = "v1"
WRITTEN = SyncState(written=True)
HEALTHY = SyncState(healthy=True)
FAILED = SyncState(failed=True)
DEGRADED = SyncState(degraded=True)


def test_the_version_of_a_sync_is_its_services_manifests_in_any_order() -> None:
    """The same services give the same version whatever their order; a change to one of
    them gives another."""
    assert version(["a", "b"]) == version(["b", "a"])
    assert version(["a", "b"]) != version(["a", "c"])
    assert len(version(["a"])) == 16


def test_post_sync_is_armed_by_a_write_and_runs_once_its_services_are_healthy() -> None:
    """A write of a new version arms it; it waits while a service is not Healthy, and runs
    when all are in sync and Healthy."""
    assert step("post-sync", V, OLD, "succeeded", WRITTEN) is Step.ARM
    assert step("post-sync", V, "", "", WRITTEN) is Step.ARM
    assert step("post-sync", V, V, "waiting", SyncState()) is Step.NOTHING
    assert step("post-sync", V, V, "waiting", HEALTHY) is Step.RUN


def test_post_sync_waits_while_its_services_are_written_again() -> None:
    """Healthy before a write of the same pass is stale: it waits for the rollout."""
    assert step("post-sync", V, V, "waiting", SyncState(written=True, healthy=True)) is (
        Step.NOTHING
    )


@pytest.mark.parametrize("state", ["succeeded", "failed"])
def test_post_sync_runs_once_per_version(state: str) -> None:
    """A version that ran is not armed or run again: a drift correction or a resync of the
    same manifests is the same sync."""
    assert step("post-sync", V, V, state, WRITTEN) is Step.NOTHING
    assert step("post-sync", V, V, state, HEALTHY) is Step.NOTHING


def test_post_sync_never_runs_without_a_write() -> None:
    """Healthy services whose manifests were not written in a sync do not run it: a hook
    added to manifests already in sync waits for their next change."""
    assert step("post-sync", V, "", "", HEALTHY) is Step.NOTHING
    assert step("post-sync", V, OLD, "waiting", HEALTHY) is Step.NOTHING


def test_a_failure_does_not_run_post_sync() -> None:
    """A failed write or a Degraded service leaves it waiting: it runs only if a retry
    converges."""
    assert step("post-sync", V, V, "waiting", FAILED) is Step.NOTHING
    assert step("post-sync", V, V, "waiting", DEGRADED) is Step.NOTHING


@pytest.mark.parametrize("phase", ["post-sync", "sync-fail"])
def test_a_run_still_going_is_resumed(phase: str) -> None:
    """A record of this version `running` (a crash mid-run) is resumed, never started twice."""
    assert step(phase, V, V, "running", FAILED) is Step.RESUME
    assert step(phase, V, V, "running", HEALTHY) is Step.RESUME


def test_sync_fail_runs_on_a_failed_write_without_being_armed() -> None:
    """A write (or pre-sync hook) of its services that fails runs it at once."""
    assert step("sync-fail", V, "", "", FAILED) is Step.RUN
    assert step("sync-fail", V, OLD, "succeeded", FAILED) is Step.RUN
    assert step("sync-fail", V, V, "waiting", FAILED) is Step.RUN


@pytest.mark.parametrize("state", ["succeeded", "failed", "passed"])
def test_sync_fail_runs_once_per_failing_version(state: str) -> None:
    """A retry of the same manifests that fails again does not run it again."""
    assert step("sync-fail", V, V, state, FAILED) is Step.NOTHING
    assert step("sync-fail", V, V, state, DEGRADED) is Step.NOTHING


def test_sync_fail_runs_when_a_rollout_it_was_armed_for_degrades() -> None:
    """Degraded after a write of this version (a failed or rolled-back rollout) runs it;
    Degraded with no rollout ecsync started does not."""
    assert step("sync-fail", V, OLD, "succeeded", WRITTEN) is Step.ARM
    assert step("sync-fail", V, V, "waiting", DEGRADED) is Step.RUN
    assert step("sync-fail", V, "", "", DEGRADED) is Step.NOTHING
    assert step("sync-fail", V, OLD, "waiting", DEGRADED) is Step.NOTHING


def test_sync_fail_is_disarmed_once_its_services_are_healthy() -> None:
    """A sync that ends Healthy needs no sync-fail: it is disarmed, and a later Degraded
    service (not a rollout of this version) does not run it."""
    assert step("sync-fail", V, V, "waiting", SyncState()) is Step.NOTHING
    assert step("sync-fail", V, V, "waiting", HEALTHY) is Step.DISARM
    assert step("sync-fail", V, V, "passed", DEGRADED) is Step.NOTHING


def test_pre_sync_hooks_are_not_triggered() -> None:
    """The plan runs pre-sync hooks; the end of a pass never does."""
    assert step("pre-sync", V, "", "", FAILED) is Step.NOTHING
    assert step("pre-sync", V, V, "waiting", HEALTHY) is Step.NOTHING


def test_the_reason_says_why_a_hook_runs() -> None:
    """post-sync: Healthy after a write; sync-fail: a failed write, or a Degraded rollout."""
    assert "Healthy" in reason("post-sync", HEALTHY)
    assert "failed" in reason("sync-fail", FAILED)
    assert "Degraded" in reason("sync-fail", DEGRADED)
