"""Drift bookkeeping: drift versus new commits, re-alerts, and fights."""

from __future__ import annotations

from controller.core.kinds import Kind, ResourceId
from controller.diff.compare import FieldChange
from controller.reconcile.drift import DriftPolicy, DriftTracker, signature

WEB = ResourceId(Kind.SERVICE, "web", "prod")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_difference_after_convergence_with_same_manifests_is_drift() -> None:
    """Unchanged manifests since the last convergence make a difference drift."""
    tracker = DriftTracker()
    assert not tracker.is_drift(WEB, "fp1")
    tracker.converged(WEB, "fp1")
    assert tracker.is_drift(WEB, "fp1")


def test_difference_after_a_new_commit_is_not_drift() -> None:
    """A changed fingerprint means the manifests moved: that is a sync, not drift."""
    tracker = DriftTracker()
    tracker.converged(WEB, "fp1")
    assert not tracker.is_drift(WEB, "fp2")


def test_alert_only_repeats_only_on_change_or_after_realert() -> None:
    """The same drift is alerted once per re-alert interval; a new drift at once."""
    clock = FakeClock()
    tracker = DriftTracker(DriftPolicy(realert=60), clock=clock)
    first = signature([FieldChange("/desiredCount", 2, 5)])
    second = signature([FieldChange("/desiredCount", 2, 6)])
    assert tracker.should_alert(WEB, first)
    clock.now = 30
    assert not tracker.should_alert(WEB, first)
    assert tracker.should_alert(WEB, second)
    clock.now = 80
    assert not tracker.should_alert(WEB, second)
    clock.now = 30 + 60
    assert tracker.should_alert(WEB, second)


def test_same_drift_k_times_within_window_is_flapping() -> None:
    """The third identical correction within the window reports a fight."""
    clock = FakeClock()
    tracker = DriftTracker(DriftPolicy(flap_count=3, flap_window=600), clock=clock)
    drift = signature([FieldChange("/desiredCount", 2, 5)])
    assert not tracker.record_correction(WEB, drift)
    clock.now = 100
    assert not tracker.record_correction(WEB, drift)
    clock.now = 200
    assert tracker.record_correction(WEB, drift)


def test_corrections_outside_the_window_do_not_count() -> None:
    """Old corrections expire, so occasional drift is never called a fight."""
    clock = FakeClock()
    tracker = DriftTracker(DriftPolicy(flap_count=3, flap_window=600), clock=clock)
    drift = signature([FieldChange("/desiredCount", 2, 5)])
    for step in range(5):
        clock.now = step * 400
        assert not tracker.record_correction(WEB, drift)
