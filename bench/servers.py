"""The moto server and a counting proxy, each in its own process or thread.

moto runs in a child process so that the controller's CPU time and memory,
measured in the benchmark process, are the controller's alone. The counting
proxy sits between them and counts every request independently of ecsync's
own call statistics.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_MOTO = """
import sys, time
import ecsync_local as local
server = local.start_local(port=0)
print(server.endpoint_url, flush=True)
sys.stdin.read()
"""


@contextmanager
def moto_process() -> Iterator[str]:
    """A moto server (with ecsync's moto fixes) in a child process; yields its endpoint."""
    child = subprocess.Popen(
        [sys.executable, "-c", _MOTO],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        endpoint = child.stdout.readline().strip()
        if not endpoint.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"moto did not start: {endpoint!r}")
        _wait_up(endpoint)
        yield endpoint
    finally:
        child.kill()
        child.wait(timeout=10)


def _wait_up(endpoint: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto at {endpoint} never answered")


class CountingProxy:
    """Forwards every request to `upstream` and counts it by operation and time."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream).netloc
        self.counts: Counter[str] = Counter()
        self.first_write_at: dict[str, float] = {}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = _operation(self.headers.get("X-Amz-Target"), body)
                proxy._count(operation)
                connection = http.client.HTTPConnection(proxy.upstream, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                connection.close()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _count(self, operation: str) -> None:
        with self._lock:
            self.counts[operation] += 1
            if not operation.startswith(("Describe", "List", "Get")):
                self.first_write_at.setdefault(operation, time.time())

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.first_write_at.clear()

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _operation(target: str | None, body: bytes) -> str:
    """`X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeServices` → DescribeServices;
    query-protocol services (EC2, Auto Scaling) carry `Action=` in the body."""
    if target:
        return target.rsplit(".", 1)[-1]
    for part in body.decode(errors="replace").split("&"):
        if part.startswith("Action="):
            return part.removeprefix("Action=")
    return "Unknown"
