"""JSON pointers used by diffs and `ecsync/ignore`."""

from __future__ import annotations

import pytest

from controller.diff import pointer


def test_split_unescapes_tokens() -> None:
    """`~1` is `/` and `~0` is `~` inside a token."""
    assert pointer.split("/tags/a~1b/c~0d") == ["tags", "a/b", "c~d"]


def test_split_rejects_relative_pointers() -> None:
    """A pointer must start with '/'."""
    with pytest.raises(ValueError, match="must start with '/'"):
        pointer.split("desiredCount")


def test_graft_copies_the_live_value() -> None:
    """Grafting takes the value at the pointer from the source."""
    result = pointer.graft({"desiredCount": 2, "x": 1}, {"desiredCount": 5}, "/desiredCount")
    assert result == {"desiredCount": 5, "x": 1}


def test_graft_removes_when_source_lacks_the_field() -> None:
    """A field absent in the source is removed from the copy."""
    assert pointer.graft({"desiredCount": 2}, {}, "/desiredCount") == {}


def test_graft_reaches_into_lists() -> None:
    """List indexes are pointer tokens too."""
    target = {"containerDefinitions": [{"image": "web:2"}]}
    source = {"containerDefinitions": [{"image": "web:1"}]}
    result = pointer.graft(target, source, "/containerDefinitions/0/image")
    assert result == {"containerDefinitions": [{"image": "web:1"}]}
    assert target["containerDefinitions"][0]["image"] == "web:2"


def test_is_within_matches_prefixes_on_token_boundaries() -> None:
    """`/tags` covers `/tags/x` but not `/tagsfoo`."""
    assert pointer.is_within("/tags/x", "/tags")
    assert pointer.is_within("/tags", "/tags")
    assert not pointer.is_within("/tagsfoo", "/tags")


def test_graft_leaves_both_documents_alone() -> None:
    """Only the path is copied: the target is not changed, nor is the source through the copy."""
    target = {"a": {"b": [1, {"c": 2}], "keep": {"x": 1}}}
    source = {"a": {"b": [1, {"c": {"deep": 3}}]}}
    grafted = pointer.graft(target, source, "/a/b/1/c")
    grafted["a"]["b"][1]["c"]["deep"] = 4

    assert target == {"a": {"b": [1, {"c": 2}], "keep": {"x": 1}}}
    assert source == {"a": {"b": [1, {"c": {"deep": 3}}]}}
    assert grafted["a"]["keep"] is target["a"]["keep"]
