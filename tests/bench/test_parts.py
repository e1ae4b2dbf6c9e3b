"""The benchmark's pure parts: the minimum calls, the bucket floor, the fleet's renaming."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from bench import builder, minimum
from bench import fleet as fleets
from bench.passes import NeverIdle, Watch
from bench.procs import cpu_seconds, peak_rss_mib
from bench.servers import Recorded

NETWORK = fleets.Network("subnet-0a", "sg-0b")


def test_a_noop_pass_of_1000_services_needs_212_calls() -> None:
    """50 repositories (3 calls each but one batched), 4 clusters of 250, 1,000 revisions."""
    calls = minimum.noop_pass(fleets.fleet(1000))
    assert calls[("ecs", "DescribeServices")] == 100
    assert calls[("ecs", "ListTaskDefinitions")] == 10
    assert calls[("ecs", "DescribeClusters")] == 1
    assert minimum.total(calls) == 212


def test_a_first_pass_also_describes_each_family_once() -> None:
    """Nothing is cached yet: one DescribeTaskDefinition per service's family."""
    assert minimum.total(minimum.first_pass(fleets.fleet(1000))) == 1212


def test_the_floor_of_10000_services_is_the_task_definition_bucket() -> None:
    """10,000 describes and 100 listings share one bucket: burst 50, then 20 a second."""
    floor = minimum.floor_seconds(minimum.first_pass(fleets.fleet(10000)))
    assert floor == pytest.approx((10000 + 100 - 50) / 20)


def test_calls_within_the_bursts_have_no_floor() -> None:
    """A small fleet's reads fit in every bucket's burst."""
    assert minimum.floor_seconds(minimum.noop_pass(fleets.fleet(20))) == 0


def test_a_service_file_differs_from_its_template_only_by_names() -> None:
    """Service 57 uses the same repository as service 7, so its file is service 7's renamed:
    the premise that lets the builder replay ecsync's requests."""
    shape = fleets.fleet(300)
    seven = fleets.service_manifest(shape, 7, "fleet-00", NETWORK)
    fifty_seven = fleets.service_manifest(shape, 57, "fleet-00", NETWORK)
    assert fifty_seven == seven.replace("svc-00007", "svc-00057")


def test_a_replayed_request_changes_only_names() -> None:
    """The builder renames the service, its family and its cluster, and nothing else."""
    body = {
        "serviceName": "svc-00007",
        "cluster": "fleet-00",
        "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/svc-00007:1",
        "desiredCount": 1,
        "tags": [{"key": "ecsync:managed-by", "value": "ecsync"}],
    }
    template = Recorded("CreateService", "/", {"X-Amz-Target": "x.CreateService"}, json.dumps(body))
    renamed = json.loads(builder._renamed(template, 1234, "fleet-04").body)
    assert renamed == {
        **body,
        "serviceName": "svc-01234",
        "cluster": "fleet-04",
        "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/svc-01234:1",
    }


def test_the_fleet_places_services_in_clusters_of_250() -> None:
    """1,000 services fill four clusters in order."""
    placement = dict(fleets.fleet(1000).placement())
    assert placement[0] == "fleet-00"
    assert placement[249] == "fleet-00"
    assert placement[250] == "fleet-01"
    assert placement[999] == "fleet-03"


def test_cpu_and_memory_are_read_from_proc() -> None:
    """This process's CPU grows with work it does; its peak memory is its size at least."""
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(3_000_000))
    assert cpu_seconds(os.getpid()) > before
    assert peak_rss_mib(os.getpid()) > 10


class _Still:
    """A daemon that does nothing at all, behind a proxy that sees nothing."""

    def cpu(self) -> float:
        return 1.0

    def reconciled(self) -> float:
        return 7.0

    def alive(self) -> None:
        pass

    def state(self) -> tuple[int, int, int]:
        return 10, 0, 0

    def snapshot(self) -> Counter[str]:
        return Counter({"DescribeServices": 10})


class _Busy(_Still):
    """A daemon with a request always in flight."""

    def state(self) -> tuple[int, int, int]:
        return 10, 0, 1


def test_an_idle_daemon_is_at_a_quiet_point() -> None:
    """Nothing in flight, no new call, no CPU: a quiet point, with the counts read there."""
    still = _Still()
    point = Watch(still, still).quiet_point(None, timeout=5)
    assert (point.cpu, point.calls, point.reconciled) == (1.0, 10, 7.0)
    assert point.operations == Counter({"DescribeServices": 10})


def test_a_daemon_never_idle_is_reported() -> None:
    """A request always in flight never makes a quiet point: NeverIdle, after the timeout."""
    busy = _Busy()
    with pytest.raises(NeverIdle):
        Watch(busy, busy).quiet_point(None, timeout=1)


def test_the_fleet_is_one_file_per_service(tmp_path: Path) -> None:
    """The registry and the clusters in a file each, then one file per service, by cluster."""
    fleets.write(fleets.fleet(3), tmp_path / "fleet", NETWORK)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml"))
    assert written == [
        "fleet/clusters.yaml",
        "fleet/registry.yaml",
        "fleet/services/fleet-00/svc-00000.yaml",
        "fleet/services/fleet-00/svc-00001.yaml",
        "fleet/services/fleet-00/svc-00002.yaml",
    ]
