"""The daemon's intake: each snapshot loaded, compared with the last, and only changed files
parsed again."""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from controller.core.kinds import Kind, ResourceId
from controller.daemon import intake
from controller.daemon.sources.base import Snapshot
from controller.manifests import yamlload
from controller.manifests.loader import FileCache, load

CLUSTER = """
apiVersion: ecsync/v1
kind: Cluster
metadata: {{name: {name}}}
spec: {{tags: {{team: {team}}}}}
"""
SERVICE = """
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec: {cluster: shop, desiredCount: 1}
"""


def folder(root: Path, clusters: int = 20) -> Path:
    for c in range(clusters):
        (root / f"cluster-{c:02d}.yaml").write_text(CLUSTER.format(name=f"c{c}", team="a"))
    return root


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files parsed, in order."""
    parsed: list[str] = []
    original = yamlload.parse

    def counting(data: bytes, name: str, *args: object, **kwargs: object) -> yamlload.Parsed:
        parsed.append(name)
        return original(data, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlload, "parse", counting)
    return parsed


def test_an_edit_parses_only_the_changed_file(tmp_path: Path, parses: list[str]) -> None:
    """After a one-file edit, only that file is parsed again; the changed resource is the one
    the intake names, and the result equals a load from scratch."""
    root = folder(tmp_path)
    cache = FileCache()
    first = intake.read(Snapshot(root, "r1"), None, cache)
    assert len(parses) == 20

    (root / "cluster-07.yaml").write_text(CLUSTER.format(name="c7", team="b"))
    parses.clear()
    second = intake.read(Snapshot(root, "r2"), first.desired, cache)

    assert parses == ["cluster-07.yaml"]
    assert second.changed == {ResourceId(Kind.CLUSTER, "c7")}
    assert second.removed == set()
    assert list(second.desired.resources.values()) == list(load(root).resources)


def test_a_problem_across_files_is_still_located_exactly(tmp_path: Path) -> None:
    """A cross-file problem found with cached files is reported at its field, as without the
    cache, and the snapshot is rejected with the last good set kept."""
    root = folder(tmp_path, clusters=2)
    cache = FileCache()
    first = intake.read(Snapshot(root, "r1"), None, cache)
    (root / "web.yaml").write_text(SERVICE)
    (root / "cluster-01.yaml").write_text(CLUSTER.format(name="c0", team="b"))  # a duplicate

    with capture_logs() as logs:
        second = intake.read(Snapshot(root, "r2"), first.desired, cache)

    invalid = [e for e in logs if e["event"] == "manifest_invalid"]
    expected = list(load(root).errors)
    assert [(e["file"], e["line"], e["column"], e["message"]) for e in invalid] == [
        (e.location.file, e.location.line, e.location.column, e.message) for e in expected
    ]
    assert invalid
    assert not second.ok
    assert second.desired.revision == "r1"
    assert second.desired.resources == first.desired.resources
