"""Specs loaded into the daemon's file cache share the parts they repeat, and only those."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from controller.manifests.loader import FileCache, load
from controller.manifests.shared import Sharer

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"]}}


def _service(count: int) -> dict[str, Any]:
    return {"desiredCount": count, "networkConfiguration": _copy(NETWORK)}


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def test_equal_parts_of_two_specs_are_one_object() -> None:
    """A nested part equal in two specs is the same object in both, its value unchanged;
    each spec keeps a top level of its own."""
    sharer = Sharer()
    first, second = sharer.spec(_service(1)), sharer.spec(_service(1))
    assert first is not second
    assert first["networkConfiguration"] is second["networkConfiguration"]
    assert first["networkConfiguration"] == NETWORK


def test_parts_equal_in_value_but_not_in_type_stay_apart() -> None:
    """1, 1.0 and True are equal in Python but not in a spec: parts holding them are not
    shared, nor mappings whose keys come in another order."""
    sharer = Sharer()
    specs = [sharer.spec({"a": {"n": value}, "b": [value]}) for value in (1, 1.0, True)]
    assert len({id(spec["a"]) for spec in specs}) == 3
    assert len({id(spec["b"]) for spec in specs}) == 3
    assert [type(spec["a"]["n"]) for spec in specs] == [int, float, bool]
    one, other = sharer.spec({"m": {"x": 1, "y": 2}}), sharer.spec({"m": {"y": 2, "x": 1}})
    assert one["m"] is not other["m"]
    assert list(other["m"]) == ["y", "x"]


def test_a_part_shared_within_a_differing_part_is_shared_alone() -> None:
    """Two parts that differ keep their own objects, and share what they have in common."""
    sharer = Sharer()
    first = sharer.spec({"c": [{"name": "app", "ports": [80]}]})
    second = sharer.spec({"c": [{"name": "web", "ports": [80]}]})
    assert first["c"] is not second["c"]
    assert first["c"][0]["ports"] is second["c"][0]["ports"]


SERVICE = """
apiVersion: ecsync/v1
kind: Service
metadata: {{name: {name}}}
spec:
  cluster: shop
  taskDefinition: "web:1"
  desiredCount: 1
  launchType: FARGATE
  networkConfiguration: {{awsvpcConfiguration: {{subnets: [subnet-1], securityGroups: [sg-1]}}}}
"""


def test_services_loaded_into_the_cache_share_their_network_configuration(
    tmp_path: Path,
) -> None:
    """Two services of a cached load that name the same network share one copy of it, and
    load the same as without the cache."""
    (tmp_path / "web.yaml").write_text(SERVICE.format(name="web"))
    (tmp_path / "api.yaml").write_text(SERVICE.format(name="api"))
    loaded = load(tmp_path, cache=FileCache())
    api, web = loaded.resources
    assert api.spec["networkConfiguration"] is web.spec["networkConfiguration"]
    assert loaded.resources == load(tmp_path).resources
