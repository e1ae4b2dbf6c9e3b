"""A live resource whose spec is made when first read behaves as any other live resource."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import DeferredLive, Live

FAMILY = ResourceId(Kind.TASK_DEFINITION, "web")


def deferred(made: list[int]) -> DeferredLive:
    def make() -> dict[str, Any]:
        made.append(1)
        return {"cpu": "256", "tags": {"team": "web"}}

    return DeferredLive(FAMILY, "arn:web:3", owner="ecsync", status={"revision": 3}, make=make)


def test_the_spec_is_made_once_on_first_read() -> None:
    """Nothing is made until the spec is read; then it is made once and kept."""
    made: list[int] = []
    live = deferred(made)

    assert (live.id, live.arn, live.owner, live.status) == (
        FAMILY,
        "arn:web:3",
        "ecsync",
        {"revision": 3},
    )
    assert made == []
    first = live.spec
    assert first == {"cpu": "256", "tags": {"team": "web"}}
    assert live.spec is first
    assert made == [1]


def test_it_equals_a_live_resource_with_the_same_values_and_replaces_as_one() -> None:
    """Equality, `dataclasses.replace` and immutability are a `Live`'s."""
    live = deferred([])
    plain = Live(
        FAMILY, "arn:web:3", {"cpu": "256", "tags": {"team": "web"}}, "ecsync", {"revision": 3}
    )

    assert live == plain
    assert plain == live
    assert live != dataclasses.replace(plain, owner="someone")
    moved = dataclasses.replace(live, status={"revision": 4})
    assert moved.spec == plain.spec
    assert moved.status == {"revision": 4}
    with pytest.raises(dataclasses.FrozenInstanceError):
        live.owner = "someone"  # type: ignore[misc]


def test_it_takes_a_spec_or_a_way_to_make_one() -> None:
    """Given both or neither, it refuses to be built."""
    with pytest.raises(TypeError):
        DeferredLive(FAMILY, "arn")
    with pytest.raises(TypeError):
        DeferredLive(FAMILY, "arn", {}, make=dict)
