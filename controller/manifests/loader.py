"""Loading a manifest directory into validated `Desired` resources.

Loading never stops at the first problem: a user fixing manifests wants every
mistake in one run, and the daemon must know whether *any* document failed
(nothing is pruned then). A document becomes a `Desired` only when it has no
error at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from controller.core.kinds import ResourceId
from controller.core.resources import Desired, SourceLocation
from controller.manifests import (
    envelope,
    files,
    hooks,
    parity,
    plaintext,
    references,
    scaled,
    validation,
    yamlload,
)
from controller.manifests.errors import FieldPath, ManifestError
from controller.manifests.references import Entry
from controller.manifests.yamlload import Document, Limits, Position

__all__ = ["DEFAULT_LIMITS", "FileCache", "Limits", "LoadResult", "load"]

DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class LoadResult:
    """Everything one load found: resources, and every error and warning."""

    resources: tuple[Desired, ...]
    errors: tuple[ManifestError, ...]
    warnings: tuple[ManifestError, ...]
    files: int
    """Manifest files read."""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _File:
    """What one file yielded: its parse errors, and per document its identity, resource
    and errors."""

    errors: tuple[ManifestError, ...]
    documents: tuple[tuple[Entry | None, Desired | None, list[ManifestError]], ...]
    warnings: tuple[ManifestError, ...] = ()
    """Warnings about one document on its own (plain-text credentials), located exactly
    when the file was parsed: a cached file keeps them, and they are not worked out again
    on every load."""


class FileCache:
    """Each manifest file's documents as last loaded, by file name and content.

    The daemon loads every snapshot whole; with a cache, a file whose bytes did
    not change is neither parsed nor validated again, so a one-file edit in a
    fleet of 10,000 services reads every file but parses one. Cached documents
    keep only where they start, not the position of every field (that would
    hold every document's position map in memory): when the checks across
    documents find anything to report, the load is done again without the
    cache, so that each problem is located exactly. A valid document's spec is
    kept once: the checks across documents read the validated spec when it is
    the spec as written (same values, same types), rather than a second copy.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, _File]] = {}
        """File name -> (digest of its bytes, what it yielded)."""

    def get(self, name: str, data: bytes) -> _File | None:
        found = self._files.get(name)
        return found[1] if found is not None and found[0] == _digest(data) else None

    def put(self, name: str, data: bytes, loaded: _File) -> _File:
        """Keep what `name` yielded; returns the kept (stripped) version."""
        kept = _stripped(loaded)
        self._files[name] = (_digest(data), kept)
        return kept

    def retain(self, names: set[str]) -> None:
        """Forget the files not among `names` (deleted or renamed)."""
        for name in set(self._files) - names:
            del self._files[name]


def load(
    root: Path, limits: Limits = DEFAULT_LIMITS, *, cache: FileCache | None = None
) -> LoadResult:
    """Every manifest under `root` (a directory or one file), validated and cross-checked;
    with `cache`, unchanged files are taken from it (see `FileCache`)."""
    found = files.find(root)
    errors = list(found.errors)
    resources: list[Desired] = []
    warnings: list[ManifestError] = []
    entries: list[Entry] = []
    total = read = documents = 0
    for file in found.files:
        data, problem = files.read(file, limits.max_file_bytes)
        if problem is not None:
            errors.append(problem)
        if data is None:
            continue
        total += len(data)
        if total > limits.max_total_bytes:
            message = (
                f"manifests exceed {limits.max_total_bytes} bytes in total; "
                "stopped reading here (this file and the ones after it)"
            )
            errors.append(ManifestError(SourceLocation(file.name), "", "", message))
            break
        read += 1
        loaded = cache.get(file.name, data) if cache is not None else None
        if loaded is None:
            parsed = yamlload.parse(data, file.name, limits, json=file.json)
            yielded = tuple(_document(d) for d in parsed.documents)
            named = [entry for entry, _, _ in yielded if entry is not None]
            loaded = _File(parsed.errors, yielded, tuple(plaintext.check(named)))
            if cache is not None:
                loaded = cache.put(file.name, data, loaded)
        errors.extend(loaded.errors)
        warnings.extend(loaded.warnings)
        documents += len(loaded.documents)
        for entry, desired, problems in loaded.documents:
            errors.extend(problems)
            if entry is not None:
                entries.append(entry)
            if desired is not None:
                resources.append(desired)
    if cache is not None:
        cache.retain({file.name for file in found.files})
    if not documents and not errors:  # refused: a wrong path must not prune everything
        errors.append(ManifestError(SourceLocation(str(root)), "", "", _NOTHING.format(root)))
    cross_errors, cross_warnings = references.check(entries)
    cross_warnings += scaled.check(entries)
    hook_errors, hook_warnings = hooks.check(entries)
    cross_errors += hook_errors
    cross_warnings += hook_warnings
    if cache is not None and (cross_errors or cross_warnings):
        return load(root, limits)  # cached documents cannot locate a problem exactly
    return LoadResult(
        resources=tuple(scaled.mark_scaled_services(resources)),
        errors=_in_file_order(errors + cross_errors),
        warnings=_in_file_order(warnings + cross_warnings),
        files=read,
    )


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _stripped(loaded: _File) -> _File:
    """`loaded`, its documents keeping only where they start, and a valid document's spec
    only once (see `FileCache`)."""
    documents = []
    for entry, desired, problems in loaded.documents:
        kept = entry
        if entry is not None:
            start: dict[FieldPath, Position] = {(): entry.document.start}
            document = dataclasses.replace(entry.document, values=start, keys={})
            if desired is not None and _same(desired.spec, entry.spec):
                data = {**entry.document.data, "spec": desired.spec}
                document = dataclasses.replace(document, data=data)
                kept = dataclasses.replace(entry, spec=desired.spec, document=document)
            else:
                kept = dataclasses.replace(entry, document=document)
        documents.append((kept, desired, problems))
    return _File(loaded.errors, tuple(documents), loaded.warnings)


def _same(a: object, b: object) -> bool:
    """Equal, with the same types throughout (`1 == 1.0 == True` would not do)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(_same(value, b[key]) for key, value in a.items())
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


def _in_file_order(problems: list[ManifestError]) -> tuple[ManifestError, ...]:
    """Sorted by file, line and column (stable), the order a user reads them in."""
    return tuple(
        sorted(problems, key=lambda p: (p.location.file, p.location.line, p.location.column))
    )


_NOTHING = (
    "no manifests found under {}; check the path, or add *.yaml, *.yml or *.json files "
    "(an empty source is refused, so that a wrong path never prunes everything)"
)


def _document(document: Document) -> tuple[Entry | None, Desired | None, list[ManifestError]]:
    """One document's identity (for cross-checks), its resource if it is valid, and its errors."""
    if not isinstance(document.data, dict):
        message = "a document must be a mapping with apiVersion, kind, metadata and spec"
        if isinstance(document.data, list):
            message += "; to put several in one file, separate them with '---' lines"
        return None, None, [document.error("", (), message)]
    header, errors = envelope.read(document)
    if header.kind is None:
        return None, None, errors
    spec, problems = validation.validate(header.kind, document, header.resource)
    errors += problems
    if header.name is None:
        return None, None, errors
    if spec is not None:  # what AWS would refuse, once the spec fits the request model
        errors += parity.errors(header.kind, header.name, spec, document, header.resource)
    raw = document.data.get("spec")
    raw = raw if isinstance(raw, dict) else {}
    cluster = references.cluster_name(raw.get("cluster")) if header.kind.cluster_scoped else ""
    entry = Entry(ResourceId(header.kind, header.name, cluster), raw, document)
    if errors or spec is None or document.damaged:
        return entry, None, errors
    line, column = document.start
    source = SourceLocation(document.file, line, column)
    return entry, Desired(entry.id, spec, header.annotations, source), errors
