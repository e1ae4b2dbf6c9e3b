"""`ecsync` entry point: argument parsing and exit statuses (DESIGN.md's contract)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from controller import __version__
from controller.cli import commands, importer, local, logs, options, run, safety
from controller.cli import schema as schema_command
from controller.core import settings

AWS_SETTINGS = (
    "rate_limit",
    "local",
    "local_port",
    "aws_max_attempts",
    "aws_retry_base_delay",
    "aws_retry_max_delay",
    "aws_connect_timeout",
    "aws_read_timeout",
)
"""The settings of every command that reaches AWS."""


def build_parser() -> argparse.ArgumentParser:
    common = options.Parser(add_help=False)
    aws = common.add_argument_group("AWS")
    aws.add_argument("--region", help="AWS region (default: AWS_REGION, the profile, us-east-1)")
    aws.add_argument("--endpoint-url", help="AWS endpoint (default: AWS_ENDPOINT_URL)")
    aws.add_argument("--profile", help="AWS profile (default: AWS_PROFILE)")
    for name in AWS_SETTINGS:
        options.add(aws, name)
    behaviour = common.add_argument_group("behaviour")
    for name in ("instance", "log_format", "log_level"):
        options.add(behaviour, name)

    parser = options.Parser(prog="ecsync", description="GitOps controller for Amazon ECS and ECR.")
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
        # One-off commands do what their command line says: a variable meant for the
        # daemon never turns on a prune or skips a check here.
        for setting in ("prune", "adopt", *safety.GUARDS):
            options.add(command, setting, environment=False)
        if name == "plan":
            command.add_argument("--output", choices=("text", "json"), default="text")
            options.add(
                command,
                "skip_preflight",
                environment=False,
                help="plan without the read-only checks of images, roles, secret references, "
                "subnets and security groups that apply makes first",
            )
        else:
            options.add(command, "skip_preflight", environment=False)

    daemon = sub.add_parser(
        "run", parents=[common], help="the daemon: keep AWS equal to a folder or Git repository"
    )
    run.add_run_arguments(daemon)

    imports = sub.add_parser(
        "import", parents=[common], help="write manifests for resources that exist in AWS"
    )
    importer.add_arguments(imports)

    embedded = sub.add_parser(
        "local",
        help="start only the embedded, simulated AWS (moto) and print how to point plan, apply "
        "and import at it",
    )
    local.add_arguments(embedded)

    schema = sub.add_parser("schema", help="write the JSON Schema of the manifests, for editors")
    schema_command.add_arguments(schema)

    status = sub.add_parser("status", help="show what a running daemon reports")
    options.add(status, "url")
    return parser


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, its settings resolved (flag, then ECSYNC_* variable, then default).

    Raises `settings.SettingsError` naming each bad flag or variable."""
    args = build_parser().parse_args(argv)
    options.resolve(args)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse(argv)
    except settings.SettingsError as error:
        for problem in error.problems:
            print(f"ecsync: {problem}", file=sys.stderr)
        return commands.EXIT_ERROR
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
        "local": local.run,
    }[args.command]
    try:
        return handler(args)
    except local.LocalUnavailableError as error:
        print(f"ecsync: {error}", file=sys.stderr)
        return commands.EXIT_ERROR
    except KeyboardInterrupt:
        return commands.EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
