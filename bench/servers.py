"""The embedded AWS in a child process, and a counting proxy in front of it.

moto runs in a process of its own (`bench.awsd`), so that the CPU time and
memory measured of an ecsync process are ecsync's alone. The counting proxy
sits between ecsync and moto and counts every request by operation, and
stamps every write, independently of anything ecsync reports about itself.
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
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.support.faults import is_write


@contextmanager
def moto_process() -> Iterator[str]:
    """The embedded AWS in a child process; yields its endpoint."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.awsd"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        endpoint = child.stdout.readline().strip()
        if not endpoint.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the embedded AWS did not start: {endpoint!r}")
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
    raise RuntimeError(f"the embedded AWS at {endpoint} never answered")


@dataclass(frozen=True)
class Recorded:
    """One request as it was sent, for replaying it with other names."""

    operation: str
    path: str
    headers: dict[str, str]
    body: str


class CountingProxy:
    """Forwards every request to `upstream`; counts each by operation, stamps each write and
    knows how many are in flight.

    `record` names operations whose requests are also kept whole (`recorded`).
    """

    def __init__(self, upstream: str, *, record: frozenset[str] = frozenset()) -> None:
        self.upstream = urlsplit(upstream).netloc
        self.counts: Counter[str] = Counter()
        self.writes: list[tuple[float, str]] = []
        """(arrival time, operation) of every write, in arrival order."""
        self.recorded: list[Recorded] = []
        self.in_flight = 0
        """Requests received and not answered yet."""
        self.record = record
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            upstream_connection: http.client.HTTPConnection | None = None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = _operation(self.headers.get("X-Amz-Target"), body)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                proxy._count(operation)
                if operation in proxy.record:
                    proxy._keep(Recorded(operation, self.path, headers, body.decode()))
                try:
                    status, answer_headers, payload = self._forward(body, headers)
                    self.send_response(status)
                    for key, value in answer_headers:
                        if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                finally:
                    proxy._answered()

            def _forward(
                self, body: bytes, headers: dict[str, str]
            ) -> tuple[int, list[tuple[str, str]], bytes]:
                """One connection upstream per client connection, opened again if it broke."""
                for attempt in (1, 2):
                    if self.upstream_connection is None:
                        self.upstream_connection = http.client.HTTPConnection(
                            proxy.upstream, timeout=300
                        )
                    try:
                        self.upstream_connection.request("POST", self.path, body, headers)
                        response = self.upstream_connection.getresponse()
                        return response.status, response.getheaders(), response.read()
                    except (ConnectionError, http.client.HTTPException):
                        self.upstream_connection.close()
                        self.upstream_connection = None
                        if attempt == 2:
                            raise
                raise AssertionError("unreachable")

            def finish(self) -> None:
                super().finish()
                if self.upstream_connection is not None:
                    self.upstream_connection.close()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _count(self, operation: str) -> None:
        with self._lock:
            self.counts[operation] += 1
            self.in_flight += 1
            if is_write(operation):
                self.writes.append((time.time(), operation))

    def _answered(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _keep(self, request: Recorded) -> None:
        with self._lock:
            self.recorded.append(request)

    def state(self) -> tuple[int, int, int]:
        """(requests so far, writes so far, requests in flight), read together."""
        with self._lock:
            return self.counts.total(), len(self.writes), self.in_flight

    def snapshot(self) -> Counter[str]:
        """The counts so far, by operation."""
        with self._lock:
            return Counter(self.counts)

    def writes_since(self, when: float) -> list[tuple[float, str]]:
        with self._lock:
            return [w for w in self.writes if w[0] >= when]

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
