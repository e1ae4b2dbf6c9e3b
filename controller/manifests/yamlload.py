"""Safe YAML (and JSON) parsing that keeps the position of every node.

PyYAML's constructors build whatever a tag asks for and forget where values
came from. Here PyYAML (libyaml when present) only composes the node tree, and
this module turns nodes into plain dicts, lists and scalars itself, recording
the 1-based (line, column) of each one so that errors can point at the field.

Scalars resolve by the YAML 1.2 core schema, the one JSON also fits: only
`true`/`false` are booleans (`on`, `yes` and `no` stay strings), and there are
no dates or base-60 numbers. The limits guard a long-running daemon against
hostile or accidental input: huge files, deep nesting, and alias bombs.
"""

from __future__ import annotations

import codecs
import json as jsonlib
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from controller.core.resources import SourceLocation
from controller.manifests.errors import FieldPath, ManifestError, format_path

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MiB = 1024 * 1024

Position = tuple[int, int]
"""1-based (line, column)."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what one load may read; the defaults suit any real manifest set."""

    max_file_bytes: int = 2 * MiB
    max_total_bytes: int = 64 * MiB
    """All files under the root together, and also one document after alias expansion."""
    max_documents: int = 1_000
    """Per file."""
    max_depth: int = 64
    max_nodes: int = 100_000
    """Per document, counted as aliases expand: this is what defeats alias bombs."""


class Located:
    """What locates an error in a document: its file and the position of a path in it."""

    __slots__ = ()
    file: str

    @property
    def start(self) -> Position:
        """Where the document starts."""
        raise NotImplementedError

    def position(self, path: FieldPath, *, key: bool = False) -> Position:
        raise NotImplementedError

    def error(
        self, resource: str, path: FieldPath, message: str, *, key: bool = False
    ) -> ManifestError:
        """A ManifestError located at `path` (or its nearest located parent)."""
        line, column = self.position(path, key=key)
        return ManifestError(
            SourceLocation(self.file, line, column), resource, format_path(path), message
        )


@dataclass(frozen=True, slots=True)
class Document(Located):
    """One YAML document as plain data, with the position of every node in it."""

    file: str
    data: Any
    values: Mapping[FieldPath, Position]
    """Where each value starts; `()` is the document itself."""
    keys: Mapping[FieldPath, Position]
    """Where the key of each mapping entry starts."""
    damaged: bool = False
    """Parsing reported errors inside it (a duplicate key, an unsupported tag)."""

    @property
    def start(self) -> Position:
        return self.values[()]

    def position(self, path: FieldPath, *, key: bool = False) -> Position:
        """The position of `path` (its key if asked), else of its deepest recorded parent."""
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), 0, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return self.start


Missed = list[tuple["Outline", FieldPath, bool]]
"""Paths asked of outlines that did not know them: (outline, path, at its key)."""


@dataclass(eq=False, slots=True)
class Outline(Located):
    """A document reduced to what a long-lived cache of it needs: its file, where it starts,
    and the positions of the paths that errors were located at so far (`learn`), not its
    data nor the position of every node (at 10,000 services, those took more memory than
    the resources themselves). A path it does not know is located at its start for now,
    and noted in `missed`, so that its owner can learn it from the file and ask again."""

    file: str
    origin: Position
    """Where the document starts."""
    missed: Missed = field(repr=False)
    """Shared by every outline of one owner."""
    known: dict[tuple[FieldPath, bool], Position] | None = None

    @property
    def start(self) -> Position:
        return self.origin

    def position(self, path: FieldPath, *, key: bool = False) -> Position:
        if not path:
            return self.origin
        found = self.known.get((path, key)) if self.known is not None else None
        if found is None:
            self.missed.append((self, path, key))
            return self.origin
        return found

    def learn(self, document: Document, asked: list[tuple[FieldPath, bool]]) -> None:
        """Keep where `document` (this one, parsed again) locates each of `asked`."""
        known = self.known if self.known is not None else {}
        for path, key in asked:
            known[path, key] = document.position(path, key=key)
        self.known = known


@dataclass(frozen=True)
class Parsed:
    """The documents of one file that parsed, and what went wrong in the others."""

    documents: tuple[Document, ...]
    errors: tuple[ManifestError, ...]


_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
MAP, SEQ, MERGE = _TAG + "map", _TAG + "seq", _TAG + "merge"


class _CoreSchemaLoader(_BaseLoader):
    """Resolves plain scalars by the YAML 1.2 core schema instead of YAML 1.1."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012


for _tag, _pattern, _first in (
    (NULL, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    (BOOL, r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    (INT, r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    (
        FLOAT,
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        list("-+0123456789."),
    ),
    (MERGE, r"<<", ["<"]),
):
    _CoreSchemaLoader.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), _first)


class _LimitError(Exception):
    """A limit was hit; the document is dropped."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


def _at(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns one composed document into plain data, enforcing the per-document limits."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.values: dict[FieldPath, Position] = {}
        self.keys: dict[FieldPath, Position] = {}
        self.errors: list[ManifestError] = []
        self.nodes = 0
        self.bytes = 0

    def error(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        line, column = _at(node)
        where = SourceLocation(self.file, line, column)
        self.errors.append(ManifestError(where, "", format_path(path), message))

    def tick(self, node: yaml.Node, depth: int) -> None:
        """Count one more collection or scalar, failing the document past the limits."""
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise _LimitError(
                node,
                f"document expands to more than {self.limits.max_nodes} nodes "
                "(each use of an alias counts in full); write it out without nested aliases",
            )
        if depth > self.limits.max_depth:
            raise _LimitError(
                node, f"nesting is deeper than {self.limits.max_depth} levels; flatten it"
            )

    def build(self, node: yaml.Node, path: FieldPath, depth: int) -> Any:
        self.tick(node, depth)
        self.values[path] = _at(node)
        if isinstance(node, yaml.MappingNode) and node.tag == MAP:
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode) and node.tag == SEQ:
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        self.unsupported(node, path)
        return None

    def mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                merged = self.merge(value_node, path, depth) | merged
        explicit: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE:
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            if key in explicit:
                first, _ = self.keys[(*path, key)]
                self.error(
                    key_node,
                    (*path, key),
                    f"duplicate key '{key}' (first at line {first}); keep only one",
                )
                continue
            self.keys[(*path, key)] = _at(key_node)
            explicit[key] = self.build(value_node, (*path, key), depth + 1)
        self.values[path] = _at(node)
        return merged | explicit

    def merge(self, node: yaml.Node, path: FieldPath, depth: int) -> dict[str, Any]:
        """`<<: *base` or `<<: [*a, *b]`: earlier sources win, explicit keys win over all."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        result: dict[str, Any] = {}
        for source in sources:
            if not isinstance(source, yaml.MappingNode) or source.tag != MAP:
                self.error(source, path, "'<<' merges only mappings or lists of mappings")
                continue
            self.tick(source, depth + 1)
            result = self.mapping(source, path, depth + 1) | result
        return result

    def key(self, node: yaml.Node, path: FieldPath) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == STR:
            self.count(node)
            return sys.intern(str(node.value))
        shown = node.value if isinstance(node, yaml.ScalarNode) else "a collection"
        self.error(node, path, f"mapping key {shown!s} must be a string; quote it")
        return None

    def count(self, node: yaml.ScalarNode) -> None:
        self.bytes += len(node.value)
        if self.bytes > self.limits.max_total_bytes:
            raise _LimitError(
                node,
                f"document expands to more than {self.limits.max_total_bytes} bytes; "
                "write it out without aliases that repeat large values",
            )

    def scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        self.count(node)
        text = str(node.value)
        convert = _SCALARS.get(node.tag)
        if convert is None:
            self.unsupported(node, path)
            return None
        try:
            return convert(text)
        except ValueError:
            hint = "AWS takes 64-bit integers at most" if node.tag == INT else "fix the value"
            message = f"'{text[:40]}' is not a valid {node.tag.removeprefix(_TAG)}; {hint}"
            self.error(node, path, message)
            return None

    def unsupported(self, node: yaml.Node, path: FieldPath) -> None:
        self.error(node, path, f"YAML tag '{node.tag}' is not supported; remove the tag")


def _null(text: str) -> None:
    if text not in ("~", "null", "Null", "NULL", ""):
        raise ValueError(text)


def _boolean(text: str) -> bool:
    if text not in ("true", "True", "TRUE", "false", "False", "FALSE"):
        raise ValueError(text)
    return text.lower() == "true"


def _integer(text: str) -> int:
    if text.startswith(("0o", "0x")):
        value = int(text[2:], 8 if text[1] == "o" else 16)
    else:
        value = int(text)
    if not -(2**63) <= value < 2**63:  # no AWS field takes more; AWS would refuse it at apply
        raise ValueError(text)
    return value


def _real(text: str) -> float:
    special = text.lower().lstrip("+")
    if special in (".inf", "-.inf", ".nan"):
        return float(special.replace(".", ""))
    return float(text)


_SCALARS: dict[str, Callable[[str], Any]] = {
    STR: sys.intern,  # one object for a value many documents repeat, however long they live
    NULL: _null,
    BOOL: _boolean,
    INT: _integer,
    FLOAT: _real,
}


def _decode(raw: bytes, file: str) -> tuple[str | None, ManifestError | None]:
    """UTF-8 text, or an error saying where the file stops being text."""
    wide = _wide_encoding(raw)
    if wide:
        message = f"file is encoded as {wide}; save it as UTF-8"
        return None, _file_error(file, raw, 0, message)
    if b"\0" in raw:
        return None, _file_error(
            file, raw, raw.index(b"\0"), "binary file (contains NUL bytes); manifests are text"
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, _file_error(file, raw, exc.start, "not valid UTF-8; save the file as UTF-8")


def _wide_encoding(raw: bytes) -> str | None:
    """UTF-16 or UTF-32, detected from the first bytes the way the YAML spec does (5.2).

    Without a BOM the first character is ASCII in any manifest, so its NUL
    bytes give the encoding away. Such files would otherwise be called binary.
    """
    head = raw[:4]
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or (
        len(head) == 4 and (head[:3] == b"\0\0\0" or head[1:] == b"\0\0\0")
    ):
        return "UTF-32"
    pair = head[:2]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(pair) == 2 and min(pair) == 0 and 0 < max(pair) < 0x80
    ):
        return "UTF-16"
    return None


def _json_error(text: str, file: str) -> ManifestError | None:
    """What makes `text` not JSON, though it may be YAML (comments, trailing commas).

    The composer below would accept those, and read `0x1F` or `yes` differently
    from every JSON tool. Overlong numbers and deep nesting pass here: the
    YAML pass reports them at their node.
    """
    try:
        jsonlib.loads(text)
    except jsonlib.JSONDecodeError as exc:
        message = (
            f"invalid JSON: {exc.msg}; fix the syntax (JSON has no comments or trailing commas)"
        )
        return ManifestError(SourceLocation(file, exc.lineno, exc.colno), "", "", message)
    except (ValueError, RecursionError):
        pass
    return None


def _file_error(file: str, raw: bytes, offset: int, message: str) -> ManifestError:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return ManifestError(SourceLocation(file, line, column), "", "", message)


def parse(raw: bytes, file: str, limits: Limits, *, json: bool = False) -> Parsed:
    """Every non-empty document in `raw`; `file` is only used to locate errors.

    JSON is parsed by the same composer (JSON is YAML), so it gets positions too.
    """
    text, problem = _decode(raw, file)
    if text is None:
        return Parsed((), (problem,) if problem else ())
    if json and text.strip():
        problem = _json_error(text, file)
        if problem is not None:
            return Parsed((), (problem,))
    if json:
        text = text.replace("\t", " ")  # JSON allows tab indentation, YAML does not
    documents: list[Document] = []
    errors: list[ManifestError] = []
    count = 0
    try:
        for node in yaml.compose_all(text, Loader=_CoreSchemaLoader):
            count += 1
            if count > limits.max_documents:
                line, column = _at(node)
                errors.append(
                    ManifestError(
                        SourceLocation(file, line, column),
                        "",
                        "",
                        f"more than {limits.max_documents} documents in one file; split it",
                    )
                )
                break
            builder = _Builder(file, limits)
            try:
                data = builder.build(node, (), 0)
            except _LimitError as exc:
                builder.error(exc.node, (), str(exc))
                data = None
            errors.extend(builder.errors)
            if data is not None:
                damaged = bool(builder.errors)
                documents.append(Document(file, data, builder.values, builder.keys, damaged))
    except yaml.YAMLError as exc:
        errors.append(_syntax_error(exc, file, text, "JSON" if json else "YAML"))
    except RecursionError:
        message = "nesting is too deep for the YAML parser; flatten it"  # pure-Python composer
        errors.append(ManifestError(SourceLocation(file), "", "", message))
    return Parsed(tuple(documents), tuple(errors))


def _syntax_error(exc: yaml.YAMLError, file: str, text: str, language: str) -> ManifestError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    elif isinstance(exc, yaml.reader.ReaderError):  # bad character: only an offset
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    else:
        line, column = 0, 0
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    fix = "fix the syntax"
    if line and text.split("\n", line)[line - 1][column - 1 : column] == "\t":
        fix = "indent with spaces: YAML does not allow tabs there"
    elif "nesting depth" in str(problem):  # libyaml's own limit, deeper than Limits.max_depth
        fix = f"flatten it (at most {Limits.max_depth} levels)"
    return ManifestError(
        SourceLocation(file, line, column), "", "", f"invalid {language}: {detail}; {fix}"
    )
