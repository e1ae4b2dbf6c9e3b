"""Races between listing the manifest folder and reading a file in it.

The daemon reads a folder that people and tools edit while it loads. A file
that vanishes, or turns into a symlink, between `files.find` listing it and
`files.read` opening it must be an ordinary, located error (the next change
event loads again), never an exception, and never a read outside the root.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from controller.manifests import files
from controller.manifests.loader import load
from tests.hostile.corpus import cluster


def listed_then(monkeypatch: pytest.MonkeyPatch, change: Callable[[], None]) -> None:
    """Make `change` happen right after the loader lists the folder, before it reads."""
    find = files.find

    def find_then_change(root: Path) -> files.Found:
        found = find(root)
        change()
        return found

    monkeypatch.setattr(files, "find", find_then_change)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A manifest root with two clusters, a.yaml and b.yaml."""
    path = tmp_path / "manifests"
    path.mkdir()
    (path / "a.yaml").write_text(cluster("a"))
    (path / "b.yaml").write_text(cluster("b"))
    return path


def test_a_file_deleted_after_listing_is_a_located_error(
    monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    """The vanished file is reported by name with 'load again'; the other file still loads."""
    listed_then(monkeypatch, (root / "a.yaml").unlink)
    result = load(root)
    assert [str(e) for e in result.errors] == [
        "a.yaml: cannot read file: it was deleted while the manifests were read; load again"
    ]
    assert [d.id.name for d in result.resources] == ["b"]


def test_a_file_swapped_for_a_symlink_after_listing_is_not_followed(
    monkeypatch: pytest.MonkeyPatch, root: Path, tmp_path: Path
) -> None:
    """A file replaced by a symlink to outside the root after listing is refused, not read."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(cluster("stolen"))

    def swap() -> None:
        (root / "a.yaml").unlink()
        (root / "a.yaml").symlink_to(secret)

    listed_then(monkeypatch, swap)
    result = load(root)
    assert [str(e) for e in result.errors] == [
        "a.yaml: cannot read file: it became a symlink while the manifests were read; load again"
    ]
    assert [d.id.name for d in result.resources] == ["b"]
