"""Which file events the folder source passes on to the controller."""

from __future__ import annotations

from pathlib import Path

import pytest
from watchfiles import Change

from controller.daemon.sources.folder import FolderSource


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty manifest folder."""
    folder = tmp_path / "manifests"
    folder.mkdir()
    return folder


@pytest.fixture
def source(root: Path) -> FolderSource:
    """A folder source on `root`, not started: only its filter is used."""
    return FolderSource(root, lambda: None)


@pytest.mark.parametrize("name", ["web.yaml", "web.yml", "web.json", "WEB.YAML", "a/b/c.yml"])
@pytest.mark.parametrize("change", list(Change))
def test_manifest_files_are_relevant(
    source: FolderSource, root: Path, name: str, change: Change
) -> None:
    """Any change to a .yaml, .yml or .json file (any case, any depth) is relevant."""
    assert source.is_relevant(change, str(root / name))


@pytest.mark.parametrize(
    "name", [".hidden.yaml", ".git/config.yaml", "stack/.x.yaml.tmp", ".cache/deep/web.yaml"]
)
@pytest.mark.parametrize("change", list(Change))
def test_dot_paths_are_skipped(source: FolderSource, root: Path, name: str, change: Change) -> None:
    """A path with any component starting with `.` is skipped, like the loader skips it."""
    assert not source.is_relevant(change, str(root / name))


def test_dots_above_the_watched_folder_do_not_count(tmp_path: Path) -> None:
    """Only components below the watched folder are checked for a leading dot."""
    root = tmp_path / ".config" / "manifests"
    root.mkdir(parents=True)
    source = FolderSource(root, lambda: None)
    assert source.is_relevant(Change.modified, str(root / "web.yaml"))


@pytest.mark.parametrize("change", list(Change))
def test_the_root_itself_is_relevant(source: FolderSource, root: Path, change: Change) -> None:
    """A change to the watched folder itself (moved, deleted) is always relevant."""
    assert source.is_relevant(change, str(root))


def test_deleted_path_without_suffix_is_relevant(source: FolderSource, root: Path) -> None:
    """A deleted path with no suffix may have been a directory, so it counts."""
    assert source.is_relevant(Change.deleted, str(root / "stacks" / "prod"))


def test_deleted_other_file_is_not_relevant(source: FolderSource, root: Path) -> None:
    """A deleted file with a non-manifest suffix does not count."""
    assert not source.is_relevant(Change.deleted, str(root / "notes.txt"))


@pytest.mark.parametrize("change", [Change.added, Change.modified])
def test_existing_directory_is_relevant(source: FolderSource, root: Path, change: Change) -> None:
    """A directory that appears or changes counts: a folder moved in brings no file events."""
    (root / "stack.d").mkdir()
    assert source.is_relevant(change, str(root / "stack.d"))


def test_missing_path_without_suffix_that_is_not_deleted_is_not_relevant(
    source: FolderSource, root: Path
) -> None:
    """An added path that is no directory (anymore) and has no manifest suffix does not count."""
    assert not source.is_relevant(Change.added, str(root / "gone"))


@pytest.mark.parametrize("name", ["README.md", "Makefile", "web.yaml.bak", "stack/notes.txt"])
@pytest.mark.parametrize("change", [Change.added, Change.modified])
def test_other_files_are_not_relevant(
    source: FolderSource, root: Path, name: str, change: Change
) -> None:
    """Files that are neither manifests nor directories are ignored."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    assert not source.is_relevant(change, str(path))
