"""The deletion-guard flags of plan, apply and run: parsing, defaults and environment."""

from __future__ import annotations

import pytest

from controller.cli.main import main, parse


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_default_to_the_guard_and_five_revisions(command: str) -> None:
    """Without flags: share 0.3, no confirmation, keep 5 revisions."""
    args = parse([command])

    assert (args.prune_max_share, args.confirm_prune, args.keep_revisions) == (0.3, False, 5)


def test_flags_are_parsed_and_all_keeps_every_revision() -> None:
    """`--prune-max-share 0.5 --confirm-prune --keep-revisions all` reach the namespace."""
    args = parse(
        [
            "apply",
            "--prune",
            "--prune-max-share",
            "0.5",
            "--confirm-prune",
            "--keep-revisions",
            "all",
        ]
    )

    assert (args.prune_max_share, args.confirm_prune, args.keep_revisions) == (0.5, True, None)


@pytest.mark.parametrize(
    "flags", [["--prune-max-share", "1.5"], ["--prune-max-share", "x"], ["--keep-revisions", "0"]]
)
def test_out_of_range_values_are_refused(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A share outside 0..1 or a keep count below 1 exits 1 (not plan's 2) naming the flag."""
    assert main(["plan", *flags]) == 1

    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"ecsync: {flags[0]} ")
    assert "must be a" in line


def test_a_usage_error_exits_1_not_plans_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown flag is an error (1), never mistaken for plan's "changes pending" (2)."""
    with pytest.raises(SystemExit) as exited:
        parse(["plan", "--no-such-flag"])

    assert exited.value.code == 1
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_run_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ecsync run` takes the three settings from ECSYNC_* variables; plan does not."""
    monkeypatch.setenv("ECSYNC_PRUNE_MAX_SHARE", "0.1")
    monkeypatch.setenv("ECSYNC_CONFIRM_PRUNE", "1")
    monkeypatch.setenv("ECSYNC_KEEP_REVISIONS", "3")

    run = parse(["run"])
    plan = parse(["plan"])

    assert (run.prune_max_share, run.confirm_prune, run.keep_revisions) == (0.1, True, 3)
    assert (plan.prune_max_share, plan.confirm_prune, plan.keep_revisions) == (0.3, False, 5)
