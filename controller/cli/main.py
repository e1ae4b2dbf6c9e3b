"""`ecsync` entry point: argument parsing and exit statuses (DESIGN.md's contract)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from controller import __version__
from controller.cli import commands, importer, logs, run, safety
from controller.cli import schema as schema_command


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    aws = common.add_argument_group("AWS")
    aws.add_argument("--region", help="AWS region (default: AWS_REGION, the profile, us-east-1)")
    aws.add_argument("--endpoint-url", help="AWS endpoint (default: AWS_ENDPOINT_URL)")
    aws.add_argument("--profile", help="AWS profile (default: AWS_PROFILE)")
    aws.add_argument(
        "--rate-limit",
        choices=("auto", "on", "off"),
        default="auto",
        help="pace calls per ECS throttling category (auto: on for AWS, off for a custom "
        "endpoint or --local)",
    )
    aws.add_argument(
        "--local",
        action="store_true",
        help="start an embedded, simulated AWS (moto) on 127.0.0.1 and use it",
    )
    aws.add_argument("--local-port", type=int, default=0, help="port for --local (default: any)")
    behaviour = common.add_argument_group("behaviour")
    behaviour.add_argument(
        "--instance",
        default=commands.env("ECSYNC_INSTANCE", "ecsync"),
        help="value of the ecsync:managed-by ownership tag (env ECSYNC_INSTANCE; default ecsync)",
    )
    behaviour.add_argument(
        "--log-format",
        choices=("auto", "json", "console"),
        default=commands.env("ECSYNC_LOG_FORMAT", "auto"),
        help="auto = JSON unless the log stream is a terminal (env ECSYNC_LOG_FORMAT)",
    )
    behaviour.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default=commands.env("ECSYNC_LOG_LEVEL", "info"),
    )

    parser = argparse.ArgumentParser(
        prog="ecsync", description="GitOps controller for Amazon ECS and ECR."
    )
    parser.add_argument("--version", action="version", version=f"ecsync {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser(
        "validate", parents=[common], help="check manifests and their references (no AWS calls)"
    )
    validate.add_argument("path", nargs="?", default="manifests")

    for name, text in (
        ("plan", "show what apply would change (exit 0 in sync, 2 changes, 1 error)"),
        ("apply", "make the changes (exit 0 converged, 1 something failed)"),
    ):
        command = sub.add_parser(name, parents=[common], help=text)
        command.add_argument("path", nargs="?", default="manifests")
        command.add_argument(
            "--prune", action="store_true", help="delete owned resources no manifest names"
        )
        command.add_argument(
            "--adopt",
            action="store_true",
            help="take over existing resources the manifests name but ecsync did not create",
        )
        safety.add_arguments(command, env=False)
        if name == "plan":
            command.add_argument("--output", choices=("text", "json"), default="text")
        else:
            command.add_argument(
                "--skip-preflight",
                action="store_true",
                help="write task definitions and services without checking images, roles, "
                "secret references, subnets and security groups first",
            )

    daemon = sub.add_parser(
        "run", parents=[common], help="the daemon: keep AWS equal to a folder or Git repository"
    )
    run.add_run_arguments(daemon)

    imports = sub.add_parser(
        "import", parents=[common], help="write manifests for resources that exist in AWS"
    )
    importer.add_arguments(imports)

    schema = sub.add_parser("schema", help="write the JSON Schema of the manifests, for editors")
    schema_command.add_arguments(schema)

    status = sub.add_parser("status", help="show what a running daemon reports")
    status.add_argument(
        "--url",
        default=commands.env("ECSYNC_URL", "http://127.0.0.1:8080"),
        help="the daemon's --listen address (env ECSYNC_URL)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "status":
        return run.status(args)
    if args.command == "schema":
        return schema_command.run(args)
    logs.configure(
        args.log_format, args.log_level, sys.stdout if args.command == "run" else sys.stderr
    )
    handler = {
        "validate": commands.validate,
        "plan": commands.plan,
        "apply": commands.apply,
        "run": run.run,
        "import": importer.run,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return commands.EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
