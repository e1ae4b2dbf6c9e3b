"""Command-line options made from the settings fields, and the settings a parsed line resolves to.

A flag's name, help, default and variable all come from `controller.core.settings`,
so the flag, its `ECSYNC_*` variable and the README tables cannot disagree. An
option left off the command line holds a placeholder until `resolve` fills it
from the environment (where the command reads it) or the default.
"""

from __future__ import annotations

import argparse
import sys
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BeforeValidator
from pydantic.fields import FieldInfo

from controller.core import settings
from controller.core.settings import Settings

EXIT_USAGE = 1
"""A bad command line exits 1, like any other error: `plan` keeps 2 for "changes pending"."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors exit 1 rather than argparse's 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _Unset:
    """The value of an option left off the command line; `environment`: the command reads
    the option's variable."""

    def __init__(self, environment: bool) -> None:
        self.environment = environment

    def __repr__(self) -> str:
        return "unset"


class _Switch(argparse.Action):
    """`--x` turns a setting on and `--no-x` off, so a flag can overrule `ECSYNC_X` either way."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        negated = [f"--no-{name.removeprefix('--')}" for name in option_strings]
        super().__init__([*option_strings, *negated], dest, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        del parser, values
        setattr(namespace, self.dest, not (option_string or "").startswith("--no-"))

    def format_usage(self) -> str:
        return " | ".join(self.option_strings)


def add(
    group: argparse._ActionsContainer,
    name: str,
    *,
    environment: bool = True,
    help: str | None = None,
) -> None:
    """Add the flag of setting `name` to `group`. With `environment`, the command reads
    `ECSYNC_<NAME>` when the flag is absent, and the help says so."""
    field = Settings.model_fields[name]
    notes = [f"default {default}"] if (default := default_text(field)) else []
    if environment:
        notes.append(f"env {settings.variable(name)}")
    text = (help or field.description or "").replace("%", "%%")
    if notes:
        text += f" ({'; '.join(notes)})"
    options: dict[str, Any] = {"dest": name, "default": _Unset(environment), "help": text}
    if _validator(field) is settings.switch:
        options["action"] = _Switch
    elif metavar := _metavar(field):
        options["metavar"] = metavar
    group.add_argument(settings.flag(name), **options)


def resolve(args: argparse.Namespace) -> Settings:
    """The settings for a parsed command line; each setting it has an option for is also set on
    `args`, and the whole object is `args.settings`. Raises `settings.SettingsError`."""
    flags: dict[str, object] = {}
    readable = set(settings.ENV_ONLY)
    used = []
    for name, value in vars(args).items():
        if name not in Settings.model_fields:
            continue
        used.append(name)
        if not isinstance(value, _Unset):
            flags[name] = value
        elif value.environment:
            readable.add(name)
    resolved = settings.load(flags, frozenset(readable))
    for name in used:
        setattr(args, name, getattr(resolved, name))
    args.settings = resolved
    return resolved


def default_text(field: FieldInfo) -> str:
    """The default as a person writes it: `2m`, `off`, `0.3`; empty when there is none."""
    value = field.get_default(call_default_factory=True)
    if value is None or value == "":
        return ""
    validator = _validator(field)
    if validator is settings.switch:
        return "on" if value else "off"
    if validator is settings.seconds:
        return settings.format_seconds(float(value))
    if isinstance(value, Path) and value.is_relative_to(Path.home()):
        return str(Path("~") / value.relative_to(Path.home()))
    return str(value)


def _validator(field: FieldInfo) -> object:
    """The function that checks the setting's values, also inside `X | None`."""
    metadata = list(field.metadata)
    for member in typing.get_args(field.annotation):
        metadata.extend(getattr(member, "__metadata__", ()))
    for item in metadata:
        if isinstance(item, BeforeValidator):
            return item.func
    return None


def _metavar(field: FieldInfo) -> str | None:
    if _is_literal(field.annotation):
        return "{" + ",".join(str(choice) for choice in typing.get_args(field.annotation)) + "}"
    return "DURATION" if _validator(field) is settings.seconds else None


def _is_literal(annotation: object) -> bool:
    return typing.get_origin(annotation) is typing.Literal
