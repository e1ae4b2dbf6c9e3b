"""JSON pointers (RFC 6901): the paths of fields in diffs and `ecsync/ignore`."""

from __future__ import annotations

import copy
import functools
from typing import Any


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(parent: str, token: str | int) -> str:
    return f"{parent}/{escape(token)}"


def split(pointer: str) -> list[str]:
    """`/a/b~1c` -> `["a", "b/c"]`; the empty pointer is the whole document."""
    return list(_tokens(pointer))


@functools.lru_cache(maxsize=4096)
def _tokens(pointer: str) -> tuple[str, ...]:
    """`split`, remembered: a pass splits the same few pointers (the normalisers', the
    ignore annotations') for every resource."""
    if not pointer:
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/"))


def is_within(path: str, prefix: str) -> bool:
    """True when `path` is `prefix` itself or a field below it."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


_ABSENT = object()


def get(document: Any, pointer: str) -> Any:
    """The value at `pointer`, or `_ABSENT` (see `has`) when it does not exist."""
    node = document
    for token in _tokens(pointer):
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
    is how ignored fields keep their live value in what ecsync writes. Only
    the containers along the path are copied (the rest is shared with
    `target`, which is never changed); the grafted value is a deep copy.
    """
    tokens = split(pointer)
    if not tokens or not _reachable(target, tokens[:-1]):
        return dict(target)
    value = get(source, pointer)
    result = dict(target)
    node: Any = result
    for token in tokens[:-1]:
        key: Any = int(token) if isinstance(node, list) else token
        child = node[key]
        node[key] = dict(child) if isinstance(child, dict) else list(child)
        node = node[key]
    last = tokens[-1]
    if isinstance(node, dict):
        if value is _ABSENT:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    elif last.isdigit() and int(last) < len(node) and value is not _ABSENT:
        node[int(last)] = copy.deepcopy(value)
    return result


def _reachable(document: Any, tokens: list[str]) -> bool:
    """Whether every token of `tokens` leads to a container (a dict or a list)."""
    node = document
    for token in tokens:
        if isinstance(node, dict) and isinstance(node.get(token), dict | list):
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            if not isinstance(node, dict | list):
                return False
        else:
            return False
    return True
