"""Which task definition revisions the services of an account use, kept between passes.

Revision cleanup never deregisters a revision a service uses (as its task
definition or a deployment's), and only reading every service of the account
says which those are: services no manifest names and clusters no manifest
names count too. `RevisionsInUse` keeps that answer per service, so that a
long-running daemon reads the whole account once, not on every pass:

- every pass feeds it the services it read anyway (`note`), which refreshes
  their entries at no cost;
- the rest of the account is listed and described on the first `read` after
  `expire` (the daemon expires it on each resync), and only the services not
  noted since then are described.

Schedules count as well: a revision a schedule runs (EventBridge Scheduler,
`Target.EcsParameters.TaskDefinitionArn`) is in use. The schedules a pass
reads are noted; every ECS-task schedule of the account is read on the
first `read` after `expire` (ListSchedules, then GetSchedule for those whose
target is an ECS cluster).

A service created or changed outside ecsync since the last `expire` is not
seen until the next one. At worst, between resyncs, such a service runs a
revision ecsync deregistered: its tasks keep running and it can still scale,
but no service can be updated onto that revision again and RunTask refuses it
(DeregisterTaskDefinition, ECS API Reference).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from controller.aws import clusters, schedules, services
from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Live

if TYPE_CHECKING:
    from controller.aws.clients import Aws

_Key = tuple[str, str]
"""(cluster name, service name)."""


class RevisionsInUse:
    """Task definitions in use, per service; thread-safe."""

    def __init__(self) -> None:
        self._by_service: dict[_Key, frozenset[str]] = {}
        self._by_schedule: dict[str, str] = {}
        """`<group>/<name>` -> the task definition a schedule runs (those that run ECS
        tasks): a revision a schedule runs is in use too."""
        self._fresh: set[_Key] = set()
        """Services noted or read since the last `expire`."""
        self._listed = False
        """Whether the account was listed since the last `expire`."""
        self._lock = threading.RLock()

    def note(self, live: Mapping[ResourceId, Live]) -> None:
        """Record what the services among `live` (as a pass read them) use; other kinds
        are ignored. Costs no call."""
        with self._lock:
            for rid, item in live.items():
                if rid.kind is Kind.SCHEDULE:
                    used = schedules.task_definition_of(item.spec)
                    if used is not None:
                        self._by_schedule[f"{schedules.group_of(item.spec)}/{rid.name}"] = used
                if rid.kind is Kind.SERVICE:
                    key = (rid.cluster, rid.name)
                    state = services.state_of(item)
                    self._by_service[key] = state.task_definitions if state else frozenset()
                    self._fresh.add(key)

    def known(self) -> frozenset[str]:
        """What is known to be in use so far, without reading anything (for
        `taskdefs.RevisionReads`: a revision in use needs no describe for cleanup)."""
        with self._lock:
            return frozenset().union(*self._by_service.values(), self._by_schedule.values())

    def expire(self) -> None:
        """Make the next `read` list the account again (services noted after this call
        are not described again)."""
        with self._lock:
            self._fresh.clear()
            self._listed = False

    def read(self, aws: Aws, known: Mapping[ResourceId, Live] | None = None) -> frozenset[str]:
        """Every task definition a service of the account uses, as ECS reports them
        (normally revision ARNs), after noting `known`.

        The first read after `expire` lists every cluster's services (ListClusters,
        then ListServices per cluster, side by side) and describes, 10 at a time,
        those not noted since; a service that is gone is forgotten. Later reads
        make no call. Raises `errors.AwsError` when a read fails; what was known
        before stays.
        """
        with self._lock:
            if known:
                self.note(known)
            if not self._listed:
                self._read_account(aws)
            return self.known()

    def _read_account(self, aws: Aws) -> None:
        listed = services.list_services_in(aws, clusters.list_cluster_names(aws))
        unread = {
            cluster: [name for name in names if (cluster, name) not in self._fresh]
            for cluster, names in listed.items()
        }
        described = services.describe_services(aws, unread, include_tags=False)
        present = {(cluster, name) for cluster, names in listed.items() for name in names}
        by_service = {
            key: used
            for key, used in self._by_service.items()
            if key in self._fresh and key in present
        }
        for service in described:
            if service.get("status") != "INACTIVE":
                key = (services.cluster_of(service), service["serviceName"])
                by_service[key] = services.task_definitions_of(service)
                self._fresh.add(key)
        self._by_service = by_service
        self._by_schedule = schedules.task_definitions_in_use(aws)
        self._listed = True
