"""What a pass works on: one AWS target, its desired set, its options and its memory.

The daemon and each command have one `Target` today. The unit of ownership
planned next, an Application (its own source, AWS account role and region,
sync options and status), is one more Target handed to the same pass, not a
second pipeline: `aws` is its connection, `desired` what its source says,
`settings` its sync options, and `memory` what its passes remember.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from controller.aws.clients import Aws
from controller.aws.in_use import RevisionsInUse
from controller.core.kinds import ResourceId
from controller.core.settings import Settings
from controller.plan import memo
from controller.reconcile.desired import DesiredSet
from controller.reconcile.drift import DriftPolicy, DriftTracker
from controller.reconcile.hooks import HookMemory
from controller.reconcile.rollouts import RolloutTracker

ROLLOUT_POLL = 10.0
"""Seconds between two looks at a service whose rollout is being followed."""


@dataclass
class Memory:
    """What a long-running target remembers between passes (a one-shot command has none):
    which resources converged on which manifests, the drift alerts sent, the rollouts
    being followed, which task definition revisions the account's services use
    (read once per resync, then kept up to date from what each pass reads), and what
    the post-sync and sync-fail hooks last saw of their services, and what the planner last
    found each resource in sync with."""

    drift: DriftTracker = field(default_factory=DriftTracker)
    rollouts: RolloutTracker = field(default_factory=RolloutTracker)
    revisions_in_use: RevisionsInUse = field(default_factory=RevisionsInUse)
    rollout_poll: float = ROLLOUT_POLL
    hooks: HookMemory = field(default_factory=HookMemory)
    in_sync: memo.InSync = field(default_factory=memo.InSync)

    @classmethod
    def for_settings(cls, settings: Settings) -> Memory:
        return cls(DriftTracker(DriftPolicy.from_settings(settings)))

    def forget(self, rid: ResourceId) -> None:
        """`rid` left the desired set."""
        self.drift.forget(rid)
        self.rollouts.forget(rid)
        self.hooks.forget(rid)
        self.in_sync.forget(rid)


@dataclass(frozen=True)
class Target:
    aws: Aws
    settings: Settings
    desired: DesiredSet
    memory: Memory | None = None
