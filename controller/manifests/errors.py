"""The one error type of manifest loading, located so that a user can jump to the fix."""

from __future__ import annotations

from dataclasses import dataclass

from controller.core.resources import SourceLocation

FieldPath = tuple[str | int, ...]
"""A path into a document, e.g. `("spec", "containerDefinitions", 0, "image")`."""


@dataclass(frozen=True)
class ManifestError:
    """One problem in the manifests (also used for warnings).

    `location.file` is relative to the manifest root where possible; `line` and
    `column` are 1-based, or 0 when the problem concerns the whole file.
    """

    location: SourceLocation
    resource: str
    """`Kind/name` when the document got that far, else ""."""
    path: str
    """The field path, like `spec.containerDefinitions[0].portMappings`, or ""."""
    message: str
    """What is wrong and what to do about it."""

    def __str__(self) -> str:
        where = self.location.file
        if self.location.line:
            where = f"{where}:{self.location.line}:{self.location.column}"
        return ": ".join(part for part in (where, self.resource, self.path, self.message) if part)


def format_path(path: FieldPath) -> str:
    """`("spec", "containers", 0, "a/b")` -> `spec.containers[0]["a/b"]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part and all(c.isalnum() or c in "_-" for c in part):
            text += f".{part}" if text else part
        else:
            text += f'["{part}"]'
    return text
