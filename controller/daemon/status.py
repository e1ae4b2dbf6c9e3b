"""What the daemon knows right now, for `GET /status` and `ecsync status`.

The reconcile loop writes here; the HTTP threads read snapshots. Each
`update` is level-triggered: it states the resource's whole current status,
so an omitted error or message clears the old one. Callers redact before
they write; as a last line of defence, the board also scrubs anything shaped
like a credential from errors and messages (`controller.core.redact.scrub`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from controller.core import redact
from controller.core.kinds import ResourceId
from controller.reconcile.health import Health, RolloutProgress


class SyncState(StrEnum):
    SYNCED = "Synced"
    OUT_OF_SYNC = "OutOfSync"
    FAILED = "Failed"
    UNKNOWN = "Unknown"


class Row(NamedTuple):
    """One resource's whole current status (see `StatusBoard.update`)."""

    id: ResourceId
    sync: SyncState
    health: Health | None = None
    error: str | None = None
    message: str | None = None
    rollout: RolloutProgress | None = None


@dataclass
class _Entry:
    sync: SyncState
    health: Health | None
    error: str | None
    message: str | None
    last_transition: float
    """When `sync` last changed (or the resource first appeared)."""
    last_synced: float | None
    """When the resource was last seen Synced."""
    rollout: RolloutProgress | None = None
    """The service deployment being followed (or that ECS rolled back), when read."""


class StatusBoard:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[ResourceId, _Entry] = {}
        self._source: str | None = None
        self._revision: str | None = None
        self._ready = False
        self._leader: str | None = None
        self._leader_is_self = False
        self._replica: str | None = None

    def set_source(self, source: str, revision: str | None) -> None:
        with self._lock:
            self._source, self._revision = source, revision

    def set_ready(self, ready: bool) -> None:
        with self._lock:
            self._ready = ready

    @property
    def ready(self) -> bool:
        with self._lock:
            return self._ready

    def set_leader(self, identity: str | None, is_self: bool, replica: str | None = None) -> None:
        """`identity` holds the lease (None: nobody, or not known yet); `is_self` when that is
        this replica, which is called `replica`."""
        with self._lock:
            self._leader, self._leader_is_self = identity, is_self
            self._replica = replica

    def update(
        self,
        id: ResourceId,
        *,
        sync: SyncState,
        health: Health | None = None,
        error: str | None = None,
        message: str | None = None,
        rollout: RolloutProgress | None = None,
    ) -> None:
        """Record the resource's current status; timestamps move only on change / on Synced."""
        self.update_all([Row(id, SyncState(sync), health, error, message, rollout)])

    def update_all(self, rows: Iterable[Row]) -> None:
        """`update` for each row (one pass's resources: one clock reading, one lock)."""
        now = self._clock()
        scrubbed = [
            row._replace(
                error=redact.scrub(row.error) if row.error else row.error,
                message=redact.scrub(row.message) if row.message else row.message,
            )
            if row.error or row.message
            else row
            for row in rows
        ]
        with self._lock:
            entries = self._entries
            for id, sync, health, error, message, rollout in scrubbed:
                entry = entries.get(id)
                if entry is None:
                    entry = entries[id] = _Entry(sync, health, error, message, now, None)
                elif entry.sync is not sync:
                    entry.last_transition = now
                entry.sync, entry.health, entry.error, entry.message = sync, health, error, message
                entry.rollout = rollout
                if sync is SyncState.SYNCED:
                    entry.last_synced = now

    def remove(self, id: ResourceId) -> None:
        with self._lock:
            self._entries.pop(id, None)

    def counts(self) -> dict[str, int]:
        """How many resources are in each sync state (every state present, zeros too)."""
        with self._lock:
            return self._count_sync()

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of everything, resources in sync order (kind rank, then name)."""
        with self._lock:
            health_counts = {str(h): 0 for h in Health}
            for entry in self._entries.values():
                if entry.health is not None:
                    health_counts[entry.health] += 1
            ordered = sorted(self._entries.items(), key=lambda item: _order(item[0]))
            return {
                "source": self._source,
                "revision": self._revision,
                "ready": self._ready,
                "leader": {
                    "identity": self._leader,
                    "self": self._leader_is_self,
                    "replica": self._replica,
                },
                "summary": {
                    "resources": len(self._entries),
                    "sync": self._count_sync(),
                    "health": health_counts,
                },
                "resources": [_resource(rid, entry) for rid, entry in ordered],
            }

    def _count_sync(self) -> dict[str, int]:
        counts = {str(s): 0 for s in SyncState}
        for entry in self._entries.values():
            counts[entry.sync] += 1
        return counts


def _order(rid: ResourceId) -> tuple[int, str, str, str]:
    return rid.kind.rank, rid.kind, rid.name, rid.cluster


def _resource(rid: ResourceId, entry: _Entry) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": str(rid.kind), "name": rid.name}
    if rid.cluster:
        doc["cluster"] = rid.cluster
    doc |= {
        "sync": str(entry.sync),
        "health": str(entry.health) if entry.health is not None else None,
        "lastError": entry.error,
        "message": entry.message,
        "lastSynced": _iso(entry.last_synced),
        "lastTransition": _iso(entry.last_transition),
    }
    if entry.rollout is not None:
        doc["rollout"] = entry.rollout.to_dict()
    return doc


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
