"""`ecsync run` (the daemon) and `ecsync status` (what a running daemon reports)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from controller.cli import durations, safety
from controller.cli.commands import EXIT_ERROR, EXIT_OK, aws_session, env
from controller.cli.status import StatusUnavailable, fetch_status, render_status
from controller.daemon import leader
from controller.daemon.controller import DaemonOptions
from controller.daemon.drift import DriftPolicy
from controller.daemon.runner import RunConfig
from controller.daemon.runner import run as run_daemon


def add_run_arguments(command: argparse.ArgumentParser) -> None:
    source = command.add_argument_group("source")
    source.add_argument(
        "--source",
        default=env("ECSYNC_SOURCE", "manifests"),
        help="a folder, or a Git URL (https://, ssh://, git@, file://) (env ECSYNC_SOURCE)",
    )
    source.add_argument(
        "--ref",
        default=os.environ.get("ECSYNC_REF"),
        help="Git branch, tag or commit (default: the remote's HEAD)",
    )
    source.add_argument(
        "--path",
        default=env("ECSYNC_PATH", ""),
        help="folder inside the source holding the manifests",
    )
    source.add_argument(
        "--poll",
        type=durations.parse,
        default=env("ECSYNC_POLL", "30s"),
        help="Git fetch interval (default 30s)",
    )
    source.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(env("ECSYNC_CACHE_DIR", str(Path.home() / ".cache" / "ecsync"))),
        help="where Git clones and snapshots live (env ECSYNC_CACHE_DIR)",
    )
    loop = command.add_argument_group("reconcile loop")
    loop.add_argument(
        "--resync",
        type=durations.parse,
        default=env("ECSYNC_RESYNC", "2m"),
        help="re-read live state this often to find drift (default 2m)",
    )
    loop.add_argument(
        "--prune",
        action="store_true",
        default=bool(os.environ.get("ECSYNC_PRUNE")),
        help="delete owned resources no manifest names (env ECSYNC_PRUNE)",
    )
    loop.add_argument(
        "--adopt", action="store_true", help="take over existing resources the manifests name"
    )
    safety.add_arguments(loop, env=True)
    loop.add_argument(
        "--alert-only",
        action="store_true",
        default=bool(os.environ.get("ECSYNC_ALERT_ONLY")),
        help="report drift, never correct it (commits are still applied)",
    )
    loop.add_argument(
        "--realert",
        type=durations.parse,
        default=env("ECSYNC_REALERT", "1h"),
        help="with --alert-only, repeat an unchanged drift alert this often (default 1h)",
    )
    loop.add_argument(
        "--flap-count",
        type=int,
        default=3,
        help="the same drift this many times within --flap-window is a fight (default 3)",
    )
    loop.add_argument(
        "--flap-window",
        type=durations.parse,
        default="10m",
        help="(default 10m); also how long ecsync backs off from a fight",
    )
    loop.add_argument("--concurrency", type=int, default=8, help="concurrent writes (default 8)")
    loop.add_argument(
        "--skip-preflight",
        action="store_true",
        default=bool(os.environ.get("ECSYNC_SKIP_PREFLIGHT")),
        help="write task definitions and services without the preflight checks "
        "(env ECSYNC_SKIP_PREFLIGHT)",
    )
    http = command.add_argument_group("HTTP")
    http.add_argument(
        "--listen",
        default=env("ECSYNC_LISTEN", "127.0.0.1:8080"),
        help="address of /healthz, /readyz, /metrics, /status, /hooks/git",
    )
    http.add_argument(
        "--webhook-secret-file",
        type=Path,
        default=os.environ.get("ECSYNC_WEBHOOK_SECRET_FILE"),
        help="file holding the HMAC secret of POST /hooks/git (or env ECSYNC_WEBHOOK_SECRET)",
    )
    election = command.add_argument_group("leader election (several replicas)")
    election.add_argument(
        "--leader-election-table",
        metavar="NAME",
        default=os.environ.get("ECSYNC_LEADER_ELECTION_TABLE"),
        help="DynamoDB table (partition key `name`, S) holding the leader lease; only the "
        "leader writes to ECS and ECR (default: none, this replica always leads) "
        "(env ECSYNC_LEADER_ELECTION_TABLE)",
    )
    election.add_argument(
        "--leader-id",
        default=os.environ.get("ECSYNC_LEADER_ID"),
        help="this replica's unique identity in the lease (default: host name, pid and a "
        "random suffix) (env ECSYNC_LEADER_ID)",
    )
    election.add_argument(
        "--lease-duration",
        type=durations.parse,
        default=env("ECSYNC_LEASE_DURATION", "15s"),
        help="how long a standby must see the lease unchanged before it takes over (default 15s)",
    )
    election.add_argument(
        "--lease-renew",
        type=durations.parse,
        default=env("ECSYNC_LEASE_RENEW", "10s"),
        help="renew deadline: the leader stops writing when it has not renewed for this long "
        "(default 10s)",
    )
    election.add_argument(
        "--lease-retry",
        type=durations.parse,
        default=os.environ.get("ECSYNC_LEASE_RETRY"),
        help="how often the leader renews and a standby looks (default 2s, or a fifth of "
        "--lease-renew when that is shorter)",
    )


def run(args: argparse.Namespace) -> int:
    secret = _webhook_secret(args)
    try:
        lease = lease_timing(args)
    except ValueError as error:
        print(f"ecsync run: {error}: see --lease-duration, --lease-renew", file=sys.stderr)
        return EXIT_ERROR
    config = RunConfig(
        source=args.source,
        ref=args.ref,
        path=args.path,
        poll=args.poll,
        cache_dir=args.cache_dir,
        listen=args.listen,
        webhook_secret=secret,
        options=DaemonOptions(
            instance=args.instance,
            prune=args.prune,
            adopt=args.adopt,
            alert_only=args.alert_only,
            resync=args.resync,
            drift=DriftPolicy(
                realert=args.realert, flap_count=args.flap_count, flap_window=args.flap_window
            ),
            concurrency=args.concurrency,
            prune_max_share=args.prune_max_share,
            confirm_prune=args.confirm_prune,
            keep_revisions=args.keep_revisions,
            skip_preflight=args.skip_preflight,
        ),
        leader_table=args.leader_election_table,
        leader_id=args.leader_id,
        lease=lease,
    )
    with aws_session(args) as aws:
        return run_daemon(aws, config)


def lease_timing(args: argparse.Namespace) -> leader.Timing:
    """The lease flags; the retry period defaults to 2 s, or a fifth of the renew deadline when
    that is shorter. Raises ValueError when they do not fit together."""
    retry = args.lease_retry or min(2.0, args.lease_renew / 5)
    return leader.Timing(args.lease_duration, args.lease_renew, retry)


def status(args: argparse.Namespace) -> int:
    try:
        doc = fetch_status(args.url)
    except StatusUnavailable as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    print(render_status(doc))
    return EXIT_OK


def _webhook_secret(args: argparse.Namespace) -> bytes | None:
    if args.webhook_secret_file:
        return Path(args.webhook_secret_file).read_bytes().strip()
    value = os.environ.get("ECSYNC_WEBHOOK_SECRET")
    return value.encode() if value else None
