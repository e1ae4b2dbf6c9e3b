"""The manifest file cache keeps each valid document's spec once, and loads the same as
without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from controller.core.kinds import Kind
from controller.manifests import files, parity
from controller.manifests.errors import ManifestError
from controller.manifests.loader import FileCache, load

TASK_DEFINITION = """
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: web}
spec:
  requiresCompatibilities: [FARGATE]
  networkMode: awsvpc
  cpu: "256"
  memory: "512"
  containerDefinitions:
    - {name: app, image: nginx:1.27, essential: true, portMappings: [{containerPort: 80}]}
"""

SCALING = """
apiVersion: ecsync/v1
kind: ScalableTarget
metadata: {name: prod/web}
spec: {MinCapacity: 1, MaxCapacity: 4}
---
apiVersion: ecsync/v1
kind: ScalingPolicy
metadata: {name: prod/web/cpu}
spec:
  PolicyType: TargetTrackingScaling
  TargetTrackingScalingPolicyConfiguration:
    TargetValue: 60
    PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
"""


def _cached(cache: FileCache, path: Path) -> list[tuple[object, object]]:
    """(entry spec, desired spec) of each document the cache holds for `path`."""
    kept = cache.get(path.name, path.read_bytes())
    assert kept is not None
    return [
        (entry.spec, desired.spec)
        for entry, desired, _ in kept.documents
        if entry is not None and desired is not None
    ]


def test_a_valid_spec_as_written_is_kept_once(tmp_path: Path) -> None:
    """A cached valid document whose validated spec is the spec as written keeps only the
    validated one; its identity and spec load as without the cache."""
    path = tmp_path / "web.yaml"
    path.write_text(TASK_DEFINITION)
    cache = FileCache()
    first = load(tmp_path, cache=cache)
    [(entry_spec, desired_spec)] = _cached(cache, path)
    assert entry_spec is desired_spec
    again = load(tmp_path, cache=cache)
    assert again.resources == first.resources == load(tmp_path).resources


def test_a_spec_validation_changed_stays_as_written_for_the_checks(tmp_path: Path) -> None:
    """A spec whose validated form differs in a type (an integer TargetValue becomes a float)
    keeps the spec as written for the checks across documents."""
    path = tmp_path / "scaling.yaml"
    path.write_text(SCALING)
    cache = FileCache()
    assert load(tmp_path, cache=cache).ok
    target, policy = _cached(cache, path)
    assert target[0] is target[1]
    written, validated = policy
    assert written is not validated
    assert isinstance(written, dict)
    assert isinstance(validated, dict)
    value = written["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
    assert type(value) is int
    assert type(validated["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]) is float


LEAKY = """
apiVersion: ecsync/v1
kind: TaskDefinition
metadata: {name: worker}
spec:
  containerDefinitions:
    - name: app
      image: nginx:1.27
      environment:
        - {name: STRIPE_KEY, value: sk_live_4eC39HqLyjWDarjtT1zdp7dc}
"""


def test_a_plain_text_credential_is_reported_exactly_from_a_cached_file(tmp_path: Path) -> None:
    """A plain-text credential in a file the cache holds is warned about on every load, at
    the line of its variable, as a load without the cache reports it."""
    (tmp_path / "worker.yaml").write_text(LEAKY)
    (tmp_path / "web.yaml").write_text(TASK_DEFINITION)
    cache = FileCache()
    uncached = load(tmp_path).warnings
    assert [w.location.line for w in uncached] == [10]
    assert load(tmp_path, cache=cache).warnings == uncached
    (tmp_path / "web.yaml").write_text(TASK_DEFINITION.replace("1.27", "1.28"))
    assert load(tmp_path, cache=cache).warnings == uncached


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files whose bytes a load reads, in order."""
    read: list[str] = []
    real = files.read

    def counting(file: files.ManifestFile, limit: int) -> tuple[bytes | None, object]:
        read.append(file.name)
        return real(file, limit)

    monkeypatch.setattr(files, "read", counting)
    return read


def test_a_settled_file_whose_stamp_did_not_change_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a file's last change has settled, a load whose stamp of it is unchanged takes
    what it yielded without reading it; an edited file is read again."""
    (tmp_path / "web.yaml").write_text(TASK_DEFINITION)
    (tmp_path / "api.yaml").write_text(TASK_DEFINITION.replace("name: web", "name: api"))
    read = _counting_reads(monkeypatch)
    cache = FileCache(settle=0)
    first = load(tmp_path, cache=cache)
    assert sorted(read) == ["api.yaml", "web.yaml"]
    read.clear()
    assert load(tmp_path, cache=cache) == first
    assert read == []
    (tmp_path / "web.yaml").write_text(TASK_DEFINITION.replace("1.27", "1.28"))
    edited = load(tmp_path, cache=cache)
    assert read == ["web.yaml"]
    assert edited == load(tmp_path)


def test_a_file_changed_lately_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose last change is not older than the settling time is read on every load,
    its stamp unchanged or not: a second write in the same clock tick, of the same size,
    would leave the stamp as it was."""
    path = tmp_path / "web.yaml"
    path.write_text(TASK_DEFINITION)
    read = _counting_reads(monkeypatch)
    cache = FileCache(settle=3600)
    load(tmp_path, cache=cache)
    read.clear()
    load(tmp_path, cache=cache)
    assert read == ["web.yaml"]
    path.write_text(TASK_DEFINITION.replace("1.27", "1.28"))  # same size
    assert load(tmp_path, cache=cache).resources[0].spec["containerDefinitions"][0]["image"] == (
        "nginx:1.28"
    )


SERVICES = """
apiVersion: ecsync/v1
kind: Cluster
metadata: {name: shop}
spec: {}
---
apiVersion: ecsync/v1
kind: Service
metadata: {name: web}
spec:
  cluster: shop
  taskDefinition: web
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration: {awsvpcConfiguration: {subnets: [subnet-1]}}
---
apiVersion: ecsync/v1
kind: Service
metadata: {name: api}
spec:
  cluster: shop
  taskDefinition: web
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration: {awsvpcConfiguration: {subnets: [subnet-1]}}
"""


def test_a_pair_of_unchanged_documents_is_not_checked_against_each_other_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached service and the cached task definition it names are checked against each
    other once; editing either checks the pairs it is in again."""
    checked: list[str] = []
    real = parity.against

    def counting(kind: Kind, name: str, *args: Any, **kwargs: Any) -> list[ManifestError]:
        checked.append(name)
        return real(kind, name, *args, **kwargs)

    monkeypatch.setattr(parity, "against", counting)
    (tmp_path / "web.yaml").write_text(TASK_DEFINITION)
    (tmp_path / "services.yaml").write_text(SERVICES)
    cache = FileCache()
    assert load(tmp_path, cache=cache).ok
    assert sorted(checked) == ["api", "web"]
    checked.clear()
    assert load(tmp_path, cache=cache).ok
    assert checked == []
    (tmp_path / "services.yaml").write_text(
        SERVICES.replace("desiredCount: 1", "desiredCount: 2", 1)
    )
    assert load(tmp_path, cache=cache).ok
    assert sorted(checked) == ["api", "web"]  # both services live in the edited file
    checked.clear()
    (tmp_path / "web.yaml").write_text(TASK_DEFINITION.replace("1.27", "1.28"))
    assert load(tmp_path, cache=cache).ok
    assert sorted(checked) == ["api", "web"]


SHOP = "apiVersion: ecsync/v1\nkind: Cluster\nmetadata: {name: shop}\nspec: {}\n"


def _service(name: str, cluster: str) -> str:
    """A task definition and a service of it, both called `name`, in `cluster`."""
    service = f"""
apiVersion: ecsync/v1
kind: Service
metadata: {{name: {name}}}
spec:
  cluster: {cluster}
  taskDefinition: {name}
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration: {{awsvpcConfiguration: {{subnets: [subnet-1]}}}}
"""
    return TASK_DEFINITION.replace("name: web", f"name: {name}") + "---" + service


def test_a_warning_across_files_is_located_exactly_without_reading_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached service in a cluster outside the manifests is warned about at its
    spec.cluster line, as without the cache; once located, its file is not read again, and
    a one-file edit reads only that file."""
    (tmp_path / "shop.yaml").write_text(SHOP)
    (tmp_path / "web.yaml").write_text(_service("web", "outside"))
    (tmp_path / "api.yaml").write_text(_service("api", "shop"))
    read = _counting_reads(monkeypatch)
    cache = FileCache(settle=0)
    first = load(tmp_path, cache=cache)
    uncached = load(tmp_path)
    assert [(w.location.file, w.location.line, w.path) for w in first.warnings] == [
        ("web.yaml", 17, "spec.cluster")
    ]
    assert first == uncached
    read.clear()
    assert load(tmp_path, cache=cache) == first
    assert read == []
    (tmp_path / "api.yaml").write_text(_service("api", "shop").replace("1.27", "1.28"))
    edited = load(tmp_path, cache=cache)
    assert read == ["api.yaml"]
    assert edited == load(tmp_path)


def test_a_warning_an_edit_raises_in_an_unchanged_file_is_located_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing the cluster that a cached service runs in warns about that service at its
    spec.cluster line: its file is read once more to locate it, and not on the next load."""
    (tmp_path / "shop.yaml").write_text(SHOP)
    (tmp_path / "api.yaml").write_text(_service("api", "shop"))
    read = _counting_reads(monkeypatch)
    cache = FileCache(settle=0)
    assert load(tmp_path, cache=cache).warnings == ()
    (tmp_path / "shop.yaml").write_text(SHOP.replace("shop", "other"))
    read.clear()
    edited = load(tmp_path, cache=cache)
    assert sorted(read) == ["api.yaml", "shop.yaml"]
    assert [(w.location.file, w.location.line) for w in edited.warnings] == [("api.yaml", 17)]
    assert edited == load(tmp_path)
    read.clear()
    assert load(tmp_path, cache=cache) == edited
    assert read == []


def test_a_file_changed_while_a_warning_is_located_is_loaded_again_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the file of a cached document has changed by the time a warning about it is
    located, the load is done again without the cache, as the file now is."""
    (tmp_path / "shop.yaml").write_text(SHOP)
    (tmp_path / "api.yaml").write_text(_service("api", "shop"))
    cache = FileCache(settle=0)
    assert load(tmp_path, cache=cache).warnings == ()
    (tmp_path / "shop.yaml").write_text(SHOP.replace("shop", "other"))
    real = files.read

    def edited_meanwhile(file: files.ManifestFile, limit: int) -> tuple[bytes | None, object]:
        if file.name == "api.yaml":  # read only to locate the warning about it
            (tmp_path / "api.yaml").write_text(_service("api", "elsewhere"))
        return real(file, limit)

    monkeypatch.setattr(files, "read", edited_meanwhile)
    result = load(tmp_path, cache=cache)
    monkeypatch.undo()
    assert [w.message.split(";")[0] for w in result.warnings] == [
        "cluster 'elsewhere' is not in the manifests"
    ]
    assert result == load(tmp_path)
