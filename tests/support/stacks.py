"""Generated manifest folders of many resources, and what moto holds of them afterwards."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controller.aws.clients import Aws
from controller.reconcile.sync import SyncOptions, sync
from tests.support.daemon import Daemon
from tests.support.shop import LIFECYCLE


@dataclass(frozen=True)
class Stack:
    """How many of each kind; services spread over the clusters and use the families in turn."""

    clusters: int = 5
    repositories: int = 10
    task_definitions: int = 40
    services: int = 45

    @property
    def size(self) -> int:
        return self.clusters + self.repositories + self.task_definitions + self.services

    def cluster_names(self) -> list[str]:
        return [f"rel-{i}" for i in range(self.clusters)]

    def repository_names(self) -> list[str]:
        return [f"rel/app-{i}" for i in range(self.repositories)]

    def families(self) -> list[str]:
        return [f"rel-task-{i}" for i in range(self.task_definitions)]

    def service_names(self) -> dict[str, list[str]]:
        """cluster -> the names of its services."""
        placed: dict[str, list[str]] = {c: [] for c in self.cluster_names()}
        for i in range(self.services):
            placed[self.cluster_names()[i % self.clusters]].append(f"svc-{i}")
        return placed

    def write(self, folder: Path) -> Path:
        """One file per kind in `folder` (created); returns the folder."""
        folder.mkdir(parents=True, exist_ok=True)
        families = self.families()
        services = [
            _service(name, cluster, families[index % len(families)], index)
            for index, (cluster, name) in enumerate(
                (c, n) for c, names in self.service_names().items() for n in names
            )
        ]
        docs = {
            "clusters": [
                _doc("Cluster", n, {"tags": {"suite": "reliability"}}) for n in self.cluster_names()
            ],
            "repositories": [_repository(name) for name in self.repository_names()],
            "tasks": [_task_definition(family, i) for i, family in enumerate(families)],
            "services": services,
        }
        for kind, items in docs.items():  # JSON documents are YAML: one file per kind
            (folder / f"{kind}.yaml").write_text("".join(f"---\n{json.dumps(d)}\n" for d in items))
        return folder


def _repository(name: str) -> dict[str, Any]:
    return _doc(
        "Repository", name, {"imageTagMutability": "IMMUTABLE", "lifecyclePolicy": LIFECYCLE}
    )


def _task_definition(family: str, index: int) -> dict[str, Any]:
    container = {
        "name": "app",
        "image": f"nginx:1.{20 + index % 8}",
        "memory": 128,
        "portMappings": [{"containerPort": 80, "hostPort": 0}],
        "environment": [{"name": "INDEX", "value": str(index)}],
    }
    spec = {
        "networkMode": "bridge",
        "requiresCompatibilities": ["EC2"],
        "containerDefinitions": [container],
    }
    return _doc("TaskDefinition", family, spec)


def _service(name: str, cluster: str, family: str, index: int) -> dict[str, Any]:
    spec = {
        "cluster": cluster,
        "taskDefinition": family,
        "desiredCount": 1 + index % 3,
        "launchType": "EC2",
    }
    return _doc("Service", name, spec)


def _doc(kind: str, name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "ecsync/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}


def active_revisions(ecs: Any, families: list[str]) -> Counter[str]:
    """ACTIVE task definition revisions per family (families without any are absent)."""
    wanted = set(families)
    found: Counter[str] = Counter()
    paginator = ecs.get_paginator("list_task_definitions")
    for page in paginator.paginate(status="ACTIVE"):
        for arn in page["taskDefinitionArns"]:
            family = arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]
            if family in wanted:
                found[family] += 1
    return found


def active_services(ecs: Any, cluster: str) -> Counter[str]:
    """ACTIVE services per name in `cluster`, checked by ARN (ListServices matches substrings)."""
    arns = [
        arn
        for page in ecs.get_paginator("list_services").paginate(cluster=cluster)
        for arn in page["serviceArns"]
        if arn.split("/")[-2] == cluster
    ]
    found: Counter[str] = Counter()
    for start in range(0, len(arns), 10):
        described = ecs.describe_services(cluster=cluster, services=arns[start : start + 10])
        for service in described["services"]:
            if service["status"] == "ACTIVE":
                found[service["serviceName"]] += 1
    return found


def in_sync(aws: Aws, folder: Path) -> bool:
    """Whether a plan of `folder` against `aws` is empty (a broken manifest fails the test)."""
    report = sync(aws, folder, SyncOptions(), apply=False)
    assert report.plan is not None, report.loaded.errors
    return report.plan.empty and not report.plan.problems


def wait_until_in_sync(aws: Aws, folder: Path, daemon: Daemon, timeout: float) -> bool:
    """Poll `in_sync` (best straight against moto) while `daemon` works; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert daemon.process.poll() is None, "".join(daemon.lines[-40:])
        if in_sync(aws, folder):
            return True
        time.sleep(1)
    return False
