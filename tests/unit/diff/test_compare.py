"""Field-by-field comparison with JSON-pointer paths."""

from __future__ import annotations

from controller.core.redact import REDACTED
from controller.diff.compare import FieldChange, compare


def test_reports_leaf_paths_for_nested_changes() -> None:
    """A nested difference is reported at its leaf, as a JSON pointer."""
    desired = {"deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 50}}
    live = {"deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100}}
    assert compare(desired, live, ["deploymentConfiguration"]) == [
        FieldChange("/deploymentConfiguration/minimumHealthyPercent", 50, 100)
    ]


def test_only_listed_fields_are_compared() -> None:
    """Fields outside the managed set never show up, whatever their values."""
    assert compare({"a": 1, "b": 2}, {"a": 1, "b": 3}, ["a"]) == []


def test_lists_of_different_length_are_reported_whole() -> None:
    """A list that grew or shrank is one change at the list's path."""
    changes = compare({"subnets": ["a", "b"]}, {"subnets": ["a"]}, ["subnets"])
    assert changes == [FieldChange("/subnets", ["a", "b"], ["a"])]


def test_absent_side_is_none() -> None:
    """A field missing on one side shows None there."""
    assert compare({"desiredCount": 2}, {}, ["desiredCount"]) == [
        FieldChange("/desiredCount", 2, None)
    ]


def test_secret_environment_values_are_redacted() -> None:
    """A changed value of a secret-looking variable never appears in a change."""
    desired = {"env": [{"name": "DB_PASSWORD", "value": "hunter2"}]}
    live = {"env": [{"name": "DB_PASSWORD", "value": "old-secret"}]}
    changes = compare(desired, live, ["env"])
    assert changes == [FieldChange("/env/0/value", REDACTED, REDACTED)]
    assert "hunter2" not in repr(changes)
    assert "old-secret" not in repr(changes)


def test_secret_values_are_redacted_inside_whole_list_changes() -> None:
    """When a whole environment list differs, secret values inside it are hidden."""
    desired = {"env": [{"name": "API_TOKEN", "value": "t0ken"}, {"name": "A", "value": "1"}]}
    changes = compare(desired, {"env": []}, ["env"])
    assert "t0ken" not in repr(changes)
    assert changes[0].desired == [
        {"name": "API_TOKEN", "value": REDACTED},
        {"name": "A", "value": "1"},
    ]


def test_pointer_tokens_are_escaped() -> None:
    """Keys with '/' or '~' are escaped as RFC 6901 says."""
    changes = compare({"tags": {"a/b": "1"}}, {"tags": {"a/b": "2"}}, ["tags"])
    assert changes[0].path == "/tags/a~1b"
    assert changes[0].top_field == "tags"


def test_a_changed_command_line_shows_its_secret_part_redacted() -> None:
    """Only the changed item is reported, redacted as its whole command line reads it."""
    desired = {
        "c": [{"entryPoint": ["mysql"], "command": ["-u", "app", "-pnew-pw", "--token", "t2"]}]
    }
    live = {"c": [{"entryPoint": ["mysql"], "command": ["-u", "app", "-pold-pw", "--token", "t1"]}]}
    changes = compare(desired, live, ["c"])
    assert changes == [
        FieldChange("/c/0/command/2", f"-p{REDACTED}", f"-p{REDACTED}"),
        FieldChange("/c/0/command/4", REDACTED, REDACTED),
    ]


def test_a_changed_shell_string_keeps_its_readable_parts() -> None:
    """A script whose password changed shows the script with the password hidden."""
    desired = {"command": ["sh", "-c", "PGPASSWORD=new psql -h db2"]}
    live = {"command": ["sh", "-c", "PGPASSWORD=old psql -h db1"]}
    assert compare(desired, live, ["command"]) == [
        FieldChange(
            "/command/2", f"PGPASSWORD={REDACTED} psql -h db2", f"PGPASSWORD={REDACTED} psql -h db1"
        )
    ]
