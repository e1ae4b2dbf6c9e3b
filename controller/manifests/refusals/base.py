"""What a refusal is, the registry of rules, and small readers for untrusted request data.

A rule is a function of one request (or of a request and the task definition
it runs) that yields `(path, message)` for each thing AWS would refuse. Rules
register themselves with the operations they apply to, so `check` finds them
and the tests can list them. Requests come from manifests or from any client
of the local stand-in, so the readers here never assume a type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
Found = Iterator[tuple[Path, str]]
Single = Callable[[Mapping[str, Any]], Found]
Cross = Callable[[Mapping[str, Any], Mapping[str, Any]], Found]


@dataclass(frozen=True)
class Refusal:
    """One thing AWS would refuse in a request."""

    path: tuple[str | int, ...]
    """Where in the request, e.g. `("containerDefinitions", 0, "image")`; `()` is the whole."""
    rule: str
    """The rule's id, e.g. `container-image-required`."""
    message: str
    """The AWS rule in plain words, and what to do."""


@dataclass(frozen=True)
class Rule:
    id: str
    operations: frozenset[str]
    single: Single | None = None
    cross: Cross | None = None
    """Checks a request against the RegisterTaskDefinition request of the task it runs."""


RULES: dict[str, Rule] = {}
"""Every hand-written rule by id, in registration order."""


def rule(id: str, *operations: str) -> Callable[[Single], Single]:
    """Registers a rule on one request of the given operations."""

    def register(function: Single) -> Single:
        _add(Rule(id, frozenset(operations), single=function))
        return function

    return register


def cross_rule(id: str, *operations: str) -> Callable[[Cross], Cross]:
    """Registers a rule on a request and the task definition it names."""

    def register(function: Cross) -> Cross:
        _add(Rule(id, frozenset(operations), cross=function))
        return function

    return register


def _add(new: Rule) -> None:
    if new.id in RULES:
        raise ValueError(f"rule {new.id} is registered twice")
    RULES[new.id] = new


def entries(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """`(index, item)` for each mapping in a list; anything else yields nothing."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                yield index, item


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def number(value: Any) -> int | None:
    """An integer (not a boolean), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
