"""JSON pointers (RFC 6901): the paths of fields in diffs and `ecsync/ignore`."""

from __future__ import annotations

import copy
from typing import Any


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(parent: str, token: str | int) -> str:
    return f"{parent}/{escape(token)}"


def split(pointer: str) -> list[str]:
    """`/a/b~1c` -> `["a", "b/c"]`; the empty pointer is the whole document."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def is_within(path: str, prefix: str) -> bool:
    """True when `path` is `prefix` itself or a field below it."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


_ABSENT = object()


def get(document: Any, pointer: str) -> Any:
    """The value at `pointer`, or `_ABSENT` (see `has`) when it does not exist."""
    node = document
    for token in split(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _ABSENT
    return node


def has(document: Any, pointer: str) -> bool:
    return get(document, pointer) is not _ABSENT


def graft(target: dict[str, Any], source: dict[str, Any], pointer: str) -> dict[str, Any]:
    """Copy of `target` whose value at `pointer` is taken from `source`.

    When `source` has nothing there, the field is removed from the copy. This
    is how ignored fields keep their live value in what ecsync writes.
    """
    tokens = split(pointer)
    result = copy.deepcopy(target)
    if not tokens:
        return result
    node: Any = result
    for token in tokens[:-1]:
        if isinstance(node, dict) and isinstance(node.get(token), dict | list):
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return result
    last = tokens[-1]
    value = get(source, pointer)
    if isinstance(node, dict):
        if value is _ABSENT:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    elif (
        isinstance(node, list) and last.isdigit() and int(last) < len(node) and value is not _ABSENT
    ):
        node[int(last)] = copy.deepcopy(value)
    return result
