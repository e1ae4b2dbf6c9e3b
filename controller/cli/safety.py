"""The flags that guard deletion (prune guard, revision cleanup), shared by plan, apply and run."""

from __future__ import annotations

import argparse
import os

KEEP_ALL = "all"


def share(text: str) -> float:
    """`--prune-max-share`: a fraction from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1, such as 0.3")
    return value


def keep(text: str) -> int | None:
    """`--keep-revisions`: a count of at least 1, or `all` (None: never deregister)."""
    if text.strip().lower() == KEEP_ALL:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count of at least 1, or {KEEP_ALL!r}")
    return value


def add_arguments(group: argparse._ActionsContainer, *, env: bool) -> None:
    """Add `--prune-max-share`, `--confirm-prune` and `--keep-revisions`; with `env`, their
    defaults come from ECSYNC_PRUNE_MAX_SHARE, ECSYNC_CONFIRM_PRUNE and ECSYNC_KEEP_REVISIONS."""
    environ = os.environ if env else {}
    group.add_argument(
        "--prune-max-share",
        type=share,
        default=environ.get("ECSYNC_PRUNE_MAX_SHARE") or "0.3",
        help="with --prune, delete nothing when the prune would delete more than this share "
        "of the resources ecsync owns, or when the manifests name nothing (default 0.3)"
        + (" (env ECSYNC_PRUNE_MAX_SHARE)" if env else ""),
    )
    group.add_argument(
        "--confirm-prune",
        action="store_true",
        default=bool(environ.get("ECSYNC_CONFIRM_PRUNE")),
        help="let a prune go ahead that --prune-max-share would hold back"
        + (" (env ECSYNC_CONFIRM_PRUNE)" if env else ""),
    )
    group.add_argument(
        "--keep-revisions",
        type=keep,
        default=environ.get("ECSYNC_KEEP_REVISIONS") or "5",
        help="task definition revisions ecsync registered to keep per family; older unused ones "
        f"are deregistered; {KEEP_ALL!r} keeps every revision (default 5)"
        + (" (env ECSYNC_KEEP_REVISIONS)" if env else ""),
    )
