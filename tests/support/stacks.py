"""Manifest folders for tests, and what moto holds of them afterwards.

The fixture stacks of `tests/fixtures/stacks/`, filled in with the sandbox's
ids; generated stacks of many resources; whether a folder converges.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import ecsync_local as local
from controller.aws.clients import Aws
from controller.core.kinds import ResourceId
from controller.core.settings import defaults
from controller.plan.actions import Action, ActionType
from controller.reconcile.sync import SyncReport, sync
from tests.support.daemon import Daemon
from tests.support.shop import LIFECYCLE

STACKS = Path(__file__).resolve().parents[1] / "fixtures" / "stacks"


def write_stack(name: str, dest: Path, sandbox: local.Sandbox, **values: str) -> Path:
    """Copy stack `name` into `dest` with the sandbox ids (and `values`) substituted."""
    ids = {
        "SUBNET_A": sandbox.subnet_ids[0],
        "SUBNET_B": sandbox.subnet_ids[1],
        "SECURITY_GROUP": sandbox.security_group_id,
        "ASG_NAME": sandbox.asg_name,
        "ASG_ARN": sandbox.asg_arn,
        **values,
    }
    dest.mkdir(parents=True, exist_ok=True)
    for source in sorted((STACKS / name).glob("*.yaml")):
        (dest / source.name).write_text(Template(source.read_text()).substitute(ids))
    return dest


def assert_converges(aws: Aws, root: Path) -> SyncReport:
    """Apply converges with no failure, and the plan that follows has nothing to do."""
    applied = sync(aws, root, defaults(), apply=True)
    assert applied.loaded.ok, [str(e) for e in applied.loaded.errors]
    assert applied.plan is not None
    failures = [(str(r.id), r.error) for r in applied.results if r.outcome.failed]
    assert failures == []
    assert applied.converged, applied.plan.to_dict()

    again = sync(aws, root, defaults(), apply=False)
    assert again.plan is not None
    assert again.plan.to_dict()["actions"] == []
    assert again.plan.to_dict()["problems"] == []
    assert len(again.plan.in_sync) == len(applied.loaded.resources)
    return applied


def deletes(actions: tuple[Action, ...]) -> list[ResourceId]:
    """The resources that `actions` delete."""
    return [a.id for a in actions if a.type is ActionType.DELETE]


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
    report = sync(aws, folder, defaults(), apply=False)
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
