"""Daemon metrics: the values the exposition text shows after each call."""

from __future__ import annotations

from collections import Counter

import pytest
from prometheus_client.parser import text_string_to_metric_families

from controller.daemon.metrics import Metrics


def samples(metrics: Metrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition, keyed by name and label set."""
    text = metrics.render().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return samples(metrics).get((name, frozenset(labels.items())))


def test_reconcile_counts_and_durations() -> None:
    """observe_reconciles counts by kind and result and records one duration per resource."""
    metrics = Metrics()
    metrics.observe_reconciles({("Service", "updated"): 2, ("Service", "failed"): 1}, 0.3)
    metrics.observe_reconciles({("Service", "updated"): 1, ("Cluster", "unchanged"): 2}, 1.7)
    assert value(metrics, "ecsync_reconcile_total", kind="Service", result="updated") == 3
    assert value(metrics, "ecsync_reconcile_total", kind="Service", result="failed") == 1
    assert value(metrics, "ecsync_reconcile_total", kind="Cluster", result="unchanged") == 2
    assert value(metrics, "ecsync_reconcile_duration_seconds_count", kind="Service") == 4
    assert value(metrics, "ecsync_reconcile_duration_seconds_sum", kind="Service") == pytest.approx(
        2.6
    )
    assert value(metrics, "ecsync_reconcile_duration_seconds_bucket", kind="Service", le="0.5") == 3
    assert value(metrics, "ecsync_reconcile_duration_seconds_count", kind="Cluster") == 2


def test_aws_calls_are_incremented_by_the_delta() -> None:
    """record_aws_calls adds only what the cumulative counter gained since the last call."""
    metrics = Metrics()
    stats: Counter[tuple[str, str]] = Counter({("DescribeServices", "ok"): 3})
    metrics.record_aws_calls(stats)
    stats[("DescribeServices", "ok")] += 2
    stats[("UpdateService", "throttled")] += 1
    metrics.record_aws_calls(stats)
    metrics.record_aws_calls(stats)
    assert value(metrics, "ecsync_aws_calls_total", operation="DescribeServices", outcome="ok") == 5
    assert (
        value(metrics, "ecsync_aws_calls_total", operation="UpdateService", outcome="throttled")
        == 1
    )


def test_aws_call_counter_reset_counts_the_new_value() -> None:
    """A cumulative count that went down (a new connection) is taken as new calls, never negative."""
    metrics = Metrics()
    metrics.record_aws_calls({("ListServices", "ok"): 10})
    metrics.record_aws_calls({("ListServices", "ok"): 4})
    assert value(metrics, "ecsync_aws_calls_total", operation="ListServices", outcome="ok") == 14


def test_gauges() -> None:
    """The gauges show the last value set; the leader gauge is 1 or 0."""
    metrics = Metrics()
    metrics.set_drifted(4)
    metrics.set_drifted(2)
    metrics.mark_synced(1_715_000_000.5)
    metrics.set_queue_depth(7)
    metrics.set_leader(True)
    assert value(metrics, "ecsync_drifted_resources") == 2
    assert value(metrics, "ecsync_last_successful_sync_timestamp_seconds") == 1_715_000_000.5
    assert value(metrics, "ecsync_queue_depth") == 7
    assert value(metrics, "ecsync_leader") == 1
    metrics.set_leader(False)
    assert value(metrics, "ecsync_leader") == 0


def test_every_metric_is_exposed_before_any_call() -> None:
    """A fresh Metrics already exposes its unlabelled gauges at 0 and declares every family."""
    text = Metrics().render().decode()
    families = {family.name for family in text_string_to_metric_families(text)}
    assert families >= {
        "ecsync_reconcile",
        "ecsync_reconcile_duration_seconds",
        "ecsync_aws_calls",
        "ecsync_drifted_resources",
        "ecsync_last_successful_sync_timestamp_seconds",
        "ecsync_queue_depth",
        "ecsync_leader",
    }


def test_registries_are_independent() -> None:
    """Two Metrics never share values (each has its own registry)."""
    first, second = Metrics(), Metrics()
    first.set_queue_depth(3)
    assert value(second, "ecsync_queue_depth") == 0


def test_content_type_is_prometheus_text() -> None:
    """content_type names the Prometheus text format that render() produces."""
    assert Metrics.content_type.startswith("text/plain; version=0.0.4")
