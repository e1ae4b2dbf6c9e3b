"""Finding and reading manifest files under a root, without escaping it.

The daemon reads a Git checkout that someone else controls, so a symlink in
it must not make ecsync read files outside the checkout (keys, /proc). Every
symlink is resolved, and only targets inside the root's real path are read.
Directories are walked with an explicit stack and visited once by real path,
which also ends symlink loops. Order is sorted, so loads are deterministic.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from controller.core.resources import SourceLocation
from controller.manifests.errors import ManifestError

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class ManifestFile:
    """One file to read: `name` is what errors show, `real` is what gets opened (a string:
    the daemon lists every file on every load, and a `Path` per file cost a fifth of a
    one-file edit's load at 10,000 services)."""

    name: str
    real: str

    @property
    def json(self) -> bool:
        return self.name.endswith(".json")


@dataclass(frozen=True)
class Found:
    files: tuple[ManifestFile, ...]
    errors: tuple[ManifestError, ...]


def _error(name: str, message: str) -> ManifestError:
    return ManifestError(SourceLocation(name), "", "", message)


def is_manifest(name: str) -> bool:
    return name.endswith(SUFFIXES) and not name.startswith(".")


def find(root: Path) -> Found:
    """Every manifest file under `root` (a directory, or one file), in sorted order."""
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return Found((), (_error(str(root), "manifest root does not exist; check the path"),))
    if real_root.is_file():
        return Found((ManifestFile(str(root), str(real_root)),), ())
    if not real_root.is_dir():
        return Found((), (_error(str(root), "manifest root is not a file or a directory"),))
    files: list[ManifestFile] = []
    errors: list[ManifestError] = []
    seen: set[str] = {str(real_root)}
    stack: list[tuple[str, str, bool]] = [(str(real_root), "", True)]  # real path, name, is a dir
    while stack:
        real, name, is_dir = stack.pop()
        if not is_dir:
            files.append(ManifestFile(name, real))
            continue
        try:
            with os.scandir(real) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            errors.append(_error(name or str(root), f"cannot read directory: {exc.strerror}"))
            continue
        children: list[tuple[str, str, bool]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{name}/{entry.name}" if name else entry.name
            found = _child(entry, real_root)
            if isinstance(found, str):
                errors.append(_error(child, found))
            elif found is not None and found[0] not in seen:  # else: reached again, read once
                seen.add(found[0])
                children.append((found[0], child, found[1]))
        stack.extend(reversed(children))  # depth first, in name order
    return Found(tuple(files), tuple(errors))


def _child(entry: os.DirEntry[str], real_root: Path) -> tuple[str, bool] | str | None:
    """A folder entry to follow, as its real path and whether it is a folder; None when
    it is not a manifest nor a folder; why, when it must not be followed."""
    if not _is_symlink(entry):  # inside a real folder of the root: nothing to resolve
        is_folder = _entry_is_dir(entry)
        return (entry.path, is_folder) if is_folder or is_manifest(entry.name) else None
    target, problem = _target(Path(entry.path), real_root)
    if problem:
        return problem if is_manifest(entry.name) or _is_dir(Path(entry.path)) else None
    if target.is_dir() or is_manifest(entry.name):
        return str(target), target.is_dir()
    return None


def _target(path: Path, real_root: Path) -> tuple[Path, str]:
    """The real path of a directory entry, or why it must not be followed."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return path, "broken symlink or symlink loop; fix or remove it"
    if target != real_root and real_root not in target.parents:
        return target, (
            f"symlink points outside the manifest root (to {target}); ecsync does not "
            "follow it: copy the file into the root instead"
        )
    return target, ""


def _is_symlink(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True  # let `_target` say what is wrong with it


def _entry_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


_CHANGED = {
    errno.ENOENT: "it was deleted while the manifests were read; load again",
    errno.ELOOP: "it became a symlink while the manifests were read; load again",
}


def _why(exc: OSError) -> str:
    """Why a listed file cannot be opened; the races have their own words."""
    return _CHANGED.get(exc.errno or 0, f"{exc.strerror}; check that ecsync may read it")


Stamp = tuple[int, int, int, int, int]
"""A regular file's device, inode, size, and last modification and change times (ns)."""


def stamp(file: ManifestFile) -> Stamp | None:
    """The file's stamp, without opening it; None when it is not a regular file or cannot
    be looked at (`read` then says why)."""
    try:
        found = os.stat(file.real, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def read(file: ManifestFile, limit: int) -> tuple[bytes | None, ManifestError | None]:
    """The bytes of a regular file of at most `limit` bytes, or the error that stopped it.

    O_NONBLOCK keeps a FIFO from hanging the open; O_NOFOLLOW refuses a symlink
    swapped in after `find` resolved the path.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(file.real, flags)
    except OSError as exc:
        return None, _error(file.name, f"cannot read file: {_why(exc)}")
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, _error(file.name, "not a regular file; remove it or rename it")
        data = handle.read(limit + 1)
    if len(data) > limit:
        return None, _error(file.name, f"file is larger than {limit} bytes; split it")
    return data, None
