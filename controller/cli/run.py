"""`ecsync run` (the daemon) and `ecsync status` (what a running daemon reports)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import SecretStr

from controller.cli import options, safety
from controller.cli.commands import EXIT_ERROR, EXIT_OK, aws_session
from controller.cli.status import StatusUnavailable, fetch_status, render_status
from controller.daemon import leader
from controller.daemon.http import ListenError
from controller.daemon.runner import RunConfig
from controller.daemon.runner import run as run_daemon


def add_run_arguments(command: argparse.ArgumentParser) -> None:
    """The daemon's options; each has its ECSYNC_* variable."""
    for title, names in (
        ("source", ("source", "ref", "path", "poll", "cache_dir")),
        (
            "reconcile loop",
            (
                "resync",
                "prune",
                "adopt",
                *safety.GUARDS,
                "alert_only",
                "realert",
                "flap_count",
                "flap_window",
                "concurrency",
                "skip_preflight",
            ),
        ),
        ("HTTP", ("listen", "webhook_secret_file")),
        (
            "leader election (several replicas)",
            ("leader_election_table", "leader_id", "lease_duration", "lease_renew", "lease_retry"),
        ),
    ):
        group = command.add_argument_group(title)
        for name in names:
            options.add(group, name)


def run(args: argparse.Namespace) -> int:
    try:
        secret = _webhook_secret(args)
    except OSError as error:
        print(
            f"ecsync run: cannot read --webhook-secret-file {args.webhook_secret_file}: "
            f"{error.strerror or error}; give a readable file, or set ECSYNC_WEBHOOK_SECRET",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        lease = lease_timing(args)
    except ValueError as error:
        print(f"ecsync run: {error}: see --lease-duration, --lease-renew", file=sys.stderr)
        return EXIT_ERROR
    config = RunConfig(settings=args.settings, webhook_secret=secret, lease=lease)
    with aws_session(args) as aws:
        try:
            return run_daemon(aws, config)
        except ListenError as error:
            print(f"ecsync run: {error}", file=sys.stderr)
            return EXIT_ERROR


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
    """The HMAC secret: the file's content, else ECSYNC_WEBHOOK_SECRET, else none."""
    if args.webhook_secret_file:
        return Path(args.webhook_secret_file).read_bytes().strip()
    secret: SecretStr | None = args.settings.webhook_secret
    return secret.get_secret_value().encode() if secret else None
