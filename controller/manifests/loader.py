"""Loading a manifest directory into validated `Desired` resources.

Loading never stops at the first problem: a user fixing manifests wants every
mistake in one run, and the daemon must know whether *any* document failed
(nothing is pruned then). A document becomes a `Desired` only when it has no
error at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from controller.core.kinds import Kind, ResourceId
from controller.core.resources import Desired, SourceLocation
from controller.manifests import (
    envelope,
    files,
    hooks,
    parity,
    plaintext,
    references,
    scaled,
    shared,
    validation,
    yamlload,
)
from controller.manifests.errors import FieldPath, ManifestError
from controller.manifests.references import Entry
from controller.manifests.yamlload import Document, Limits, Missed, Outline, Position

__all__ = ["DEFAULT_LIMITS", "FileCache", "Limits", "LoadResult", "load"]

DEFAULT_LIMITS = Limits()
_SCALING = frozenset({Kind.SCALABLE_TARGET, Kind.SCALING_POLICY})


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


@dataclass(frozen=True, slots=True)
class _File:
    """What one file yielded: its parse errors, and per document its identity, resource
    and errors."""

    errors: tuple[ManifestError, ...]
    documents: tuple[tuple[Entry | None, Desired | None, Sequence[ManifestError]], ...]
    warnings: tuple[ManifestError, ...] = ()
    """Warnings about one document on its own (plain-text credentials), located exactly
    when the file was parsed: a cached file keeps them, and they are not worked out again
    on every load."""


class _Cached(NamedTuple):
    digest: bytes
    """Of the file's bytes."""
    kept: _File
    stamp: files.Stamp | None
    """The file's stamp, taken before its bytes were read."""
    stamped_at: int
    """When the stamp was taken (wall clock, ns)."""


class FileCache:
    """Each manifest file's documents as last loaded, by file name and content.

    The daemon loads every snapshot whole; with a cache, a file that did not
    change is neither parsed nor validated again, and not even read when its
    stamp (device, inode, size, modification and change times) is the one it
    had when it was last read. The change time is set by the kernel on every
    write and cannot be set back, but it ticks coarsely: a stamp is trusted
    only once the file's last change lies `settle` seconds before the stamp
    was taken (the "racy" files of git's index), else the bytes are read and
    compared by digest. A one-file edit in a fleet of 10,000 services so looks
    at every file but reads and parses one. Cached documents are kept as
    outlines (`yamlload.Outline`): where they start, not their data nor the
    position of every field (that would hold every document's position map in
    memory). When the checks across documents report a problem at a path an
    outline does not know, `learn` reads that document's file again once and
    keeps where the path is, and the checks run again: every problem is located
    exactly, and a problem that stays (a service in a cluster outside the
    manifests) costs no read on the next load. A valid document's spec is kept
    once: the checks across documents read the validated spec when it is the
    spec as written (same values, same types), rather than a second copy.
    """

    def __init__(self, settle: float = 2.0) -> None:
        self._files: dict[str, _Cached] = {}
        self._settle_ns = int(settle * 1e9)
        self.pairs = references.Pairs()
        """What the checks of cached documents against their task definitions found."""
        self.missed: Missed = []
        """Paths the checks asked of cached documents that did not know them."""
        self._sharer = shared.Sharer()
        """Gives the documents read by one load the parts of their specs they repeat."""

    def unchanged(self, name: str, stamp: files.Stamp | None, at: int) -> tuple[_File, int] | None:
        """What `name` yielded and its size, when its `stamp` (taken at `at`) says it was
        not written since it was read; None when its bytes must be read."""
        found = self._files.get(name)
        if stamp is None or found is None or found.stamp != stamp:
            return None
        if stamp[4] + self._settle_ns > found.stamped_at:
            self._files[name] = found._replace(stamped_at=at)  # trusted once it has settled
            return None
        return found.kept, stamp[2]

    def get(
        self, name: str, data: bytes, stamp: files.Stamp | None = None, at: int = 0
    ) -> _File | None:
        """What `name` yielded when its bytes were `data` (its stamp, taken at `at`, is kept
        for the next load)."""
        found = self._files.get(name)
        if found is None or found.digest != _digest(data):
            return None
        self._files[name] = found._replace(stamp=stamp, stamped_at=at)
        return found.kept

    def put(
        self, name: str, data: bytes, loaded: _File, stamp: files.Stamp | None = None, at: int = 0
    ) -> _File:
        """Keep what `name` yielded; returns the kept (stripped) version."""
        kept = _stripped(loaded, self.missed, self._sharer)
        self._files[name] = _Cached(_digest(data), kept, stamp, at)
        return kept

    def retain(self, names: set[str]) -> None:
        """Forget the files not among `names` (deleted or renamed); the end of a load's
        reading."""
        for name in set(self._files) - names:
            del self._files[name]
        self._sharer = shared.Sharer()  # the parts it gave are held by the documents

    def learn(self, found: Sequence[files.ManifestFile], limits: Limits) -> bool:
        """Teach each outline in `missed` where the paths asked of it are, from its file
        (among `found`) parsed again; False when a file is not as cached any more (it
        changed since it was read: the caller loads again without the cache)."""
        asked: dict[str, dict[Position, list[tuple[FieldPath, bool]]]] = {}
        outlines: dict[tuple[str, Position], Outline] = {}
        for outline, path, key in self.missed:
            asked.setdefault(outline.file, {}).setdefault(outline.start, []).append((path, key))
            outlines[outline.file, outline.start] = outline
        self.missed.clear()
        by_name = {file.name: file for file in found if file.name in asked}
        for name, wanted in asked.items():
            cached, file = self._files.get(name), by_name.get(name)
            data = files.read(file, limits.max_file_bytes)[0] if file is not None else None
            if cached is None or data is None or _digest(data) != cached.digest:
                return False
            parsed = yamlload.parse(data, name, limits, json=file is not None and file.json)
            documents = {document.start: document for document in parsed.documents}
            for start, paths in wanted.items():
                if start not in documents:
                    return False
                outlines[name, start].learn(documents[start], paths)
        return True


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
    kinds: set[Kind] = set()
    total = read = documents = 0
    at = time.time_ns()  # before any file is looked at: no later than any stamp taken below
    for file in found.files:
        stamp = files.stamp(file) if cache is not None else None
        known = cache.unchanged(file.name, stamp, at) if cache is not None else None
        data: bytes | None = None
        if known is None:
            data, problem = files.read(file, limits.max_file_bytes)
            if problem is not None:
                errors.append(problem)
            if data is None:
                continue
        total += known[1] if known is not None else len(data or b"")
        if total > limits.max_total_bytes:
            message = (
                f"manifests exceed {limits.max_total_bytes} bytes in total; "
                "stopped reading here (this file and the ones after it)"
            )
            errors.append(ManifestError(SourceLocation(file.name), "", "", message))
            break
        read += 1
        loaded = (
            known[0]
            if known is not None
            else _yielded(file, data or b"", limits, cache, stamp=stamp, at=at)
        )
        errors.extend(loaded.errors)
        warnings.extend(loaded.warnings)
        documents += len(loaded.documents)
        for entry, desired, problems in loaded.documents:
            errors.extend(problems)
            if entry is not None:
                entries.append(entry)
                kinds.add(entry.id.kind)
            if desired is not None:
                resources.append(desired)
    if cache is not None:
        cache.retain({file.name for file in found.files})
    if not documents and not errors:  # refused: a wrong path must not prune everything
        errors.append(ManifestError(SourceLocation(str(root)), "", "", _NOTHING.format(root)))
    across = _across(entries, kinds, cache, found.files, limits)
    if across is None:
        return load(root, limits)  # a file changed while it was loaded
    cross_errors, cross_warnings = across
    return LoadResult(
        resources=tuple(
            scaled.mark_scaled_services(resources) if Kind.SCALABLE_TARGET in kinds else resources
        ),
        errors=_in_file_order(errors + cross_errors),
        warnings=_in_file_order(warnings + cross_warnings),
        files=read,
    )


def _across(
    entries: list[Entry],
    kinds: set[Kind],
    cache: FileCache | None,
    found: Sequence[files.ManifestFile],
    limits: Limits,
) -> tuple[list[ManifestError], list[ManifestError]] | None:
    """Errors and warnings about how the documents fit together, each located exactly;
    None when a cached file changed while it was loaded, so that it cannot be."""
    problems = _checked(entries, kinds, cache)
    if cache is None or not cache.missed:
        return problems
    learnt = cache.learn(found, limits)  # some are located at a document's start: learn where
    problems = _checked(entries, kinds, cache) if learnt else problems
    if not learnt or cache.missed:  # the second can't be: the same checks ask the same paths
        cache.missed.clear()
        return None
    return problems


def _checked(
    entries: list[Entry], kinds: set[Kind], cache: FileCache | None
) -> tuple[list[ManifestError], list[ManifestError]]:
    cross_errors, cross_warnings = references.check(entries, cache.pairs if cache else None)
    # The checks of kinds that are not declared would find nothing: they are not run.
    cross_warnings += scaled.check(entries) if kinds & _SCALING else []
    hook_errors, hook_warnings = hooks.check(entries) if Kind.TASK in kinds else ([], [])
    return cross_errors + hook_errors, cross_warnings + hook_warnings


def _yielded(
    file: files.ManifestFile,
    data: bytes,
    limits: Limits,
    cache: FileCache | None,
    *,
    stamp: files.Stamp | None,
    at: int,
) -> _File:
    """What the bytes `data` of `file` yield: from `cache` when it holds them, else parsed
    and validated (and then kept in `cache`, with the file's stamp taken at `at`)."""
    loaded = cache.get(file.name, data, stamp, at) if cache is not None else None
    if loaded is not None:
        return loaded
    parsed = yamlload.parse(data, file.name, limits, json=file.json)
    yielded = tuple(_document(d) for d in parsed.documents)
    named = [entry for entry, _, _ in yielded if entry is not None]
    loaded = _File(parsed.errors, yielded, tuple(plaintext.check(named)))
    return cache.put(file.name, data, loaded, stamp, at) if cache is not None else loaded


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _stripped(loaded: _File, missed: Missed, sharer: shared.Sharer) -> _File:
    """`loaded`, its documents as outlines (noting in `missed` the paths asked of them that
    they do not know), a valid document's spec only once (see `FileCache`), with the parts
    that other documents repeat shared with them (`sharer`)."""
    documents = []
    for entry, desired, problems in loaded.documents:
        kept = entry
        if desired is not None:
            sharer.spec(desired.spec)
        if entry is not None:
            outline = Outline(entry.document.file, entry.document.start, missed)
            same = desired is not None and _same(desired.spec, entry.spec)
            spec = desired.spec if desired is not None and same else entry.spec
            kept = dataclasses.replace(entry, spec=spec, document=outline)
        documents.append((kept, desired, tuple(problems)))
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
    entry = Entry(ResourceId(header.kind, header.name, cluster), raw, document, header.annotations)
    if errors or spec is None or document.damaged:
        return entry, None, errors
    line, column = document.start
    source = SourceLocation(document.file, line, column)
    return entry, Desired(entry.id, spec, header.annotations, source), errors
