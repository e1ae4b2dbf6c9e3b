"""Normalisation helpers shared by the per-kind normalisers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from controller.diff import pointer

SYSTEM_TAG_PREFIX = "ecsync:"
"""Tags ecsync writes for itself (ownership, content hash, prune protection).
They are compared separately from the user's own tags."""


def is_empty(value: Any) -> bool:
    return value is None or value in ([], {})


def drop_empty(value: Any) -> Any:
    """Recursively drop None, empty lists and empty mappings from mappings.

    ECS returns `environment: []`, `volumesFrom: []` or `host: {}` for things
    a manifest simply leaves out; they mean the same.
    """
    if isinstance(value, dict):
        cleaned = {k: drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if not is_empty(v)}
    if isinstance(value, list):
        return [drop_empty(v) for v in value]
    return value


def with_defaults(value: Any, defaults: dict[str, Any]) -> Any:
    """Fill in the fields AWS fills in when they are missing (mapping values only)."""
    if not isinstance(value, dict):
        return value
    return {**defaults, **{k: v for k, v in value.items() if v is not None}}


def sorted_by(items: Any, key: Callable[[Any], Any]) -> Any:
    """Sort a list ECS does not keep in order; anything else passes through."""
    if not isinstance(items, list):
        return items
    return sorted(items, key=lambda item: repr(key(item)))


def canonical(item: Any) -> str:
    """A sort key for list items that does not depend on the order their keys were
    written in (a manifest and an AWS answer may spell a mapping in any key order)."""
    return json.dumps(item, sort_keys=True, default=str)


def field_of(name: str) -> Callable[[Any], Any]:
    return lambda item: item.get(name) if isinstance(item, dict) else item


def arn_tail(value: Any, marker: str) -> Any:
    """`arn:...:cluster/prod` -> `prod`: references compare by name, not ARN."""
    if isinstance(value, str) and value.startswith("arn:") and marker in value:
        return value.rsplit(marker, 1)[1]
    return value


def role_name(value: Any) -> Any:
    """IAM roles may be given by name or ARN; compare by the name after `role/`."""
    if isinstance(value, str) and value.startswith("arn:") and ":role/" in value:
        return value.rsplit("/", 1)[1]
    return value


def user_tags(tags: Any) -> dict[str, str]:
    """The user's tags, without ecsync's system tags or AWS's reserved ones."""
    if not isinstance(tags, dict):
        return {}
    return {
        str(k): str(v)
        for k, v in tags.items()
        if not str(k).startswith(SYSTEM_TAG_PREFIX) and not str(k).startswith("aws:")
    }


def strategy(items: Any) -> Any:
    """Capacity provider strategies: order-free, with base and weight defaulting to 0."""
    if not isinstance(items, list):
        return items
    filled = [with_defaults(item, {"base": 0, "weight": 0}) for item in items]
    return sorted_by(filled, field_of("capacityProvider"))


def base(spec: dict[str, Any]) -> dict[str, Any]:
    """The normalisation every kind starts with: a copy without empties, user tags only."""
    result = drop_empty(dict(spec))
    if "tags" in spec:
        result["tags"] = user_tags(spec.get("tags"))
    return dict(result)


def is_arn(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("arn:")


def arns_as_names(
    desired: dict[str, Any],
    live: dict[str, Any],
    paths: Iterable[str],
    names: Mapping[str, str],
) -> dict[str, Any]:
    """`live` with the ARN at each of `paths` replaced by its name from `names` (ARN ->
    name), wherever `desired` holds a name there: AWS takes a name and reports the ARN.

    Where `desired` holds an ARN, or the ARN is unknown, `live` keeps the ARN, so a
    real change still shows. `live` is not modified.
    """
    result = live
    for path in paths:
        wanted, found = pointer.get(desired, path), pointer.get(live, path)
        if isinstance(wanted, str) and not is_arn(wanted) and isinstance(found, str):
            name = names.get(found)
            if name is not None:
                result = pointer.graft(result, _at(path, name), path)
    return result


def _at(path: str, value: Any) -> dict[str, Any]:
    """A document holding only `value` at `path` (a path through mappings)."""
    document: Any = value
    for token in reversed(pointer.split(path)):
        document = {token: document}
    return dict(document)


ANY_INDEX = "*"


def concrete_paths(document: Any, path: str) -> list[str]:
    """`path` with each `*` token (any list index) expanded over the indices that
    `document` has there; a path without `*` is returned as it is."""
    found = [""]
    for part in pointer.split(path):
        if part != ANY_INDEX:
            found = [pointer.join(prefix, part) for prefix in found]
            continue
        found = [
            pointer.join(prefix, index)
            for prefix in found
            for items in [pointer.get(document, prefix)]
            if isinstance(items, list)
            for index in range(len(items))
        ]
    return found
