"""Polling a Git repository and publishing each new commit as an immutable snapshot.

One background thread keeps a bare mirror under `cache_dir` up to date
(every `poll_interval` seconds, and at once on `trigger()`), resolves the
wanted ref to a commit, and when that commit changed extracts it into
`cache_dir/snapshots/<sha>` and calls `on_change()`. Fetches that fail keep the
last good snapshot and are retried with exponential backoff.

`cache_dir` belongs to one source: its snapshots directory is pruned.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import structlog

from controller.daemon.sources.base import Snapshot
from controller.daemon.sources.gitcli import GitError, Runner, redact_url, url_secrets
from controller.daemon.sources.snapshots import SnapshotStore

log = structlog.get_logger()

_RETRY_FIRST = 1.0  # seconds before the first retry; doubles up to poll_interval
_REMOTE_HEAD = "refs/ecsync/remote-head"  # where the remote's default branch is fetched to
_BRANCHES_AND_TAGS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
_COMMIT_ID = re.compile(r"[0-9a-fA-F]{4,40}")


class GitSource:
    """Follows `ref` (a branch, a tag, a pinned commit, or the remote's default branch)."""

    def __init__(
        self,
        url: str,
        on_change: Callable[[], None],
        *,
        ref: str | None = None,
        subpath: str = "",
        cache_dir: Path,
        poll_interval: float = 30.0,
        timeout: float = 60.0,
    ) -> None:
        if not url or url.startswith("-"):
            raise ValueError(f"not a Git URL: {redact_url(url)!r}")
        if ref is not None and (not ref or ref.startswith("-") or re.search(r"\s|\.\.", ref)):
            raise ValueError(f"not a Git ref: {ref!r}")
        self.url = url
        self.ref = ref
        self.subpath = _relative(subpath)
        self.poll_interval = poll_interval
        self._on_change = on_change
        self._secrets = url_secrets(url)
        self._safe_url = redact_url(url, self._secrets)
        self._timeout = timeout
        url_hash = hashlib.sha256(self._safe_url.encode()).hexdigest()[:16]
        self._mirror = cache_dir / url_hash / "repo.git"
        self._snapshots_dir = cache_dir / "snapshots"
        self._runner = Runner(timeout=timeout, secrets=self._secrets)
        self._snapshots = SnapshotStore(self._snapshots_dir, self._mirror, self._runner)
        self._snapshot: Snapshot | None = None
        self._last_error: str | None = None
        self._pinned = False
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def revision(self) -> str | None:
        """The full SHA of the current snapshot, None before the first one."""
        snapshot = self._snapshot
        return snapshot.revision if snapshot else None

    @property
    def last_error(self) -> str | None:
        """Why the last sync failed (credentials removed), None after a success."""
        return self._last_error

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._runner = Runner(timeout=self._timeout, secrets=self._secrets)
        self._snapshots = SnapshotStore(self._snapshots_dir, self._mirror, self._runner)
        self._thread = threading.Thread(target=self._run, name="ecsync-git", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._runner.kill()
        if self._thread is not None:
            self._thread.join(timeout=0.9)

    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    def trigger(self) -> None:
        """Fetch now instead of at the next poll (a pinned commit is never fetched again)."""
        self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._sync()
            except Exception as exc:  # the thread must never die silently
                if self._stop.is_set():
                    break
                failures += 1
                retry_in = min(self.poll_interval, _RETRY_FIRST * 2 ** (failures - 1))
                self._last_error = redact_url(str(exc), self._secrets) or type(exc).__name__
                log.error(
                    "git_fetch_failed",
                    url=self._safe_url,
                    ref=self.ref,
                    revision=self.revision,
                    error=self._last_error,
                    retry_in=retry_in,
                    exc_info=not isinstance(exc, GitError),
                )
                wait = retry_in
            else:
                failures = 0
                self._last_error = None
                wait = self.poll_interval
            self._wake.wait(wait)
            self._wake.clear()

    def _sync(self) -> None:
        """Fetch, resolve the ref, and publish the commit if it is a new one."""
        if self._pinned:
            return
        cloned = self._ensure_mirror()
        refspecs: tuple[str, ...] = _BRANCHES_AND_TAGS
        if self.ref is None:
            refspecs = (*refspecs, f"+HEAD:{_REMOTE_HEAD}")
        self._git("fetch", "--quiet", "--prune", "--force", "--no-write-fetch-head",
                  "--", self.url, *refspecs)  # fmt: skip
        sha, pinned = self._resolve()
        event = "git_cloned" if cloned else "git_fetched"
        (log.info if cloned else log.debug)(event, url=self._safe_url, ref=self.ref, revision=sha)
        previous = self.revision
        if sha != previous:
            root = self._snapshots.extract(sha, self.subpath)
            self._snapshot = Snapshot(root / self.subpath if self.subpath else root, sha)
            self._snapshots.retain(sha, previous)
            log.info(
                "revision_changed",
                url=self._safe_url,
                ref=self.ref,
                revision=sha,
                previous=previous,
            )
            self._notify()
        self._pinned = pinned

    def _ensure_mirror(self) -> bool:
        """Create the bare mirror unless a usable one is there; True when it was created."""
        if (self._mirror / "HEAD").is_file():
            return False
        shutil.rmtree(self._mirror, ignore_errors=True)
        self._mirror.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-mirror-", dir=self._mirror.parent))
        try:
            self._runner.run("init", "--quiet", "--bare", str(staging))
            staging.rename(self._mirror)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return True

    def _resolve(self) -> tuple[str, bool]:
        """The commit that `ref` names now, and whether it is a pinned commit id."""
        if self.ref is None:
            candidates = [(_REMOTE_HEAD, False)]
        else:
            candidates = [(f"refs/heads/{self.ref}", False), (f"refs/tags/{self.ref}", False)]
            if self.ref.startswith("refs/"):
                candidates.append((self.ref, False))
            elif _COMMIT_ID.fullmatch(self.ref):
                candidates.append((self.ref, True))
        for name, pinned in candidates:
            try:
                sha = self._git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
            except GitError:
                continue
            return sha.strip(), pinned
        wanted = "the remote's default branch" if self.ref is None else f"ref {self.ref!r}"
        raise GitError(f"{wanted} not found in {self._safe_url} (deleted, or never pushed?)")

    def _git(self, *args: str) -> str:
        return self._runner.run(*args, cwd=self._mirror)

    def _notify(self) -> None:
        try:
            self._on_change()
        except Exception:  # a faulty callback must not stop the polling
            log.exception("source_callback_failed", url=self._safe_url, revision=self.revision)


def _relative(subpath: str) -> PurePosixPath | None:
    """`subpath` as a relative path inside the repository, None for the whole tree."""
    path = PurePosixPath(subpath.strip("/"))
    if ".." in path.parts:
        raise ValueError(f"subpath must stay inside the repository: {subpath!r}")
    return None if path == PurePosixPath(".") else path
