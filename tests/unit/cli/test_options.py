"""Flags made from the settings fields: one variable per daemon flag, help that names it."""

from __future__ import annotations

import argparse

import pytest

from controller.cli import main
from controller.core import settings
from controller.core.settings import Settings

AWS_STANDARD = {"--region": "AWS_REGION", "--endpoint-url": "AWS_ENDPOINT_URL"}
AWS_STANDARD["--profile"] = "AWS_PROFILE"


def subcommand(name: str) -> argparse.ArgumentParser:
    parser = main.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found: argparse.ArgumentParser = sub.choices[name]
    return found


def flags_of(name: str) -> dict[str, str]:
    """Each long flag of subcommand `name` (and `--no-` forms) with its help text."""
    return {
        option: action.help or ""
        for action in subcommand(name)._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help" and not option.startswith("--no-")
    }


def test_every_daemon_flag_has_its_variable() -> None:
    """Each `ecsync run` flag names ECSYNC_<FLAG> in its help (AWS_* for the standard three)."""
    for option, text in flags_of("run").items():
        expected = AWS_STANDARD.get(option) or "ECSYNC_" + option[2:].replace("-", "_").upper()
        assert expected in text, option


def test_every_setting_has_a_flag_somewhere() -> None:
    """No setting is reachable only through the environment, except the webhook secret."""
    offered = {flag for command in ("run", "plan", "status") for flag in flags_of(command)}

    unflagged = {n for n in Settings.model_fields if settings.flag(n) not in offered}

    assert unflagged == set(settings.ENV_ONLY)


@pytest.mark.parametrize("name", ["run", "plan", "apply", "validate", "import"])
def test_the_help_prints_defaults_as_people_write_them(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--help` works for every command and shows no placeholder object."""
    with pytest.raises(SystemExit) as exited:
        main.parse([name, "--help"])

    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert "unset" not in shown
    assert "object at 0x" not in shown


def test_run_help_shows_durations_in_their_grammar() -> None:
    """The daemon's help says `default 2m`, not 120.0 seconds."""
    text = flags_of("run")
    assert "default 2m; env ECSYNC_RESYNC" in text["--resync"]
    assert "default 200ms; env ECSYNC_AWS_RETRY_BASE_DELAY" in text["--aws-retry-base-delay"]


def test_plan_flags_do_not_claim_a_variable() -> None:
    """plan and apply take prune and the guards as flags only, and their help says no variable."""
    text = flags_of("plan")
    for option in ("--prune", "--adopt", "--confirm-prune", "--prune-max-share"):
        assert "env ECSYNC_" not in text[option], option
