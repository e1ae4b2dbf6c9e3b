"""`ecsync schema`: the JSON Schema of the manifests, for editors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from controller.cli.commands import EXIT_OK
from controller.manifests import schema


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=f"write one schema per kind and the combined {schema.COMBINED} to this folder "
        "(default: print the combined schema)",
    )


def run(args: argparse.Namespace) -> int:
    if args.out is None:
        print(_text(schema.combined()), end="")
        return EXIT_OK
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in schema.all_schemas().items():
        target = args.out / name
        target.write_text(_text(content), encoding="utf-8")
        print(f"wrote {target}")
    return EXIT_OK


def _text(content: dict[str, object]) -> str:
    return json.dumps(content, indent=2) + "\n"
