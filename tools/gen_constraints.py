"""Generate the request constraints AWS enforces from botocore's service models.

botocore's models carry `min`, `max`, `pattern` and `enum` on shapes: the
limits AWS itself checks ("Value ... failed to satisfy constraint: Member must
satisfy regular expression pattern", "Member must have length less than or
equal to 256"). Writing them by hand would drift from the API, so this tool
walks the request shape of every operation that ecsync sends or that its
manifests stand for, keeps only the shapes that carry a constraint (or lead
to one), and writes them out as data that `controller.manifests.refusals`
checks generically. Run it again after upgrading botocore:

    .venv/bin/python tools/gen_constraints.py

It writes `controller/manifests/specs/constraints.py`, then formats it with
`ruff format`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import botocore
import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape

OUT = Path(__file__).resolve().parents[1] / "controller" / "manifests" / "specs" / "constraints.py"

OPERATIONS = (
    ("ecs", "CreateCluster"),
    ("ecs", "CreateCapacityProvider"),
    ("ecs", "RegisterTaskDefinition"),
    ("ecs", "CreateService"),
    ("ecs", "UpdateService"),
    ("ecs", "RunTask"),
    ("ecr", "CreateRepository"),
    ("ecr", "PutLifecyclePolicy"),
    ("ecr", "SetRepositoryPolicy"),
)
"""The operations whose requests are checked: the create calls of every kind and their updates."""

_PROPERTY = re.compile(r"\\p\{([A-Z])\}")
"""A Unicode general category in Java's spelling (`\\p{L}`), which Python's `re` lacks."""


def category_ranges(prefix: str) -> str:
    """The code points of a Unicode general category as a `re` character-class body."""
    ranges = _categories()[prefix]
    return "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in ranges)


@cache
def _categories() -> dict[str, list[tuple[int, int]]]:
    """Runs of code points by major general category (`L`, `N`, `Z`...), in one pass."""
    runs: dict[str, list[tuple[int, int]]] = {}
    for code in range(sys.maxunicode + 1):
        ranges = runs.setdefault(unicodedata.category(chr(code))[0], [])
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return runs


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def literal(text: str, width: int = 40) -> str:
    """`text` as a Python string literal split over lines (the pieces concatenate back)."""
    if len(text) <= width:
        return repr(text)
    chunks = [repr(text[i : i + width]) for i in range(0, len(text), width)]
    return "(\n        " + "\n        ".join(chunks) + "\n    )"


def python_pattern(pattern: str) -> str | None:
    """`pattern` in Python's `re` spelling, or None when it is the same."""
    if not _PROPERTY.search(pattern):
        return None
    translated = _PROPERTY.sub(lambda m: category_ranges(m.group(1)), pattern)
    re.compile(translated)
    return translated


@dataclass
class Collector:
    """Walks request shapes, keeping each shape that has a constraint or leads to one."""

    service: str = ""
    kept: dict[str, str] = field(default_factory=dict)
    """Shape key -> the source of its `Shape(...)` literal."""
    patterns: dict[str, str] = field(default_factory=dict)
    visiting: set[str] = field(default_factory=set)

    def key(self, shape: Shape) -> str:
        return f"{self.service}.{shape.name}"

    def walk(self, shape: Shape) -> str | None:
        """The key of `shape` if it carries a constraint somewhere, else None."""
        key = self.key(shape)
        if key in self.kept:
            return key
        if key in self.visiting:
            raise NotImplementedError(f"recursive shape {key}")
        self.visiting.add(key)
        try:
            args = self.children(shape) + self.limits(shape)
        finally:
            self.visiting.discard(key)
        if not args:
            return None
        kind = "string" if shape.type_name == "string" else shape.type_name
        self.kept[key] = f"Shape({kind!r}{''.join(', ' + a for a in args)})"
        return key

    def children(self, shape: Shape) -> list[str]:
        if isinstance(shape, StructureShape):
            members = []
            for name, member in shape.members.items():
                child = self.walk(member)
                if child is not None:
                    members.append(f"({name!r}, {child!r})")
            return [f"members=({', '.join(members)},)"] if members else []
        if isinstance(shape, ListShape):
            child = self.walk(shape.member)
            return [f"member={child!r}"] if child else []
        if isinstance(shape, MapShape):
            args = []
            for part, sub in (("key", shape.key), ("value", shape.value)):
                child = self.walk(sub)
                if child is not None:
                    args.append(f"{part}={child!r}")
            return args
        return []

    def limits(self, shape: Shape) -> list[str]:
        metadata = shape.metadata
        args = [f"{name}={metadata[name]!r}" for name in ("min", "max") if name in metadata]
        if "pattern" in metadata:
            pattern = metadata["pattern"]
            translated = python_pattern(pattern)
            if translated is None:
                re.compile(pattern)
            else:
                self.patterns[pattern] = translated
            args.append(f"pattern={pattern!r}")
        enum = getattr(shape, "enum", None)
        if enum:
            args.append(f"enum={tuple(enum)!r}")
        return args


def render() -> str:
    session = botocore.session.get_session()
    collector = Collector()
    operations = {}
    versions = {}
    for service, operation in OPERATIONS:
        model = session.get_service_model(service)
        versions[service] = model.api_version
        collector.service = service
        shape = model.operation_model(operation).input_shape
        assert shape is not None, operation
        operations[operation] = collector.walk(shape)
    api = ", ".join(f"{svc} {ver}" for svc, ver in sorted(versions.items()))
    shapes = "".join(f"    {k!r}: {v},\n" for k, v in sorted(collector.kept.items()))
    ops = "".join(f"    {k!r}: {v!r},\n" for k, v in operations.items() if v)
    patterns = "".join(f"    {k!r}: {literal(v)},\n" for k, v in sorted(collector.patterns.items()))
    return (
        '"""The request constraints AWS enforces, from botocore\'s service models.\n\n'
        f"GENERATED by tools/gen_constraints.py from botocore {botocore.__version__} ({api}).\n"
        "Do not edit by hand; regenerate with: .venv/bin/python tools/gen_constraints.py\n\n"
        "Only shapes that carry a constraint, or lead to one, are listed. `min` and\n"
        "`max` bound a string's or a list's length and a number's value; a pattern\n"
        'must match the whole value (AWS: "failed to satisfy constraint: Member must\n'
        'satisfy regular expression pattern").\n'
        '"""\n\n'
        "from dataclasses import dataclass\n\n\n"
        "@dataclass(frozen=True)\n"
        "class Shape:\n"
        '    """One botocore shape: its type, its limits, and the shapes inside it."""\n\n'
        "    type: str\n"
        "    min: int | None = None\n"
        "    max: int | None = None\n"
        "    pattern: str | None = None\n"
        '    """As botocore spells it (Java syntax); see PYTHON_PATTERNS."""\n'
        "    enum: tuple[str, ...] = ()\n"
        "    members: tuple[tuple[str, str], ...] = ()\n"
        "    member: str | None = None\n"
        "    key: str | None = None\n"
        "    value: str | None = None\n\n\n"
        f"SHAPES: dict[str, Shape] = {{\n{shapes}}}\n\n"
        f"OPERATIONS: dict[str, str] = {{\n{ops}}}\n"
        '"""Operation name -> the key of its request shape in SHAPES."""\n\n'
        f"PYTHON_PATTERNS: dict[str, str] = {{\n{patterns}}}\n"
        '"""Patterns that use Java\'s Unicode categories, spelled for Python\'s `re`."""\n'
    )


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "format", "--quiet", str(OUT)], check=True)  # noqa: S603
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
