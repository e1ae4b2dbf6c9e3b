"""`ecsync status`: fetch a running daemon's `/status` and render it for people."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

COLUMNS = ("KIND", "NAME", "SYNC", "HEALTH", "LAST-ERROR")
ROLLOUT_COLUMNS = ("KIND", "NAME", "SYNC", "HEALTH", "ROLLOUT", "LAST-ERROR")
"""The table when a service is being rolled out: ROLLOUT shows its deployment's strategy,
lifecycle stage, share of production traffic and status."""


class StatusUnavailable(Exception):  # noqa: N818 - the name `ecsync status` callers catch
    """The daemon could not be asked: the message says which URL and what to check."""


def fetch_status(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """GET `<url>/status` from a daemon; `url` may omit the scheme ("127.0.0.1:8080")."""
    base = url if "://" in url else f"http://{url}"
    target = base.rstrip("/") + "/status"
    if urlsplit(target).scheme not in ("http", "https"):
        raise StatusUnavailable(f"{url!r} is not an http(s) URL of an ecsync daemon")
    try:
        with urllib.request.urlopen(target, timeout=timeout) as response:  # noqa: S310 - scheme checked
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise StatusUnavailable(
            f"{target} answered {error.code} {error.reason}; is this an ecsync daemon's address?"
        ) from error
    except OSError as error:  # URLError, refused, timed out
        reason = getattr(error, "reason", error)
        raise StatusUnavailable(
            f"cannot reach ecsync at {target}: {reason}; is `ecsync run` running, "
            "and does this URL match its --listen address?"
        ) from error
    try:
        doc = json.loads(raw)
    except ValueError as error:
        raise StatusUnavailable(f"{target} did not answer with JSON: {error}") from error
    if not isinstance(doc, dict):
        raise StatusUnavailable(f"{target} answered JSON that is not a status document")
    return doc


def render_status(doc: dict[str, Any]) -> str:
    """A summary (source, revision, readiness, leader, counts) and a table of resources."""
    leader = doc.get("leader") or {}
    identity = leader.get("identity") or "none"
    if leader.get("self"):
        identity += " (this replica)"
    elif leader.get("replica"):
        identity += f"; this replica, {leader['replica']}, is on standby"
    lines = [
        f"source:    {doc.get('source') or '-'}",
        f"revision:  {doc.get('revision') or '-'}",
        f"ready:     {'yes' if doc.get('ready') else 'no'}",
        f"leader:    {identity}",
        f"resources: {_summary(doc.get('summary') or {}, len(doc.get('resources') or []))}",
        "",
    ]
    resources = doc.get("resources") or []
    if not resources:
        return "\n".join([*lines, "no resources yet"])
    rollouts = any(resource.get("rollout") for resource in resources)
    columns = ROLLOUT_COLUMNS if rollouts else COLUMNS
    rows = [columns, *(_row(resource, rollouts=rollouts) for resource in resources)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    table = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join([*lines, *table])


def _summary(summary: dict[str, Any], listed: int) -> str:
    """Counts as in "4 (3 Synced, 1 Failed); health: 2 Healthy, 1 Degraded", zeros left out."""
    text = str(summary.get("resources", listed))
    sync, health = _nonzero(summary.get("sync")), _nonzero(summary.get("health"))
    if sync:
        text += f" ({sync})"
    if health:
        text += f"; health: {health}"
    return text


def _nonzero(counts: dict[str, int] | None) -> str:
    return ", ".join(f"{n} {state}" for state, n in (counts or {}).items() if n)


def _row(resource: dict[str, Any], *, rollouts: bool = False) -> tuple[str, ...]:
    name = str(resource.get("name", "?"))
    if resource.get("cluster"):
        name = f"{resource['cluster']}/{name}"
    error = resource.get("lastError")
    if not error and resource.get("health") == "Degraded":
        error = resource.get("message")  # why: a rollback's reason, tasks missing
    error = " ".join(str(error or "-").split())
    cells: tuple[str, ...] = (
        str(resource.get("kind", "?")),
        name,
        str(resource.get("sync") or "-"),
        str(resource.get("health") or "-"),
    )
    if rollouts:
        cells += (_rollout(resource.get("rollout")),)
    return (*cells, error)


def _rollout(rollout: Any) -> str:
    """ "LINEAR PRODUCTION_TRAFFIC_SHIFT 30% IN_PROGRESS": strategy, stage, share of
    production traffic and status, the parts ECS reported; "-" for none."""
    if not isinstance(rollout, dict):
        return "-"
    traffic = rollout.get("trafficPercent")
    parts = [
        rollout.get("strategy"),
        rollout.get("stage"),
        f"{traffic:g}%" if isinstance(traffic, int | float) else None,
        rollout.get("status"),
    ]
    return " ".join(str(part) for part in parts if part) or "-"
