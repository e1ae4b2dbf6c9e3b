"""GitSource against real repositories: a bare remote on disk, driven by the real git binary."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog
from structlog.typing import EventDict

from controller.daemon.sources.git import GitSource
from tests.support.gitrepo import Repo, git

POLL = 0.2


def eventually(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.01)


class Harness:
    """Starts GitSources on one cache dir, counts their `on_change` calls, stops them all."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.calls = 0
        self._lock = threading.Lock()
        self._started: list[GitSource] = []

    def _changed(self) -> None:
        with self._lock:
            self.calls += 1

    def start(
        self, url: str, *, ref: str | None = None, subpath: str = "", poll_interval: float = POLL
    ) -> GitSource:
        source = GitSource(
            url,
            self._changed,
            ref=ref,
            subpath=subpath,
            cache_dir=self.cache_dir,
            poll_interval=poll_interval,
            timeout=10.0,
        )
        self._started.append(source)
        source.start()
        return source

    def stop_all(self) -> None:
        for source in self._started:
            source.stop()

    @property
    def snapshots(self) -> set[str]:
        return {entry.name for entry in (self.cache_dir / "snapshots").iterdir()}

    def mirror(self) -> Path:
        (mirror,) = self.cache_dir.glob("*/repo.git")
        return mirror


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A bare repository and a clone to commit manifests from and push."""
    return Repo(tmp_path / "git")


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    """Starts Git sources with one cache folder; all are stopped at the end."""
    harness = Harness(tmp_path / "cache")
    yield harness
    harness.stop_all()


def at(source: GitSource, sha: str) -> Callable[[], bool]:
    return lambda: source.revision == sha


def root_of(source: GitSource) -> Path:
    snapshot = source.snapshot()
    assert snapshot is not None
    return snapshot.root


def files(root: Path) -> dict[str, str]:
    """Every regular file under `root` (relative POSIX path → text)."""
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def named(logs: list[EventDict], event: str) -> list[EventDict]:
    return [entry for entry in list(logs) if entry["event"] == event]


def test_first_snapshot_is_the_pushed_commit(repo: Repo, harness: Harness) -> None:
    """The first snapshot holds exactly the pushed commit's files, and on_change is called once."""
    sha = repo.commit({"web.yaml": "kind: Service\n", "stack/db.yaml": "kind: Db\n"})
    with structlog.testing.capture_logs() as logs:
        source = harness.start(repo.url, ref="main")
        eventually(lambda: harness.calls == 1, "on_change for the first snapshot")
    assert source.revision == sha
    assert files(root_of(source)) == {"web.yaml": "kind: Service\n", "stack/db.yaml": "kind: Db\n"}
    assert root_of(source) == harness.cache_dir / "snapshots" / sha
    assert source.last_error is None
    (cloned,) = named(logs, "git_cloned")
    assert cloned["url"] == repo.url
    assert cloned["revision"] == sha


def test_a_new_commit_makes_a_new_snapshot(repo: Repo, harness: Harness) -> None:
    """A pushed commit becomes the next snapshot, calls on_change and logs revision_changed."""
    first = repo.commit({"web.yaml": "replicas: 1\n"})
    with structlog.testing.capture_logs() as logs:
        source = harness.start(repo.url, ref="main")
        eventually(lambda: harness.calls == 1, "on_change for the first snapshot")
        second = repo.commit({"web.yaml": "replicas: 2\n"})
        eventually(lambda: harness.calls == 2, "on_change for the second snapshot")
    assert source.revision == second
    assert files(root_of(source)) == {"web.yaml": "replicas: 2\n"}
    changes = [
        {key: entry[key] for key in ("url", "ref", "revision", "previous", "log_level")}
        for entry in named(logs, "revision_changed")
    ]
    assert changes == [
        {"url": repo.url, "ref": "main", "revision": first, "previous": None, "log_level": "info"},
        {
            "url": repo.url,
            "ref": "main",
            "revision": second,
            "previous": first,
            "log_level": "info",
        },
    ]


def test_subpath_reads_only_that_folder(repo: Repo, harness: Harness) -> None:
    """With a subpath the snapshot root is that folder, and nothing else is extracted."""
    sha = repo.commit(
        {
            "stacks/prod/web.yaml": "env: prod\n",
            "stacks/dev/web.yaml": "env: dev\n",
            "README.md": "# manifests\n",
        }
    )
    source = harness.start(repo.url, ref="main", subpath="/stacks/prod/")
    eventually(at(source, sha), "snapshot")
    extracted = harness.cache_dir / "snapshots" / sha
    assert root_of(source) == extracted / "stacks" / "prod"
    assert files(extracted) == {"stacks/prod/web.yaml": "env: prod\n"}


def test_a_subpath_missing_at_that_commit_gives_a_root_that_does_not_exist(
    repo: Repo, harness: Harness
) -> None:
    """A subpath not in the commit still publishes the revision; its root is simply missing."""
    sha = repo.commit({"web.yaml": "x: 1\n"})
    source = harness.start(repo.url, ref="main", subpath="stacks/prod")
    eventually(at(source, sha), "snapshot")
    assert not root_of(source).exists()
    assert source.last_error is None


def test_a_tag_is_followed(repo: Repo, harness: Harness) -> None:
    """An annotated tag resolves to its commit, branch commits are ignored, a moved tag is followed."""
    tagged = repo.commit({"web.yaml": "version: 1\n"})
    git(repo.work, "tag", "-a", "-m", "release", "v1")
    git(repo.work, "push", "-q", "origin", "v1")
    repo.commit({"web.yaml": "version: 2-dev\n"})
    source = harness.start(repo.url, ref="v1")
    eventually(at(source, tagged), "snapshot of the tag")
    assert files(root_of(source)) == {"web.yaml": "version: 1\n"}

    retagged = repo.commit({"web.yaml": "version: 1.1\n"})
    git(repo.work, "tag", "-f", "-a", "-m", "release again", "v1")
    git(repo.work, "push", "-q", "--force", "origin", "v1")
    eventually(at(source, retagged), "snapshot of the moved tag")
    assert files(root_of(source)) == {"web.yaml": "version: 1.1\n"}


@pytest.mark.parametrize("length", [40, 12])
def test_a_pinned_commit_is_never_fetched_again(repo: Repo, harness: Harness, length: int) -> None:
    """A commit id (full or abbreviated) is resolved once; later commits and polls fetch nothing."""
    pinned = repo.commit({"web.yaml": "pinned: yes\n"})
    source = harness.start(repo.url, ref=pinned[:length])
    eventually(at(source, pinned), "pinned snapshot")
    repo.commit({"web.yaml": "pinned: no\n"})
    repo.remote.rename(repo.remote.with_name("gone.git"))  # any fetch now fails visibly
    source.trigger()
    time.sleep(5 * POLL)  # nothing may happen: give several polls the chance to misbehave
    assert source.revision == pinned
    assert source.last_error is None
    assert git(harness.mirror(), "rev-parse", "refs/heads/main") == pinned
    assert harness.calls == 1


def test_no_ref_follows_the_remotes_default_branch(repo: Repo, harness: Harness) -> None:
    """Without a ref the source follows whatever branch the remote's HEAD names."""
    repo.commit({"web.yaml": "branch: main\n"})
    git(repo.work, "checkout", "-q", "-b", "trunk")
    trunk = repo.commit({"web.yaml": "branch: trunk\n"})
    git(repo.work, "push", "-q", "origin", "trunk")
    git(repo.remote, "symbolic-ref", "HEAD", "refs/heads/trunk")
    source = harness.start(repo.url)
    eventually(at(source, trunk), "snapshot of the default branch")
    assert files(root_of(source)) == {"web.yaml": "branch: trunk\n"}

    newer = repo.commit({"web.yaml": "branch: trunk, later\n"})
    git(repo.work, "push", "-q", "origin", "trunk")
    eventually(at(source, newer), "newer commit on the default branch")


def test_a_force_push_is_followed(repo: Repo, harness: Harness) -> None:
    """When the branch is rewritten, the source follows the new tip."""
    base = repo.commit({"web.yaml": "a: 1\n"})
    repo.commit({"web.yaml": "a: 2\n"})
    old_tip = repo.commit({"web.yaml": "a: 3\n"})
    source = harness.start(repo.url, ref="main")
    eventually(at(source, old_tip), "snapshot of the old tip")

    git(repo.work, "reset", "-q", "--hard", base)
    (repo.work / "web.yaml").write_text("a: rewritten\n")
    git(repo.work, "commit", "-q", "-am", "rewrite")
    git(repo.work, "push", "-q", "--force", "origin", "main")
    new_tip = git(repo.work, "rev-parse", "HEAD")
    eventually(at(source, new_tip), "snapshot of the new tip")
    assert files(root_of(source)) == {"web.yaml": "a: rewritten\n"}


def test_an_unreachable_remote_keeps_the_last_snapshot_and_recovers(
    repo: Repo, harness: Harness
) -> None:
    """While fetches fail the last good snapshot stays and the error is reported; then it recovers."""
    first = repo.commit({"web.yaml": "ok: 1\n"})
    source = harness.start(repo.url, ref="main")
    eventually(at(source, first), "first snapshot")
    away = repo.remote.with_name("away.git")
    with structlog.testing.capture_logs() as logs:
        repo.remote.rename(away)
        eventually(lambda: source.last_error is not None, "last_error set")
        eventually(lambda: len(named(logs, "git_fetch_failed")) >= 2, "two failed fetches")
        assert source.revision == first
        assert files(root_of(source)) == {"web.yaml": "ok: 1\n"}
        failed = named(logs, "git_fetch_failed")[0]
        assert failed["log_level"] == "error"
        assert failed["retry_in"] == POLL  # the first retry delay, capped at poll_interval
        assert failed["revision"] == first
        assert failed["url"] == repo.url
        assert "does not appear to be a git repository" in failed["error"]

        away.rename(repo.remote)
        second = repo.commit({"web.yaml": "ok: 2\n"})
        eventually(at(source, second), "snapshot after recovery")
        eventually(lambda: source.last_error is None, "last_error cleared")
    assert files(root_of(source)) == {"web.yaml": "ok: 2\n"}


def test_failed_fetches_back_off_up_to_the_poll_interval(tmp_path: Path, harness: Harness) -> None:
    """Retries after failures wait 1 s, then double, never longer than poll_interval."""
    missing = f"file://{tmp_path / 'missing.git'}"
    with structlog.testing.capture_logs() as logs:
        source = harness.start(missing, ref="main", poll_interval=1.5)
        eventually(lambda: len(named(logs, "git_fetch_failed")) >= 2, "two failures")
        source.stop()
    assert [entry["retry_in"] for entry in named(logs, "git_fetch_failed")][:2] == [1.0, 1.5]
    assert source.snapshot() is None


def test_a_missing_ref_is_an_error_until_it_is_pushed(repo: Repo, harness: Harness) -> None:
    """A ref the remote lacks sets last_error naming it; pushing the branch later recovers."""
    repo.commit({"web.yaml": "x: 1\n"})
    source = harness.start(repo.url, ref="release")
    eventually(lambda: source.last_error is not None, "last_error set")
    assert source.last_error == f"ref 'release' not found in {repo.url} (deleted, or never pushed?)"
    assert source.snapshot() is None
    git(repo.work, "push", "-q", "origin", "main:release")
    eventually(at(source, git(repo.work, "rev-parse", "HEAD")), "snapshot of the new branch")
    eventually(lambda: source.last_error is None, "last_error cleared")


def test_credentials_never_show(harness: Harness, unused_port: int) -> None:
    """The password in the URL appears in no log event, no error and no file of the cache."""
    url = f"https://user:s3cr3t@127.0.0.1:{unused_port}/x.git"
    with structlog.testing.capture_logs() as logs:
        source = harness.start(url, ref="main")
        eventually(lambda: len(named(logs, "git_fetch_failed")) >= 2, "two failed fetches")
        source.stop()
    assert source.last_error is not None
    assert "s3cr3t" not in source.last_error
    assert f"127.0.0.1:{unused_port}" in source.last_error
    assert logs
    for entry in logs:
        assert "s3cr3t" not in repr(entry)
    assert {entry["url"] for entry in named(logs, "git_fetch_failed")} == {
        f"https://***@127.0.0.1:{unused_port}/x.git"
    }
    for path in harness.cache_dir.rglob("*"):
        assert "s3cr3t" not in str(path)
        if path.is_file():
            assert b"s3cr3t" not in path.read_bytes()


def test_at_most_two_snapshots_are_kept(repo: Repo, harness: Harness) -> None:
    """After several commits only the current and the previous snapshot remain on disk."""
    shas = [repo.commit({"web.yaml": "n: 0\n"})]
    source = harness.start(repo.url, ref="main")
    eventually(at(source, shas[0]), "first snapshot")
    assert harness.snapshots == {shas[0]}
    for n in range(1, 5):
        shas.append(repo.commit({"web.yaml": f"n: {n}\n"}))
        eventually(at(source, shas[-1]), f"snapshot {n}")
        # The new snapshot is published before older ones are pruned, so wait for the prune.
        eventually(lambda: harness.snapshots == {shas[-2], shas[-1]}, f"prune after {n}")


def test_a_snapshot_never_changes_after_creation(repo: Repo, harness: Harness) -> None:
    """The next commit goes into a new directory; the previous one keeps every byte and mtime."""
    first = repo.commit({"web.yaml": "v: 1\n", "old.yaml": "gone soon\n", "d/db.yaml": "db: 1\n"})
    source = harness.start(repo.url, ref="main")
    eventually(at(source, first), "first snapshot")
    root = root_of(source)

    def state() -> dict[str, tuple[int, int, bytes]]:
        return {
            path.relative_to(root).as_posix(): (
                path.stat().st_mtime_ns,
                path.stat().st_mode,
                path.read_bytes() if path.is_file() else b"",
            )
            for path in [root, *root.rglob("*")]
        }

    before = state()
    second = repo.commit({"web.yaml": "v: 2\n", "old.yaml": "", "d/db.yaml": "db: 2\n"})
    eventually(at(source, second), "second snapshot")
    assert root_of(source) != root
    assert state() == before
    assert files(root_of(source)) == {"web.yaml": "v: 2\n", "d/db.yaml": "db: 2\n"}


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../../../../../etc/passwd"])
def test_a_symlink_out_of_the_tree_is_left_out(repo: Repo, harness: Harness, target: str) -> None:
    """A link pointing outside the tree is skipped with a warning; the rest, in-tree links too, is extracted."""
    (repo.work / "leak.yaml").symlink_to(target)
    (repo.work / "alias.yaml").symlink_to("web.yaml")
    with structlog.testing.capture_logs() as logs:
        sha = repo.commit({"web.yaml": "kind: Service\n"})
        source = harness.start(repo.url, ref="main")
        eventually(at(source, sha), "snapshot")
    root = root_of(source)
    assert not (root / "leak.yaml").is_symlink()
    assert not (root / "leak.yaml").exists()
    assert os.readlink(root / "alias.yaml") == "web.yaml"
    assert files(root) == {"web.yaml": "kind: Service\n"}
    (skipped,) = named(logs, "snapshot_member_skipped")
    assert skipped["member"] == "leak.yaml"
    assert skipped["log_level"] == "warning"


def test_trigger_fetches_before_the_poll_interval(repo: Repo, harness: Harness) -> None:
    """trigger() makes a source with a 60 s poll interval pick up a new commit at once."""
    first = repo.commit({"web.yaml": "v: 1\n"})
    source = harness.start(repo.url, ref="main", poll_interval=60)
    eventually(at(source, first), "first snapshot")
    second = repo.commit({"web.yaml": "v: 2\n"})
    source.trigger()
    eventually(at(source, second), "snapshot after trigger", timeout=5.0)


def test_a_failing_callback_does_not_stop_polling(repo: Repo, tmp_path: Path) -> None:
    """An exception from on_change is logged and later commits are still published."""
    calls: list[str | None] = []
    source: GitSource

    def flaky() -> None:
        calls.append(source.revision)
        raise RuntimeError("queue is full")

    source = GitSource(repo.url, flaky, ref="main", cache_dir=tmp_path / "c", poll_interval=POLL)
    first = repo.commit({"web.yaml": "v: 1\n"})
    with structlog.testing.capture_logs() as logs:
        source.start()
        try:
            eventually(lambda: len(calls) == 1, "on_change for the first snapshot")
            second = repo.commit({"web.yaml": "v: 2\n"})
            eventually(lambda: len(calls) == 2, "on_change for the second snapshot")
        finally:
            source.stop()
    assert calls == [first, second]
    assert len(named(logs, "source_callback_failed")) == 2


def test_a_restart_reuses_the_mirror(repo: Repo, harness: Harness) -> None:
    """A new source on the same cache dir fetches into the existing mirror instead of cloning."""
    sha = repo.commit({"web.yaml": "v: 1\n"})
    first = harness.start(repo.url, ref="main")
    eventually(at(first, sha), "first run's snapshot")
    first.stop()
    with structlog.testing.capture_logs() as logs:
        second = harness.start(repo.url, ref="main")
        eventually(at(second, sha), "second run's snapshot")
    assert named(logs, "git_cloned") == []
    assert files(root_of(second)) == {"web.yaml": "v: 1\n"}


def test_stop_returns_within_a_second(repo: Repo, harness: Harness) -> None:
    """stop() on a source waiting for its next poll returns within one second, thread ended."""
    sha = repo.commit({"web.yaml": "v: 1\n"})
    before = set(threading.enumerate())
    source = harness.start(repo.url, ref="main", poll_interval=60)
    eventually(at(source, sha), "snapshot")
    started = time.monotonic()
    source.stop()
    assert time.monotonic() - started < 1.0
    assert not [thread for thread in set(threading.enumerate()) - before if thread.is_alive()]


def test_stop_interrupts_a_hanging_fetch(harness: Harness) -> None:
    """stop() during a fetch that never answers returns within a second and kills git's helper."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(5.0)
        port = server.getsockname()[1]
        before = set(threading.enumerate())
        source = harness.start(f"http://127.0.0.1:{port}/x.git", ref="main")
        connection, _ = server.accept()  # git is now waiting for an answer that never comes
        with connection:
            started = time.monotonic()
            source.stop()
            assert time.monotonic() - started < 1.0
            assert not [
                thread for thread in set(threading.enumerate()) - before if thread.is_alive()
            ]
            connection.settimeout(2.0)
            while connection.recv(65536):  # the request, then EOF once the helper is dead
                pass
    assert source.snapshot() is None
