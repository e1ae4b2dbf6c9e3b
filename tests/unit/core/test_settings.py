"""The settings object: switch spellings, durations, counts, precedence, and the README's tables."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from controller.cli import main, options
from controller.core import settings
from controller.core.settings import Settings, SettingsError

README = Path(__file__).parents[3] / "README.md"
SWITCHES = [
    name
    for name, field in Settings.model_fields.items()
    if any(getattr(item, "func", None) is settings.switch for item in field.metadata)
]
DURATIONS = ["poll", "resync", "realert", "flap_window", "lease_duration", "lease_renew"]
DURATIONS += ["lease_retry", "aws_retry_base_delay", "aws_retry_max_delay"]
DURATIONS += ["aws_connect_timeout", "aws_read_timeout"]
COUNTS = ["flap_count", "concurrency", "aws_max_attempts"]
OFF = ["false", "0", "no", "off", "FALSE", "No", " off ", "Off\n"]
ON = ["true", "1", "yes", "on", "TRUE", "Yes", " on "]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ECSYNC_* variable of the caller's leaks into these tests."""
    for name in list(os.environ):
        if name.upper().startswith(settings.ENV_PREFIX):
            monkeypatch.delenv(name)


def test_the_switches_are_the_ones_people_set() -> None:
    """Every on/off setting is covered by the spelling tests below."""
    assert set(SWITCHES) == {
        "local",
        "prune",
        "adopt",
        "confirm_prune",
        "skip_preflight",
        "alert_only",
    }


@pytest.mark.parametrize("spelling", OFF)
@pytest.mark.parametrize("name", SWITCHES)
def test_off_spellings_turn_a_switch_off(
    name: str, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`false`, `0`, `no` and `off`, in any case and with blanks around, mean off."""
    monkeypatch.setenv(settings.variable(name), spelling)

    assert getattr(settings.load({}), name) is False
    assert getattr(main.parse(["run"]), name) is False


@pytest.mark.parametrize("spelling", ON)
@pytest.mark.parametrize("name", SWITCHES)
def test_on_spellings_turn_a_switch_on(
    name: str, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`true`, `1`, `yes` and `on`, in any case and with blanks around, mean on."""
    monkeypatch.setenv(settings.variable(name), spelling)

    assert getattr(settings.load({}), name) is True
    assert getattr(main.parse(["run"]), name) is True


@pytest.mark.parametrize("name", SWITCHES)
@pytest.mark.parametrize("spelling", ["maybe", "2", "enabled", "-1", "nope"])
def test_a_bad_switch_stops_ecsync_naming_the_variable(
    name: str,
    spelling: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Any other spelling exits 1 with one line naming the variable and the spellings it takes."""
    monkeypatch.setenv(settings.variable(name), spelling)

    assert main.main(["run"]) == 1

    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"ecsync: {settings.variable(name)}=")
    assert settings.SWITCH_SPELLINGS in line


@pytest.mark.parametrize("value", ["-5", "0", "0s", "nan", "NaN", "inf", "-inf", "1e999", "5x"])
@pytest.mark.parametrize("name", DURATIONS)
def test_durations_must_be_positive_and_finite(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zero, negative, infinite or unreadable duration is refused, naming the variable."""
    monkeypatch.setenv(settings.variable(name), value)

    with pytest.raises(SettingsError) as refused:
        settings.load({})

    (problem,) = refused.value.problems
    assert problem.startswith(f"{settings.variable(name)}=")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("2m", 120.0), ("1h30m", 5400.0), ("500ms", 0.5), ("90", 90.0), (" 1.5 ", 1.5)],
)
def test_durations_keep_the_grammar(text: str, seconds: float) -> None:
    """Seconds, or numbers with ms, s, m and h units, as before."""
    assert settings.seconds(text) == seconds


@pytest.mark.parametrize("flag", ["--resync", "--lease-retry", "--flap-window"])
@pytest.mark.parametrize("value", ["-5", "0", "nan", "inf"])
def test_a_bad_duration_flag_exits_1_naming_the_flag(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given on the command line, the same values exit 1 and the message names the flag."""
    assert main.main(["run", flag, value]) == 1

    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"ecsync: {flag} ")
    assert "positive, finite duration" in line


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "x", "", "true"])
@pytest.mark.parametrize("name", COUNTS)
def test_counts_are_whole_numbers_of_at_least_one(name: str, value: str) -> None:
    """`--concurrency`, `--flap-count` and the attempts per call are integers >= 1."""
    with pytest.raises(SettingsError) as refused:
        settings.load({name: value})

    assert refused.value.problems[0].startswith(settings.flag(name))


def test_nothing_set_gives_the_documented_defaults() -> None:
    """With no flag and no variable, the daemon runs with the defaults in the README."""
    loaded = settings.load({})

    assert (loaded.prune, loaded.confirm_prune, loaded.adopt) == (False, False, False)
    assert (loaded.resync, loaded.poll, loaded.flap_window) == (120.0, 30.0, 600.0)
    assert (loaded.flap_count, loaded.concurrency, loaded.keep_revisions) == (3, 8, 5)
    assert loaded.lease_retry is None
    assert loaded.listen == "127.0.0.1:8080"


def test_flag_beats_variable_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flag wins over its variable, which wins over the default, in both directions."""
    monkeypatch.setenv("ECSYNC_PRUNE", "true")
    monkeypatch.setenv("ECSYNC_RESYNC", "5m")
    monkeypatch.setenv("ECSYNC_CONCURRENCY", "2")

    from_env = main.parse(["run"])
    flagged = main.parse(["run", "--no-prune", "--resync", "10s", "--concurrency", "4"])

    assert (from_env.prune, from_env.resync, from_env.concurrency) == (True, 300.0, 2)
    assert (flagged.prune, flagged.resync, flagged.concurrency) == (False, 10.0, 4)
    monkeypatch.setenv("ECSYNC_PRUNE", "off")
    assert main.parse(["run", "--prune"]).prune is True


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ECSYNC_RESYNC=` (as an env file or a template leaves it) keeps the default."""
    monkeypatch.setenv("ECSYNC_RESYNC", "")
    monkeypatch.setenv("ECSYNC_PRUNE", "")

    loaded = settings.load({})

    assert (loaded.resync, loaded.prune) == (120.0, False)


def test_a_command_reads_only_its_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """`plan` neither takes ECSYNC_PRUNE (a daemon's setting) nor trips on a bad ECSYNC_RESYNC."""
    monkeypatch.setenv("ECSYNC_PRUNE", "true")
    monkeypatch.setenv("ECSYNC_CONFIRM_PRUNE", "true")
    monkeypatch.setenv("ECSYNC_RESYNC", "soon")

    args = main.parse(["plan"])

    assert (args.prune, args.confirm_prune) == (False, False)
    with pytest.raises(SettingsError, match="ECSYNC_RESYNC"):
        main.parse(["run"])


def test_the_webhook_secret_is_read_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """ECSYNC_WEBHOOK_SECRET has no flag, and its value stays out of the object's text."""
    monkeypatch.setenv("ECSYNC_WEBHOOK_SECRET", "s3cr3t-value")

    loaded = main.parse(["run"]).settings

    assert loaded.webhook_secret is not None
    assert loaded.webhook_secret.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(loaded)
    assert "--webhook-secret " not in main.build_parser().format_help()


def test_bad_aws_tuning_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """ECSYNC_AWS_* values are checked like any other setting."""
    monkeypatch.setenv("ECSYNC_AWS_READ_TIMEOUT", "nan")
    monkeypatch.setenv("ECSYNC_AWS_MAX_ATTEMPTS", "0")

    with pytest.raises(SettingsError) as refused:
        main.parse(["plan"])

    assert sorted(p.split("=")[0] for p in refused.value.problems) == [
        "ECSYNC_AWS_MAX_ATTEMPTS",
        "ECSYNC_AWS_READ_TIMEOUT",
    ]


def test_format_seconds_round_trips() -> None:
    """The help shows defaults in the grammar the flags take (`2m`, `200ms`)."""
    for value in (0.2, 5.0, 30.0, 120.0, 600.0, 3600.0, 5400.0, 1.5):
        assert math.isclose(settings.seconds(settings.format_seconds(value)), value)
    assert settings.format_seconds(120.0) == "2m"


def readme_rows() -> dict[str, tuple[str, str]]:
    """Each README table row `| `--flag` ... | `ECSYNC_X` | default | ... |` as flag → (variable,
    default)."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`--") and cells[1].startswith("`ECSYNC_"):
            flag = cells[0].split("`")[1]
            rows[flag] = (cells[1].strip("`"), cells[2].strip("`"))
    return rows


def test_every_setting_is_in_the_readme_tables() -> None:
    """Each flag and its variable are a README table row, so the docs cannot drift from the
    settings; the webhook secret, which has no flag, is named in the text."""
    rows = readme_rows()

    documented = {flag: variable for flag, (variable, _) in rows.items()}
    expected = {
        settings.flag(name): settings.variable(name)
        for name in Settings.model_fields
        if name not in settings.ENV_ONLY
    }
    assert documented == expected
    text = README.read_text(encoding="utf-8")
    assert all(settings.variable(name) in text for name in settings.ENV_ONLY)


def test_the_readme_defaults_are_the_settings_defaults() -> None:
    """Where a setting has a default, the README's table shows the same one, as --help does."""
    rows = readme_rows()

    wrong = {
        flag: (shown, default)
        for flag, (_, shown) in rows.items()
        if (default := options.default_text(Settings.model_fields[flag[2:].replace("-", "_")]))
        and shown != default
    }
    assert wrong == {}
