"""`ecsync import`: write manifests for live resources; with --adopt, take them over."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import structlog

from controller.aws.errors import AwsError
from controller.cli.commands import EXIT_ERROR, EXIT_OK, aws_session
from controller.core import scaling
from controller.reconcile.importer import ImportRefusedError, ImportRequest, import_live

log = structlog.get_logger()


def add_arguments(command: argparse.ArgumentParser) -> None:
    what = command.add_argument_group("what to import")
    what.add_argument(
        "--cluster",
        metavar="NAME",
        help="the ECS cluster: it, its services and their task definitions",
    )
    what.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="NAME",
        help="only this service of --cluster (repeatable; default: every service)",
    )
    what.add_argument(
        "--capacity-provider",
        action="append",
        metavar="NAME",
        help="these capacity providers (repeatable; default: those --cluster uses, "
        "except FARGATE and FARGATE_SPOT)",
    )
    what.add_argument(
        "--repository",
        action="append",
        default=[],
        metavar="NAME",
        help="an ECR repository, with its lifecycle and repository policies (repeatable)",
    )
    what.add_argument(
        "--log-group",
        action="append",
        default=[],
        metavar="NAME",
        help="a CloudWatch Logs log group, with its retention and tags (repeatable)",
    )
    what.add_argument(
        "--schedule",
        action="append",
        default=[],
        metavar="NAME",
        help="an EventBridge Scheduler schedule, from any group (repeatable)",
    )
    what.add_argument(
        "--scalable-target",
        action="append",
        default=[],
        metavar="CLUSTER/SERVICE",
        help="an Application Auto Scaling target with its scheduled actions and scaling "
        "policies (repeatable; those of --cluster's services come with them)",
    )
    where = command.add_argument_group("output")
    where.add_argument(
        "--out", required=True, type=Path, metavar="DIR", help="folder to write the manifests to"
    )
    where.add_argument("--overwrite", action="store_true", help="replace files that exist")
    command.add_argument(
        "--adopt",
        action="store_true",
        help="also tag the imported resources ecsync:managed-by=INSTANCE, so that ecsync "
        "manages them from now on (prune included)",
    )


def run(args: argparse.Namespace) -> int:
    if args.service and not args.cluster:
        return _usage("--service needs --cluster")
    if not (
        args.cluster
        or args.repository
        or args.capacity_provider
        or args.log_group
        or args.schedule
        or args.scalable_target
    ):
        return _usage(
            "name something to import: --cluster, --repository, --capacity-provider, "
            "--log-group, --schedule or --scalable-target"
        )
    bad = [name for name in args.scalable_target if not scaling.TARGET_NAME.fullmatch(name)]
    if bad:
        return _usage(f"--scalable-target {bad[0]!r}: write it as CLUSTER/SERVICE")
    request = ImportRequest(
        cluster=args.cluster,
        services=tuple(args.service),
        repositories=tuple(args.repository),
        scalable_targets=tuple(args.scalable_target),
        log_groups=tuple(args.log_group),
        schedules=tuple(args.schedule),
        capacity_providers=tuple(args.capacity_provider) if args.capacity_provider else None,
        instance=args.instance,
        adopt=args.adopt,
    )
    with aws_session(args) as aws:
        try:
            report = import_live(aws, request, args.out, overwrite=args.overwrite)
        except AwsError as error:
            log.error("import_failed", error=str(error), retryable=error.retryable)
            print("ecsync import: nothing was written", file=sys.stderr)
            return EXIT_ERROR
        except ImportRefusedError as error:
            print(f"ecsync import: {error}", file=sys.stderr)
            return EXIT_ERROR
    for path in report.written:
        print(f"wrote {path}")
    for rid in report.adopted:
        print(f"adopted {rid}")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for failure in report.errors:
        print(f"not adopted: {failure}", file=sys.stderr)
    print(
        f"Import: {len(report.written)} manifest(s) in {args.out}, "
        f"{len(report.adopted)} adopted, {len(report.errors)} failed. "
        f"Check them with: ecsync validate {args.out} && ecsync plan {args.out}"
    )
    return EXIT_ERROR if report.errors else EXIT_OK


def _usage(message: str) -> int:
    print(f"ecsync import: {message}", file=sys.stderr)
    return EXIT_ERROR
