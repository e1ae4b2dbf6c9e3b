"""One running daemon against the hostile corpus and against failing Git remotes.

The daemon converges a good stack first. Then every hostile case is moved
into its folder (one rename, so that it appears whole) and moved out again:
each must be reported where it is, change nothing in AWS, leave /healthz
answering, and be forgotten once it is gone. A good change at the end is
still applied. The Git test does the same with a remote that disappears,
loses its branch, is force-pushed, gets a broken commit and starts refusing
credentials.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ecsync_local as local
from controller.daemon.sources.gitcli import GitError, Runner
from tests.hostile.corpus import CASES, Case
from tests.hostile.gitserver import GitHttpServer
from tests.support.daemon import Daemon, Daemons, Event
from tests.support.gitrepo import Repo, git
from tests.support.shop import stack, write

WRITE_EVENT = re.compile(
    r".*_(created|updated|registered|replaced|deleted|deregistered)$|task_started|apply_failed"
)
_CALLS = re.compile(r'^ecsync_aws_calls_total\{operation="(\w+)",outcome="(\w+)"\} (\S+)$', re.M)
_READ = re.compile(r"(Describe|List|Get|BatchGet)[A-Z]")
SECRET = "s3cret-token"


@pytest.fixture
def git_server(tmp_path: Path) -> Iterator[GitHttpServer]:
    """Serves tmp_path/git over HTTP; a `Repo` made there is at /remote.git."""
    (tmp_path / "git").mkdir()
    server = GitHttpServer(tmp_path / "git")
    yield server
    server.stop()


def after(
    daemon: Daemon,
    mark: int,
    name: str,
    where: Callable[[Event], bool] = lambda e: True,
    timeout: float = 30,
) -> Event:
    """The first event `name` matching `where` among those logged after the first `mark`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in daemon.events[mark:]:
            if event.get("event") == name and where(event):
                return event
        assert daemon.process.poll() is None, "".join(daemon.lines[-50:])
        time.sleep(0.05)
    tail = "".join(daemon.lines[mark:][-60:])
    raise AssertionError(f"no {name!r} after event {mark} within {timeout}s:\n{tail}")


def writes(daemon: Daemon) -> list[Event]:
    """Every log event that reports a write to AWS (or a failed attempt at one)."""
    return [e for e in daemon.events if WRITE_EVENT.fullmatch(str(e.get("event", "")))]


def write_calls(daemon: Daemon) -> float:
    """Write calls sent to AWS so far, whatever their outcome, from /metrics."""
    metrics = daemon.get("/metrics")[1].decode()
    return sum(float(n) for op, _, n in _CALLS.findall(metrics) if not _READ.match(op))


def aws_state(ecs: Any) -> dict[str, Any]:
    """What a stray write would change: clusters, services, counts, task definition revisions."""
    return {
        "clusters": sorted(ecs.list_clusters()["clusterArns"]),
        "services": sorted(ecs.list_services(cluster="shop")["serviceArns"]),
        "desired": ecs.describe_services(cluster="shop", services=["web"])["services"][0][
            "desiredCount"
        ],
        "revisions": ecs.list_task_definitions(familyPrefix="shop-web")["taskDefinitionArns"],
    }


def matches(case: Case, prefix: str) -> Callable[[Event], bool]:
    """Whether an event is `case`'s error, with its file under `prefix` (or the root)."""
    file = f"{prefix}/{case.file}" if case.file else prefix

    def check(event: Event) -> bool:
        message = str(event.get("message", ""))
        if case.blocked:
            return case.blocked in message
        return (
            event.get("file") == file and event.get("line") == case.line and case.error in message
        )

    return check


def test_the_daemon_survives_every_hostile_case_and_still_applies(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
) -> None:
    """Each case is reported with file and line (or blocked at plan time), nothing is written
    to AWS, /healthz stays 200, the good set comes back when the case goes, and a good change
    after the last case is applied."""
    folder, staging, parked = tmp_path / "manifests", tmp_path / "staging", tmp_path / "parked"
    for path in (staging, parked):
        path.mkdir()
    write(folder, stack(sandbox))
    daemon = start_daemon("--source", str(folder), "--prune", "--resync", "2s")
    daemon.wait_http("/readyz", timeout=60)
    ecs = boto_client("ecs")
    before, written, calls = aws_state(ecs), len(writes(daemon)), write_calls(daemon)
    assert written >= 4  # the stack was created: both counters see its writes
    assert calls >= 4

    for case in CASES:
        outside = tmp_path / "outside" / case.id
        outside.mkdir(parents=True)
        built = staging / case.id
        built.mkdir()
        case.build(built, outside)
        mark = len(daemon.events)
        if case.whole_root:  # the folder itself is replaced, as a wrong deploy would
            folder.rename(parked / "good")
            built.rename(folder)
            prefix = str(folder)
        else:
            built.rename(folder / case.id)
            prefix = case.id
        after(daemon, mark, case.event, matches(case, prefix))
        if case.event == "manifest_invalid":
            after(daemon, mark, "revision_rejected")
        assert daemon.get("/healthz")[0] == 200, case.id

        mark = len(daemon.events)
        if case.whole_root:
            folder.rename(parked / case.id)
            (parked / "good").rename(folder)
        else:
            (folder / case.id).rename(parked / case.id)
        after(daemon, mark, "revision_loaded", lambda e: e["resources"] == 4)
        shutil.rmtree(parked / case.id)
        assert [e["event"] for e in writes(daemon)[written:]] == [], case.id
        assert write_calls(daemon) == calls, case.id

    assert aws_state(ecs) == before

    mark = len(daemon.events)
    write(folder, {"web.yaml": stack(sandbox, count=3)["web.yaml"]})
    updated = after(daemon, mark, "service_updated")
    assert updated["fields"] == [{"path": "/desiredCount", "desired": 3, "live": 2}]
    assert aws_state(ecs)["desired"] == 3
    assert not [line for line in daemon.lines if "Traceback" in line]
    assert daemon.stop() == 0


def test_git_failures_keep_the_last_good_revision_and_leak_no_secret(
    start_daemon: Daemons,
    sandbox: local.Sandbox,
    tmp_path: Path,
    boto_client: Callable[[str], Any],
    git_server: GitHttpServer,
) -> None:
    """A vanished remote, a deleted branch, a broken tip and revoked credentials are logged
    (git_fetch_failed, or manifest_invalid with file and line) and write nothing; a force-push
    to an older commit is a change like any other and is applied; the password in the URL
    never appears in the output."""
    repo = Repo(tmp_path / "git")

    def push(files: dict[str, str], message: str) -> str:
        sha = repo.commit(files, message)
        git(repo.remote, "update-server-info")  # what the dumb HTTP protocol serves
        return sha

    good = push(stack(sandbox), "initial")
    url = f"http://ecsync:{SECRET}@127.0.0.1:{git_server.port}/remote.git"
    daemon = start_daemon("--source", url, "--ref", "main", "--poll", "0.5s", "--prune")
    daemon.wait_for("service_created", lambda e: e["revision"] == good, timeout=60)
    daemon.wait_http("/readyz", timeout=60)
    ecs = boto_client("ecs")
    before, written = aws_state(ecs), len(writes(daemon))

    # The repository disappears (renamed on the host): 404.
    mark = len(daemon.events)
    moved = repo.remote.with_name("moved.git")
    repo.remote.rename(moved)
    failed = after(daemon, mark, "git_fetch_failed", lambda e: "not found" in e["error"])
    assert failed["revision"] == good
    assert daemon.get("/healthz")[0] == 200
    moved.rename(repo.remote)

    # The branch is deleted: the mirror loses it too, and nothing is pruned.
    mark = len(daemon.events)
    git(repo.remote, "update-ref", "-d", "refs/heads/main")
    git(repo.remote, "update-server-info")
    failed = after(daemon, mark, "git_fetch_failed", lambda e: "'main' not found" in e["error"])
    assert failed["revision"] == good
    assert daemon.get("/healthz")[0] == 200
    git(repo.remote, "update-ref", "refs/heads/main", good)
    git(repo.remote, "update-server-info")
    assert writes(daemon)[written:] == []
    assert aws_state(ecs) == before

    # A new commit, then a force-push back to the first one: the daemon follows the tip.
    scaled = push(stack(sandbox, count=3), "scale up")
    daemon.wait_for("service_updated", lambda e: e["revision"] == scaled)
    git(repo.work, "reset", "-q", "--hard", good)
    git(repo.work, "push", "-q", "--force", "origin", "main")
    git(repo.remote, "update-server-info")
    back = daemon.wait_for("service_updated", lambda e: e["revision"] == good)
    assert back["fields"] == [{"path": "/desiredCount", "desired": 2, "live": 3}]
    assert aws_state(ecs) == before
    written = len(writes(daemon))

    # A tip with broken manifests: rejected with file and line, the good state stays.
    broken = stack(sandbox)
    broken["cluster.yaml"] = "apiVersion: ecsync/v1\nkind: Cluster\nmetadata: {name: shop\n"
    bad = push(broken, "oops")
    error = daemon.wait_for("manifest_invalid", lambda e: e["revision"] == bad)
    assert (error["file"], error["line"]) == ("cluster.yaml", 4)
    rejected = daemon.wait_for("revision_rejected", lambda e: e["revision"] == bad)
    assert rejected["kept_revision"] == good

    # The token is revoked: every request gets 401.
    mark = len(daemon.events)
    git_server.refuse = True
    failed = after(
        daemon, mark, "git_fetch_failed", lambda e: "Authentication failed" in e["error"]
    )
    assert git_server.credentials_seen > 0  # git did send the password, and it is not logged
    assert daemon.get("/healthz")[0] == 200
    assert writes(daemon)[written:] == []
    assert aws_state(ecs) == before

    git_server.refuse = False
    fixed = push(stack(sandbox, count=4), "fix the cluster, scale up")
    daemon.wait_for("service_updated", lambda e: e["revision"] == fixed)
    assert aws_state(ecs)["desired"] == 4
    assert SECRET not in "".join(daemon.lines)
    assert not [line for line in daemon.lines if "Traceback" in line]
    assert daemon.stop() == 0


def test_unreachable_or_refusing_remotes_fail_at_once(
    git_server: GitHttpServer, unused_port: int
) -> None:
    """Against a port nobody listens on, or a host answering 401, git fails within seconds
    (GIT_TERMINAL_PROMPT=0, no askpass): no waiting for a username nobody will type, and no
    password in the message."""
    git_server.refuse = True
    runner = Runner(timeout=30, secrets=(SECRET,))
    host = f"127.0.0.1:{git_server.port}"
    for url, expected in (
        (f"http://127.0.0.1:{unused_port}/remote.git", "Failed to connect"),
        (f"http://{host}/remote.git", "terminal prompts disabled"),
        (f"http://ecsync:{SECRET}@{host}/remote.git", "Authentication failed"),
    ):
        started = time.monotonic()
        with pytest.raises(GitError) as refused:
            runner.run("ls-remote", url)
        assert time.monotonic() - started < 5
        assert expected in str(refused.value)
        assert SECRET not in str(refused.value)
