"""Loading a manifest directory into validated `Desired` resources.

Loading never stops at the first problem: a user fixing manifests wants every
mistake in one run, and the daemon must know whether *any* document failed
(nothing is pruned then). A document becomes a `Desired` only when it has no
error at all.
"""

from __future__ import annotations

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
from controller.manifests.errors import ManifestError
from controller.manifests.references import Entry
from controller.manifests.yamlload import Document, Limits

__all__ = ["DEFAULT_LIMITS", "Limits", "LoadResult", "load"]

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


def load(root: Path, limits: Limits = DEFAULT_LIMITS) -> LoadResult:
    """Every manifest under `root` (a directory or one file), validated and cross-checked."""
    found = files.find(root)
    errors = list(found.errors)
    resources: list[Desired] = []
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
        parsed = yamlload.parse(data, file.name, limits, json=file.json)
        errors.extend(parsed.errors)
        documents += len(parsed.documents)
        for document in parsed.documents:
            entry, desired, problems = _document(document)
            errors.extend(problems)
            if entry is not None:
                entries.append(entry)
            if desired is not None:
                resources.append(desired)
    if not documents and not errors:  # refused: a wrong path must not prune everything
        errors.append(ManifestError(SourceLocation(str(root)), "", "", _NOTHING.format(root)))
    cross_errors, cross_warnings = references.check(entries)
    cross_warnings += plaintext.check(entries)
    cross_warnings += scaled.check(entries)
    hook_errors, hook_warnings = hooks.check(entries)
    cross_errors += hook_errors
    cross_warnings += hook_warnings
    return LoadResult(
        resources=tuple(scaled.mark_scaled_services(resources)),
        errors=_in_file_order(errors + cross_errors),
        warnings=_in_file_order(cross_warnings),
        files=read,
    )


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
