"""Change latency: from a saved file or a pushed commit to ecsync's first write call.

The daemon runs as `ecsync run` against a counting proxy in front of moto;
the proxy stamps the arrival of the first write after each change. Each
sample scales one service, so each change is exactly one UpdateService.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.servers import CountingProxy
from tests.support.daemon import Daemon
from tests.support.gitrepo import Repo

if TYPE_CHECKING:
    from bench.main import Report

SERVICES = 10
POLL = 1.0
SECRET = b"bench-webhook-secret"


def measure(report: Report, endpoint: str, workdir: Path, samples: int) -> None:
    from bench.main import build_fleet  # noqa: PLC0415 - main imports this module

    folder = workdir / "folder"
    build_fleet(endpoint, SERVICES, folder)
    _report(report, "folder (watch)", _folder(endpoint, folder, workdir, samples), 0.3)

    repo = Repo(workdir / "git")
    repo.commit(_files(folder))
    git_poll = _git(endpoint, repo, workdir / "cache-poll", samples, webhook=False)
    _report(report, f"Git polling (--poll {POLL:g}s)", git_poll, POLL + 0.3)
    webhook = _git(endpoint, repo, workdir / "cache-hook", samples, webhook=True)
    _report(report, "Git webhook", webhook, 0.3)


def _report(report: Report, source: str, latencies: list[float], target: float) -> None:
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else latencies[0]
    label = f"change latency, {source}"
    report.add(label, "p50 ms", f"{p50 * 1000:.0f}", f"< {target * 1000:.0f}", p50 < target)
    report.add(label, "p95 ms", f"{p95 * 1000:.0f}")


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.yaml"))}


def _scaled(text: str, count: int) -> str:
    """The cluster file with its first service's desiredCount set to `count`."""
    return text.replace("desiredCount: 1\n", f"desiredCount: {count}\n", 1).replace(
        "desiredCount: 2\n", f"desiredCount: {count}\n", 1
    )


def _wait_for_write(proxy: CountingProxy, timeout: float = 30) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stamp = proxy.first_write_at.get("UpdateService")
        if stamp is not None:
            return stamp
        time.sleep(0.005)
    raise RuntimeError("no UpdateService reached AWS after the change")


def _ready(daemon: Daemon) -> None:
    daemon.wait_http("/readyz", timeout=120)
    time.sleep(0.5)  # let the first pass's rollout polls settle


def _folder(endpoint: str, folder: Path, workdir: Path, samples: int) -> list[float]:
    cluster_file = folder / "cluster-00.yaml"
    original = cluster_file.read_text()
    latencies = []
    with CountingProxy(endpoint) as proxy:
        daemon = Daemon(proxy.endpoint, ["--source", str(folder)], workdir / "cache-folder")
        try:
            _ready(daemon)
            for i in range(samples):
                proxy.reset()
                saved = time.time()
                cluster_file.write_text(_scaled(original, 2 if i % 2 == 0 else 1))
                latencies.append(_wait_for_write(proxy) - saved)
                time.sleep(0.3)
        finally:
            daemon.stop()
    return latencies


def _git(endpoint: str, repo: Repo, cache: Path, samples: int, *, webhook: bool) -> list[float]:
    original = (repo.work / "cluster-00.yaml").read_text()
    args = ["--source", repo.url, "--poll", f"{POLL}s"]
    if webhook:
        secret_file = cache.parent / "webhook-secret"
        secret_file.write_bytes(SECRET)
        args = ["--source", repo.url, "--poll", "10m", "--webhook-secret-file", str(secret_file)]
    latencies = []
    with CountingProxy(endpoint) as proxy:
        daemon = Daemon(proxy.endpoint, args, cache)
        try:
            _ready(daemon)
            for i in range(samples):
                proxy.reset()
                count = 3 if i % 2 == 0 else 1
                pushed = time.time()
                sha = repo.commit({"cluster-00.yaml": _scaled(original, count)}, f"scale {i}")
                if webhook:
                    body = json.dumps({"ref": "refs/heads/main", "after": sha}).encode()
                    digest = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
                    daemon.post("/hooks/git", body, signature=f"sha256={digest}")
                latencies.append(_wait_for_write(proxy) - pushed)
                time.sleep(0.3)
        finally:
            daemon.stop()
    return latencies
