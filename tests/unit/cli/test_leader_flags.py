"""The leader election flags of `ecsync run`: defaults, environment and consistency."""

from __future__ import annotations

import pytest

from controller.cli import run
from controller.cli.main import parse
from controller.daemon.leader import Timing


def test_defaults_are_controller_runtimes() -> None:
    """Without flags there is no election table, and the lease is 15 s / 10 s / 2 s."""
    args = parse(["run"])
    assert args.leader_election_table is None
    assert args.leader_id is None
    assert run.lease_timing(args) == Timing(15.0, 10.0, 2.0)


def test_flags_and_a_short_lease_for_tests() -> None:
    """Short leases take their retry period from the renew deadline unless it is given."""
    args = parse(
        [
            "run",
            "--leader-election-table",
            "ecsync-leases",
            "--leader-id",
            "pod-a",
            "--lease-duration",
            "3s",
            "--lease-renew",
            "2s",
        ]
    )
    assert (args.leader_election_table, args.leader_id) == ("ecsync-leases", "pod-a")
    assert run.lease_timing(args) == Timing(3.0, 2.0, 0.4)
    args = parse(["run", "--lease-renew", "2s", "--lease-retry", "500ms"])
    assert run.lease_timing(args).retry_period == 0.5


def test_environment_names_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """ECSYNC_LEADER_ELECTION_TABLE and ECSYNC_LEADER_ID stand in for the flags."""
    monkeypatch.setenv("ECSYNC_LEADER_ELECTION_TABLE", "leases")
    monkeypatch.setenv("ECSYNC_LEADER_ID", "pod-b")
    args = parse(["run"])
    assert (args.leader_election_table, args.leader_id) == ("leases", "pod-b")


def test_a_renew_deadline_past_the_lease_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """`ecsync run` exits 1 before touching AWS when the renew deadline is not below the lease."""
    args = parse(["run", "--lease-duration", "5s", "--lease-renew", "5s"])
    assert run.run(args) == 1
    assert "duration > renew deadline" in capsys.readouterr().err
