"""The manifest file cache keeps each valid document's spec once, and loads the same as
without it."""

from __future__ import annotations

from pathlib import Path

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
