"""Extracting one commit's tree into a directory that never changes afterwards.

The controller may be reading a snapshot while the next commit arrives, so a
snapshot is written into a hidden temporary directory and renamed into place
in one step (`snapshots/<sha>`); it is never written to again. Only the
current and the previous snapshot are kept: the previous one may still be in
the middle of a load.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import structlog

from controller.daemon.sources.gitcli import GitError, Runner

log = structlog.get_logger()


class SnapshotStore:
    """The `<sha>` directories under `directory`, which belongs to one source only."""

    def __init__(self, directory: Path, repository: Path, runner: Runner) -> None:
        self.directory = directory
        self._repository = repository
        self._runner = runner
        self._made: set[str] = set()  # what this process extracted; older ones may be stale

    def extract(self, sha: str, subpath: PurePosixPath | None) -> Path:
        """Return `directory/<sha>`, holding the commit's `subpath` (everything when None).

        A directory of that name left by an earlier run is replaced, since it
        may have been extracted with another subpath. When `subpath` does not
        exist at that commit the snapshot is empty and the caller's root
        inside it does not exist: the loader reports that, not us.
        """
        target = self.directory / sha
        if sha in self._made and target.is_dir():
            return target
        self.directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".tmp-{sha[:12]}-", dir=self.directory))
        try:
            if subpath is None or self._exists(sha, subpath):
                self._unpack(sha, subpath, staging)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._made.add(sha)
        return target

    def retain(self, *shas: str | None) -> None:
        """Delete every snapshot (and leftover temporary directory) except those of `shas`."""
        keep = {sha for sha in shas if sha}
        for entry in self.directory.iterdir():
            if entry.name not in keep:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                self._made.discard(entry.name)
                log.debug("snapshot_removed", revision=entry.name)

    def _exists(self, sha: str, subpath: PurePosixPath) -> bool:
        try:
            self._runner.run("cat-file", "-e", f"{sha}:{subpath}", cwd=self._repository)
        except GitError:
            return False
        return True

    def _unpack(self, sha: str, subpath: PurePosixPath | None, into: Path) -> None:
        archive = into.with_suffix(".tar")
        paths = ["--", str(subpath)] if subpath else []
        try:
            self._runner.run(
                "archive", "--format=tar", f"--output={archive}", sha, *paths,
                cwd=self._repository,
            )  # fmt: skip
            with tarfile.open(archive) as tar:
                tar.extractall(into, filter=_within)  # noqa: S202 - members pass _within
        finally:
            archive.unlink(missing_ok=True)


def _within(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's `data` filter, but a member it refuses (a link out of the tree) is skipped.

    A symlink to `/etc/passwd` in a manifests repository must not stop the
    whole snapshot; that one member is left out, with a warning.
    """
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError as exc:
        log.warning("snapshot_member_skipped", member=member.name, error=str(exc))
        return None
