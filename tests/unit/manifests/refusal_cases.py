"""The refusal cases of tests/fixtures/refusals, as data other tests can send anywhere.

Each `<rule>.yaml` holds manifests with one mistake that AWS refuses; the last
document of the file is the one whose request AWS refuses, and `cases.toml`
says where `ecsync validate` reports it. `Case.requests()` gives every request
applying the file would send (through `refusals.request_for`), in document
order, so that a test of the local stand-in can send them and expect the last
one refused.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controller.core.kinds import Kind
from controller.manifests import refusals, yamlload
from controller.manifests.errors import FieldPath
from controller.manifests.loader import DEFAULT_LIMITS

FOLDER = Path(__file__).resolve().parents[2] / "fixtures" / "refusals"
_PART = re.compile(r'\.?([A-Za-z0-9_-]+)|\[(\d+)\]|\["([^"]*)"\]')


@dataclass(frozen=True)
class Case:
    rule: str
    resource: str
    """`Kind/name` as validate reports it; "" when the name itself is refused."""
    path: str
    """As validate reports it, e.g. `spec.containerDefinitions[0].image`."""

    @property
    def file(self) -> Path:
        return FOLDER / f"{self.rule}.yaml"

    def field_path(self) -> FieldPath:
        """`path` as a tuple: `("spec", "containerDefinitions", 0, "image")`."""
        parts: list[str | int] = []
        for name, index, quoted in _PART.findall(self.path):
            parts.append(int(index) if index else name or quoted)
        return tuple(parts)

    def documents(self) -> tuple[yamlload.Document, ...]:
        parsed = yamlload.parse(self.file.read_bytes(), self.file.name, DEFAULT_LIMITS)
        assert not parsed.errors, parsed.errors
        return parsed.documents

    def line(self) -> int:
        """The line of `path` in the refused (last) document."""
        return self.documents()[-1].position(self.field_path())[0]

    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        """Every request applying the file sends, in document order; the refused one is last."""
        sent = []
        for document in self.documents():
            data = document.data
            kind = Kind(data["kind"])
            sent += refusals.requests_for(kind, data["metadata"]["name"], data.get("spec") or {})
        return sent

    def task_definition(self) -> dict[str, Any] | None:
        """The RegisterTaskDefinition request in the file before the refused one, if any."""
        for operation, request in self.requests()[:-1]:
            if operation == "RegisterTaskDefinition":
                return request
        return None


def cases() -> list[Case]:
    """Every case, by rule id."""
    table = tomllib.loads((FOLDER / "cases.toml").read_text(encoding="utf-8"))
    return [Case(rule, entry["resource"], entry["path"]) for rule, entry in sorted(table.items())]
