"""A stricter AWS in front of moto: an HTTP proxy that limits, throttles and breaks requests.

moto is lenient where AWS is not (MOTO-NOTES.md): it accepts any number of
names per Describe call, never throttles and never fails. `AwsProxy` sits
between a client and a moto endpoint and, for the JSON-protocol services
(ECS, ECR, DynamoDB):

- rejects requests beyond AWS's documented limits (`awsrules.LIMITS`) with
  HTTP 400 `InvalidParameterException`, as AWS does;
- with `throttle=True`, throttles per ECS category token bucket
  (`awsrules.BUCKETS`) with HTTP 400 `ThrottlingException: Rate exceeded`;
- injects the faults of a seeded `FaultPlan`: throttling, HTTP 500 and 503,
  a connection reset, a hang past the client's read timeout, a slow answer;
- logs every request (`proxy.requests`), with what the client saw and
  whether the request reached moto, so that tests can count calls.

A fault normally strikes *before* the request is forwarded: nothing happened
upstream. Only with `FaultPlan(lost_writes=True)` may a fault on a write strike
*after* it: the write happened, but the client sees an error (the response was
lost). That is what makes retries of non-idempotent writes visible.

Query-protocol services (EC2, Auto Scaling) and moto's own `/moto-api/` pass
through untouched. Fault decisions come from one seeded generator, so one
client sending requests in sequence sees the same faults on every run.

    with AwsProxy(moto_endpoint, faults=FaultPlan(rate=0.2, seed=7), throttle=True) as proxy:
        client = boto3.client("ecs", endpoint_url=proxy.endpoint, ...)
        ...
        proxy.requests  # every request, in arrival order
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tests.support import awsrules
from tests.support.faults import NO_FAULTS, Decision, Dice, Fault, FaultPlan, is_write

__all__ = [
    "CLIENT_GONE",
    "LIMIT",
    "NO_FAULTS",
    "THROTTLED",
    "AwsProxy",
    "Fault",
    "FaultPlan",
    "Request",
    "is_write",
]
"""The proxy's API; the fault vocabulary lives in `faults` and is offered here too."""

THROTTLED = "throttled"
"""`Request.fault` of a request refused by a throttling bucket (not an injected fault)."""
LIMIT = "limit"
"""`Request.fault` of a request refused for breaking a request limit."""
CLIENT_GONE = "client_gone"
"""`Request.fault` of a request forwarded whose client hung up before the answer (it timed
out on its own): not injected, but for a write the answer is lost all the same."""

_STATUS = {Fault.THROTTLE: 400, Fault.SERVER_ERROR: 500, Fault.UNAVAILABLE: 503, Fault.DENIED: 400}
"""The HTTP status each answering fault sends (RESET and TIMEOUT send nothing)."""
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "content-length"}
)


@dataclass(frozen=True)
class Request:
    """One API request as the proxy saw it."""

    service: str
    operation: str
    params: dict[str, Any]
    """The JSON body (empty for other protocols)."""
    status: int | None
    """The HTTP status the client got; None when the connection was reset or hung."""
    fault: str | None
    """A `Fault` value, `THROTTLED`, `LIMIT`, or None."""
    forwarded: bool
    """Whether the request reached the upstream server."""
    upstream_status: int | None
    started: float
    """time.monotonic() on arrival."""
    after_forwarding: bool = False
    """The fault struck after the request was applied upstream (a lost response)."""

    @property
    def applied(self) -> bool:
        """The upstream server accepted it: for a write, the change happened."""
        return self.upstream_status is not None and 200 <= self.upstream_status < 300


class AwsProxy:
    """The proxy server; a context manager that starts and stops it."""

    def __init__(
        self,
        upstream: str,
        *,
        faults: FaultPlan = NO_FAULTS,
        throttle: bool = False,
        limits: bool = True,
    ) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        if parsed.hostname is None or parsed.port is None:
            raise ValueError(f"upstream needs a host and port: {upstream}")
        self.upstream = (parsed.hostname, parsed.port)
        self.throttle = throttle
        self.limits = limits
        self._buckets = awsrules.TokenBuckets()
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._closing = threading.Event()
        self._dice = Dice(faults)
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def faults(self) -> FaultPlan:
        return self._dice.plan

    @faults.setter
    def faults(self, plan: FaultPlan) -> None:
        """Switch to another plan (its generator starts again from its seed)."""
        self._dice = Dice(plan)

    def decide(self, operation: str) -> Decision:
        return self._dice.decide(operation)

    @property
    def requests(self) -> list[Request]:
        """Every API request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def calls(self, operation: str) -> list[Request]:
        return [r for r in self.requests if r.operation == operation]

    def drain(self, service: str, operation: str) -> None:
        """Empty the throttling bucket of `operation`: from now on it gets only the refill."""
        bucket = awsrules.bucket_of(service, operation)
        if bucket is not None:
            self._buckets.drain(bucket[0])

    def start(self) -> AwsProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> AwsProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # -- used by the handler ------------------------------------------------
    def take_token(self, service: str, operation: str) -> bool:
        bucket = awsrules.bucket_of(service, operation)
        return not self.throttle or bucket is None or self._buckets.take(*bucket)

    def record(self, request: Request) -> int:
        """Log `request`; returns its index in `requests`."""
        with self._lock:
            self._requests.append(request)
            return len(self._requests) - 1

    def amend(self, index: int, **changes: Any) -> None:
        """Change fields of a logged request (what the client finally saw)."""
        with self._lock:
            self._requests[index] = dataclasses.replace(self._requests[index], **changes)

    def pause(self, seconds: float) -> None:
        self._closing.wait(seconds)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (killed, or timed out) is no error of the proxy's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class _Incoming:
    service: str
    operation: str
    params: dict[str, Any]
    body: bytes
    json_protocol: bool
    started: float = field(default_factory=time.monotonic)


def _handler_for(proxy: AwsProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.proxy = proxy
    return Handler


class _Handler(BaseHTTPRequestHandler):
    proxy: AwsProxy
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `AwsProxy.requests`."""

    def do_GET(self) -> None:
        self._pass_through(b"")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        incoming = self._parse(body)
        if incoming is None:
            self._pass_through(body)
            return
        self._serve(incoming)

    def _parse(self, body: bytes) -> _Incoming | None:
        if self.path.startswith("/moto-api"):
            return None
        scope = _CREDENTIAL_SCOPE.search(self.headers.get("Authorization", ""))
        service = scope.group(1) if scope else "unknown"
        target = self.headers.get("X-Amz-Target")
        if target:
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                params = {}
            return _Incoming(service, target.rsplit(".", 1)[-1], params, body, json_protocol=True)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = form.get("Action", ["unknown"])[0]
        return _Incoming(service, action, {}, body, json_protocol=False)

    def _serve(self, incoming: _Incoming) -> None:
        """Refuse, break or forward the request. Each request is logged before its answer
        goes out, so that a client never sees an answer the log does not hold yet."""
        proxy = self.proxy
        if not incoming.json_protocol:
            self._forward_and_answer(incoming)
            return
        problem = (
            awsrules.violation(incoming.service, incoming.operation, incoming.params)
            if proxy.limits
            else None
        )
        if problem is not None:
            self._record(incoming, 400, LIMIT, forwarded=False, upstream=None)
            self._error(400, "InvalidParameterException", problem)
            return
        if not proxy.take_token(incoming.service, incoming.operation):
            self._record(incoming, 400, THROTTLED, forwarded=False, upstream=None)
            self._error(400, "ThrottlingException", "Rate exceeded")
            return
        decision = proxy.decide(incoming.operation)
        if decision.fault is None or decision.fault is Fault.SLOW:
            if decision.fault is Fault.SLOW:
                proxy.pause(decision.delay)
            self._forward_and_answer(incoming, decision.fault)
            return
        upstream = None
        if decision.after:
            upstream, _, _ = self._forward(incoming.body)
        self._record(
            incoming,
            _STATUS.get(decision.fault),
            decision.fault,
            forwarded=decision.after,
            upstream=upstream,
            after=decision.after,
        )
        self._fail(decision)

    def _fail(self, decision: Decision) -> None:
        """Answer with the fault (`_STATUS` tells which status it sends)."""
        if decision.fault is Fault.THROTTLE:
            self._error(400, "ThrottlingException", "Rate exceeded")
        elif decision.fault is Fault.SERVER_ERROR:
            self._error(500, "ServerException", "Internal server error (injected)")
        elif decision.fault is Fault.UNAVAILABLE:
            self._error(503, "ServiceUnavailableException", "Service unavailable (injected)")
        elif decision.fault is Fault.DENIED:
            self._error(400, "AccessDeniedException", "not authorized to perform this action")
        else:
            if decision.fault is Fault.TIMEOUT:
                self.proxy.pause(decision.delay)
            self._drop()

    def _drop(self) -> None:
        """Close the connection at once with a TCP reset, sending nothing."""
        self.close_connection = True
        linger = struct.pack("ii", 1, 0)
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.connection.close()
        except OSError:
            pass

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self.proxy.upstream, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _forward_and_answer(self, incoming: _Incoming, fault: Fault | None = None) -> None:
        """Forward, log, then relay the answer (`fault` is None or SLOW)."""
        status, headers, payload = self._forward(incoming.body)
        index = self._record(incoming, status, fault, forwarded=True, upstream=status)
        try:
            self._answer(status, headers, payload)
        except ConnectionError:  # the client gave up first (its own read timeout)
            self.close_connection = True
            self.proxy.amend(index, status=None, fault=CLIENT_GONE)

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP and name.lower() not in ("server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _pass_through(self, body: bytes) -> None:
        """Relay a request that is no API call (moto's own `/moto-api/`), unlogged."""
        self._answer(*self._forward(body))

    def _error(self, status: int, code: str, message: str) -> None:
        payload = json.dumps({"__type": code, "message": message}).encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", self.headers.get("Content-Type") or "application/x-amz-json-1.1"
        )
        self.send_header("x-amzn-RequestId", f"proxy-{time.monotonic_ns()}")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _record(
        self,
        incoming: _Incoming,
        status: int | None,
        fault: str | None,
        *,
        forwarded: bool,
        upstream: int | None,
        after: bool = False,
    ) -> int:
        return self.proxy.record(
            Request(
                service=incoming.service,
                operation=incoming.operation,
                params=incoming.params,
                status=status,
                fault=fault,
                forwarded=forwarded,
                upstream_status=upstream,
                started=incoming.started,
                after_forwarding=after,
            )
        )
