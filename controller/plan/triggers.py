"""When post-sync and sync-fail hooks run: pure rules over one pass's outcome.

Argo CD's meanings (`controller.core.hooks`), mapped to ecsync. A sync of a
hook's services S is what a pass writes for them; its version is a digest of
the manifests of S (and of what they depend on), so a retry, a resync or a
drift correction of the same manifests is the same sync, and a new commit
that changes S is a new one. The hook's own manifest is not part of it: a
hook edited while a sync is under way still runs for that sync, as edited.
Each hook keeps a run record on its cluster, like any one-off task
(`controller.aws.tasks`):
`<version> <state> [<task ARN>]`, where state is

- `waiting`: a pass wrote one of S for this version, and the sync has not
  ended yet (its rollouts are being followed);
- `running`, `succeeded`, `failed`: the hook's run for this version;
- `passed`: a sync-fail hook's sync ended well, so it does not run.

The rules (`step`):

- **post-sync** is armed (`waiting`) by a pass that writes one of S for a
  new version; it runs once every one of S is in sync and Healthy. A failure
  does not cancel it: if a retry later converges, it runs then.
- **sync-fail** runs once per version, when a pass fails to write one of S
  or something S depends on (a pre-sync hook included), or when one of S is
  Degraded while armed by a write of this version (a rollout that failed or
  rolled back). It is armed like post-sync and disarmed (`passed`) once all
  of S are in sync and Healthy.
- A run recorded as `running` (a crash mid-run) is resumed, never started twice.
- A version that already ran (or passed) does not run again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from controller.core import hooks

WAITING = "waiting"
RUNNING = "running"
PASSED = "passed"
_RAN = frozenset({"succeeded", "failed", PASSED})


class Step(StrEnum):
    """What to do with one hook at the end of a pass."""

    NOTHING = "nothing"
    ARM = "arm"
    """Record `<version> waiting`: the sync of this version has begun."""
    DISARM = "disarm"
    """Record `<version> passed`: the sync ended well; the sync-fail hook is not needed."""
    RUN = "run"
    RESUME = "resume"
    """Wait for the task the record names, started by an earlier pass."""


@dataclass(frozen=True)
class SyncState:
    """What one pass (and what earlier passes saw) says about a hook's services."""

    written: bool = False
    """This pass created, updated or replaced one of them."""
    failed: bool = False
    """This pass failed to write one of them or something they depend on (a pre-sync
    hook, a task definition), or refused to (a problem of the plan)."""
    degraded: bool = False
    """One of them is Degraded."""
    healthy: bool = False
    """Every one of them is in sync with the manifests and Healthy."""


def version(service_fingerprints: Iterable[str]) -> str:
    """The version of a sync of a hook's services (the fingerprints of their manifests):
    what its run record keeps."""
    parts = "\n".join(sorted(service_fingerprints))
    return hashlib.sha256(parts.encode()).hexdigest()[:16]


def step(phase: str, current: str, recorded: str, state: str, sync: SyncState) -> Step:
    """What the hook of `phase` does now, for the sync of version `current`, its record
    holding `recorded` in `state` (see the module docstring)."""
    same = recorded == current
    if same and state == RUNNING:
        return Step.RESUME
    if phase == hooks.POST_SYNC:
        return _post_sync(same, state, sync)
    if phase == hooks.SYNC_FAIL and not (same and state in _RAN):
        return _sync_fail(same and state == WAITING, sync)
    return Step.NOTHING


def _post_sync(same: bool, state: str, sync: SyncState) -> Step:
    if same and state == WAITING:
        return Step.RUN if sync.healthy and not sync.written else Step.NOTHING
    return Step.ARM if sync.written and not same else Step.NOTHING


def _sync_fail(armed: bool, sync: SyncState) -> Step:
    """For a version that has not run yet; `armed`: a write of this version is followed."""
    if sync.failed or (armed and sync.degraded):
        return Step.RUN
    if armed:
        return Step.DISARM if sync.healthy and not sync.written else Step.NOTHING
    return Step.ARM if sync.written else Step.NOTHING


def reason(phase: str, sync: SyncState) -> str:
    """Why a hook of `phase` runs, for its `hook_triggered` event."""
    if phase == hooks.POST_SYNC:
        return "its services are in sync and Healthy after a sync wrote them"
    if sync.failed:
        return "a write for its services failed or was refused in this sync"
    return "one of its services is Degraded after a rollout this sync started"
