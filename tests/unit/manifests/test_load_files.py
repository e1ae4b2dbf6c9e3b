"""Which files a load reads: recursion, dot-files, symlinks, and the size limits."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.manifests.loader import load
from controller.manifests.yamlload import Limits

Write = Callable[[str, str], Path]
DEFAULT = Limits()


def cluster(name: str) -> str:
    return f"apiVersion: ecsync/v1\nkind: Cluster\nmetadata:\n  name: {name}\n"


def names(root: Path, limits: Limits = DEFAULT) -> list[str]:
    """The names of the resources loaded from `root`, asserting there were no errors."""
    result = load(root, limits)
    assert result.errors == (), [str(e) for e in result.errors]
    return [d.id.name for d in result.resources]


def test_reads_yaml_yml_and_json_recursively_in_sorted_order(root: Path, write: Write) -> None:
    """All three extensions are read from nested folders, in path order; others are not."""
    write("b/z.yml", cluster("two"))
    write("a.yaml", cluster("one"))
    write(
        "b/c/d.json",
        '{"apiVersion": "ecsync/v1", "kind": "Cluster", "metadata": {"name": "three"}}',
    )
    write("notes.txt", cluster("ignored"))
    assert names(root) == ["one", "three", "two"]
    assert load(root).files == 3


def test_dot_files_and_dot_folders_are_skipped(root: Path, write: Write) -> None:
    """`.hidden.yaml` and anything under `.git/` are never read, even when broken."""
    write("app.yaml", cluster("app"))
    write(".hidden.yaml", "{{{ not yaml")
    write(".git/config.yaml", "{{{ not yaml")
    assert names(root) == ["app"]


def test_a_single_file_can_be_the_root(root: Path, write: Write) -> None:
    """Pointing load at one file reads just that file, named as given."""
    path = write("only.yaml", cluster("solo") + "spec: {tags: 1}\n")
    result = load(path)
    assert result.files == 1
    assert result.errors[0].location.file == str(path)


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    """A root that does not exist is one error naming it, and nothing loads."""
    result = load(tmp_path / "nope")
    assert [str(e) for e in result.errors] == [
        f"{tmp_path / 'nope'}: manifest root does not exist; check the path"
    ]
    assert result.resources == ()


def test_empty_folder_is_an_error(root: Path) -> None:
    """An empty root is refused (a wrong path must not prune everything), saying what to check."""
    result = load(root)
    assert not result.ok
    assert result.resources == ()
    assert result.files == 0
    assert [e.message for e in result.errors] == [
        f"no manifests found under {root}; check the path, or add *.yaml, *.yml or *.json "
        "files (an empty source is refused, so that a wrong path never prunes everything)"
    ]


def test_symlinked_file_outside_the_root_is_an_error_and_not_read(
    tmp_path: Path, root: Path, write: Write
) -> None:
    """A manifest symlink that leaves the root is reported and its target is never loaded."""
    outside = tmp_path / "secret.yaml"
    outside.write_text(cluster("stolen"), encoding="utf-8")
    (root / "link.yaml").symlink_to(outside)
    write("app.yaml", cluster("app"))
    result = load(root)
    assert [d.id.name for d in result.resources] == ["app"]
    assert len(result.errors) == 1
    assert result.errors[0].location.file == "link.yaml"
    assert "symlink points outside the manifest root" in result.errors[0].message


def test_symlinked_folder_outside_the_root_is_an_error(tmp_path: Path, root: Path) -> None:
    """A directory symlink that leaves the root is reported and not walked."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yaml").write_text(cluster("stolen"), encoding="utf-8")
    (root / "shared").symlink_to(outside, target_is_directory=True)
    result = load(root)
    assert result.resources == ()
    assert [e.location.file for e in result.errors] == ["shared"]


def test_symlinks_inside_the_root_are_followed_once(root: Path, write: Write) -> None:
    """In-root file and folder symlinks are fine; each real file is read only once."""
    write("real/app.yaml", cluster("app"))
    (root / "alias.yaml").symlink_to(root / "real" / "app.yaml")
    (root / "current").symlink_to(root / "real", target_is_directory=True)
    assert names(root) == ["app"]


def test_symlink_loops_end(root: Path, write: Write) -> None:
    """A folder linking to its ancestor, and links that point at each other, do not hang."""
    write("sub/app.yaml", cluster("app"))
    (root / "sub" / "up").symlink_to(root, target_is_directory=True)
    (root / "a.yaml").symlink_to(root / "b.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")
    result = load(root)
    assert [d.id.name for d in result.resources] == ["app"]
    assert sorted(e.location.file for e in result.errors) == ["a.yaml", "b.yaml"]
    assert all("symlink loop" in e.message for e in result.errors)


def test_root_reached_through_a_symlink_works(tmp_path: Path, root: Path, write: Write) -> None:
    """A root path that is itself a symlink is resolved first; files inside it load."""
    write("app.yaml", cluster("app"))
    link = tmp_path / "link"
    link.symlink_to(root, target_is_directory=True)
    assert names(link) == ["app"]


def test_file_size_limit(root: Path, write: Write) -> None:
    """A file over max_file_bytes is one error and is not parsed; a higher limit reads it."""
    write("big.yaml", cluster("big") + "# " + "x" * 5000 + "\n")
    result = load(root, Limits(max_file_bytes=4096))
    assert result.resources == ()
    assert [e.message for e in result.errors] == ["file is larger than 4096 bytes; split it"]
    assert names(root, Limits(max_file_bytes=8192)) == ["big"]


def test_total_size_limit_stops_reading(root: Path, write: Write) -> None:
    """Past max_total_bytes, loading stops with one error; earlier files still load."""
    write("a.yaml", cluster("a"))
    write("b.yaml", cluster("b"))
    write("c.yaml", cluster("c"))
    size = (root / "a.yaml").stat().st_size
    result = load(root, Limits(max_total_bytes=size * 2))
    assert [d.id.name for d in result.resources] == ["a", "b"]
    assert [e.location.file for e in result.errors] == ["c.yaml"]
    assert result.files == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_a_manifest_is_an_error_not_a_hang(root: Path) -> None:
    """A named pipe called x.yaml is reported as not a regular file instead of blocking."""
    os.mkfifo(root / "pipe.yaml")
    result = load(root)
    assert [(e.location.file, e.message) for e in result.errors] == [
        ("pipe.yaml", "not a regular file; remove it or rename it")
    ]


def test_errors_name_files_relative_to_the_root(root: Path, write: Write) -> None:
    """Error locations use the path under the root, with forward slashes."""
    write("teams/web/service.yaml", "apiVersion: ecsync/v1\nkind: Nope\n")
    result = load(root)
    assert {e.location.file for e in result.errors} == {"teams/web/service.yaml"}


def test_resource_ids_for_services_use_the_cluster_name(root: Path, write: Write) -> None:
    """A Service's identity holds its cluster: a name, the name in an ARN, or `default`."""
    service = "apiVersion: ecsync/v1\nkind: Service\nmetadata:\n  name: {}\nspec: {}\n"
    write("a.yaml", service.format("a", "{cluster: prod}"))
    write("b.yaml", service.format("b", "{cluster: 'arn:aws:ecs:us-east-1:1:cluster/blue'}"))
    write("c.yaml", service.format("c", "{}"))
    result = load(root)
    assert [d.id for d in result.resources] == [
        ResourceId(Kind.SERVICE, "a", "prod"),
        ResourceId(Kind.SERVICE, "b", "blue"),
        ResourceId(Kind.SERVICE, "c", "default"),
    ]


def test_ten_thousand_document_file_loads_quickly_with_a_limit_error(
    root: Path, write: Write
) -> None:
    """A 10,000-document file is cut at the document limit with one error, and no crash."""
    write("many.yaml", "---\n".join(cluster(f"c{i}") for i in range(10_000)))
    started = time.monotonic()
    result = load(root)
    assert time.monotonic() - started < 20
    assert [e.message for e in result.errors] == ["more than 1000 documents in one file; split it"]
    assert len(result.resources) == 1_000
