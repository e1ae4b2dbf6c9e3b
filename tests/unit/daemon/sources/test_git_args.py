"""GitSource arguments: what is refused before any git runs, and how subpaths read."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from controller.daemon.sources.git import GitSource

URL = "https://github.com/example/manifests.git"


def source(
    cache_dir: Path, url: str = URL, *, ref: str | None = None, subpath: str = ""
) -> GitSource:
    return GitSource(url, lambda: None, ref=ref, subpath=subpath, cache_dir=cache_dir)


@pytest.mark.parametrize("url", ["", "--upload-pack=touch /tmp/pwned", "-oProxyCommand=x"])
def test_url_that_is_empty_or_an_option_is_refused(tmp_path: Path, url: str) -> None:
    """An empty URL, or one git would read as an option, raises ValueError."""
    with pytest.raises(ValueError, match="not a Git URL"):
        source(tmp_path, url)


def test_refused_url_does_not_show_credentials(tmp_path: Path) -> None:
    """The ValueError for a bad URL redacts the userinfo in it."""
    with pytest.raises(ValueError, match="not a Git URL") as raised:
        source(tmp_path, "-https://user:s3cr3t@host/x.git")
    assert "s3cr3t" not in str(raised.value)


@pytest.mark.parametrize(
    "ref", ["", "main..evil", "..", "my branch", "main\n", "\tmain", "--upload-pack=x", "-x"]
)
def test_bad_ref_is_refused(tmp_path: Path, ref: str) -> None:
    """A ref that is empty, an option, or holds `..` or whitespace raises ValueError."""
    with pytest.raises(ValueError, match="not a Git ref"):
        source(tmp_path, ref=ref)


@pytest.mark.parametrize(
    "ref", ["main", "release/2024.1", "v1.2.3", "refs/heads/main", "0123abcd", "a" * 40]
)
def test_ordinary_refs_are_accepted(tmp_path: Path, ref: str) -> None:
    """Branches, tags, full ref names and commit ids are accepted as given."""
    assert source(tmp_path, ref=ref).ref == ref


@pytest.mark.parametrize("subpath", ["..", "../other", "stacks/../../etc", "/stacks/.."])
def test_subpath_leaving_the_repository_is_refused(tmp_path: Path, subpath: str) -> None:
    """A subpath with a `..` component raises ValueError."""
    with pytest.raises(ValueError, match="subpath must stay inside the repository"):
        source(tmp_path, subpath=subpath)


@pytest.mark.parametrize("subpath", ["", "/", ".", "//"])
def test_empty_subpath_means_the_whole_tree(tmp_path: Path, subpath: str) -> None:
    """'', '/' and '.' all mean the whole tree (subpath None)."""
    assert source(tmp_path, subpath=subpath).subpath is None


@pytest.mark.parametrize("subpath", ["stacks/prod", "/stacks/prod/", "stacks/prod/"])
def test_subpath_is_relative_inside_the_repository(tmp_path: Path, subpath: str) -> None:
    """Leading and trailing slashes are dropped: the subpath is relative to the repository root."""
    assert source(tmp_path, subpath=subpath).subpath == PurePosixPath("stacks/prod")


def test_dotted_names_are_not_parent_references(tmp_path: Path) -> None:
    """Names that merely contain dots, such as `..stacks` or `v1..2`, are allowed as subpaths."""
    assert source(tmp_path, subpath="..stacks/v1..2").subpath == PurePosixPath("..stacks/v1..2")


def test_constructing_runs_nothing_and_writes_nothing(tmp_path: Path) -> None:
    """A new source has no snapshot, no revision, no error, and has not touched its cache dir."""
    created = source(tmp_path / "cache", ref="main", subpath="stacks")
    assert created.snapshot() is None
    assert created.revision is None
    assert created.last_error is None
    assert not (tmp_path / "cache").exists()
