"""The settings that guard deletion (prune guard, revision cleanup): plan, apply and run."""

from __future__ import annotations

GUARDS = ("prune_max_share", "confirm_prune", "keep_revisions")
"""`--prune-max-share`, `--confirm-prune` and `--keep-revisions`: `ecsync run` also reads them
from ECSYNC_PRUNE_MAX_SHARE, ECSYNC_CONFIRM_PRUNE and ECSYNC_KEEP_REVISIONS; plan and apply
take them as flags only."""
