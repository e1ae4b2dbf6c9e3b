"""The one-shot commands: validate, plan, apply."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog

from controller.aws.clients import Aws, AwsConfig, RetryPolicy
from controller.cli import local, render
from controller.core.settings import Settings
from controller.manifests.loader import LoadResult, load
from controller.reconcile.sync import SyncReport, sync

log = structlog.get_logger()

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def validate(args: argparse.Namespace) -> int:
    loaded = load(Path(args.path))
    _print_load_problems(loaded)
    if not loaded.ok:
        print(f"{len(loaded.errors)} error(s) in {args.path}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{len(loaded.resources)} resource(s) in {loaded.files} file(s): valid")
    return EXIT_OK


def plan(args: argparse.Namespace) -> int:
    report = _run(args, apply=False)
    if report is None:
        return EXIT_ERROR
    assert report.plan is not None
    if args.output == "json":
        print(render.plan_json(report.plan))
    else:
        print(render.plan_text(report.plan))
    if report.plan.problems:
        return EXIT_ERROR
    return EXIT_OK if report.plan.empty else EXIT_CHANGES


def apply(args: argparse.Namespace) -> int:
    report = _run(args, apply=True)
    if report is None:
        return EXIT_ERROR
    assert report.plan is not None
    print(render.plan_text(report.plan))
    if report.results:
        print(render.results_text(list(report.results)))
    return EXIT_OK if report.converged else EXIT_ERROR


def _run(args: argparse.Namespace, *, apply: bool) -> SyncReport | None:
    """Load, plan and maybe apply; None (after printing why) when it could not run."""
    with aws_session(args) as aws:
        report = sync(aws, Path(args.path), args.settings, apply=apply)
    error = report.result.error if report.result is not None else None
    if error is not None:
        log.error("sync_failed", error=str(error), retryable=error.retryable)
        return None
    _print_load_problems(report.loaded)
    if report.plan is None:
        print(
            f"{len(report.loaded.errors)} manifest error(s): nothing planned, nothing changed",
            file=sys.stderr,
        )
        return None
    return report


@contextmanager
def aws_session(args: argparse.Namespace) -> Iterator[Aws]:
    """An Aws for the flags; with --local, backed by an embedded moto server whose ECR gets
    placeholders for the images the manifests name in repositories they own."""
    if not args.local:
        yield Aws(_aws_config(args, args.region, args.endpoint_url, args.profile))
        return
    config = _aws_config(args, args.region, None, None)
    with local.embedded(config, args.local_port, placeholders_for=args.instance) as (aws, url):
        print(f"ecsync: local AWS (moto) at {url}", file=sys.stderr, flush=True)
        yield aws


def _aws_config(
    args: argparse.Namespace, region: str | None, endpoint_url: str | None, profile: str | None
) -> AwsConfig:
    """Where AWS is, from the flags; how patiently to call it, from the settings."""
    tuning: Settings = args.settings
    return AwsConfig(
        region,
        endpoint_url,
        profile,
        connect_timeout=tuning.aws_connect_timeout,
        read_timeout=tuning.aws_read_timeout,
        rate_limit=tuning.rate_limit,
        retry=RetryPolicy.from_settings(tuning),
    )


def _print_load_problems(loaded: LoadResult) -> None:
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in loaded.errors:
        print(str(error), file=sys.stderr)
