"""The daemon's HTTP endpoints: probes, metrics, status and the Git webhook.

| route             | answer                                                         |
|-------------------|----------------------------------------------------------------|
| `GET /healthz`    | 200 while the loop is alive, else 503 (liveness probe)         |
| `GET /readyz`     | 200 once ready (first sync done), else 503 (readiness probe)   |
| `GET /metrics`    | Prometheus exposition text                                     |
| `GET /status`     | JSON of the status board (what `ecsync status` renders)        |
| `POST /hooks/git` | GitHub-style signed push hook: 202 and a poll of the source    |

The stdlib server is enough: these are a handful of small, rare requests.
Requests are logged at debug level through structlog (`http_request`),
never to stderr.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import structlog

from controller.daemon.metrics import Metrics
from controller.daemon.status import StatusBoard

log = structlog.get_logger()

MAX_BODY = 1 << 20
"""Webhook bodies above 1 MiB are refused (413)."""

SIGNATURE_HEADER = "X-Hub-Signature-256"

_TEXT = "text/plain; charset=utf-8"
_JSON = "application/json"
_DRAIN_SECONDS = 1.0
_WEBHOOK_DISABLED = (
    "the Git webhook is not enabled: it needs a Git source and a webhook secret "
    "given to `ecsync run` (see `ecsync run --help`)"
)


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """True when `header` is `sha256=<hex HMAC-SHA256(secret, body)>`, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    given = header.removeprefix("sha256=").strip().lower().encode()
    return hmac.compare_digest(expected, given)


@dataclass(frozen=True)
class _Response:
    status: HTTPStatus
    body: bytes
    content_type: str = _TEXT
    headers: tuple[tuple[str, str], ...] = ()


def _json(status: HTTPStatus, doc: Any, headers: tuple[tuple[str, str], ...] = ()) -> _Response:
    return _Response(status, json.dumps(doc).encode() + b"\n", _JSON, headers)


_Route = Callable[["_Handler"], _Response]


class ListenError(OSError):
    """The `--listen` address cannot be bound (in use, not this machine's, not allowed)."""

    def __init__(self, listen: str, cause: OSError) -> None:
        reason = str(cause.strerror or cause)
        reason = reason[:1].lower() + reason[1:]
        super().__init__(
            cause.errno,
            f"cannot listen on {listen}: {reason}; choose another with --listen or ECSYNC_LISTEN",
        )

    def __str__(self) -> str:
        return str(self.strerror)


class HttpServer:
    def __init__(
        self,
        listen: str,
        *,
        board: StatusBoard,
        metrics: Metrics,
        alive: Callable[[], bool],
        ready: Callable[[], bool],
        on_webhook: Callable[[], None] | None = None,
        webhook_secret: bytes | None = None,
    ) -> None:
        self._listen = listen
        self._board = board
        self._metrics = metrics
        self._alive = alive
        self._ready = ready
        self._on_webhook = on_webhook
        self._secret = webhook_secret
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._routes: dict[str, dict[str, _Route]] = {
            "/healthz": {"GET": self._healthz},
            "/readyz": {"GET": self._readyz},
            "/metrics": {"GET": self._metrics_text},
            "/status": {"GET": self._status},
            "/hooks/git": {"POST": self._webhook},
        }

    def start(self) -> None:
        """Bind `listen` and serve from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("HttpServer already started")
        host, port = parse_listen(self._listen)
        try:
            server = _Server((host, port), self)
        except OSError as error:
            raise ListenError(self._listen, error) from None
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="ecsync-http",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread

    def stop(self) -> None:
        """Stop serving; returns within about 0.1 s. Requests in flight are abandoned."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        thread.join(timeout=1.0)

    @property
    def address(self) -> str:
        """The bound "host:port" (the real port when `listen` asked for port 0)."""
        if self._server is None:
            raise RuntimeError("HttpServer is not started")
        host, port = self._server.server_address[:2]
        host = str(host)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def _respond(self, request: _Handler) -> _Response:
        """Route one request: 404 for unknown paths, 405 for wrong methods, 500 on a bug."""
        path = urlsplit(request.path).path
        routes = self._routes.get(path)
        if routes is None:
            error = f"no {path} here; try {', '.join(self._routes)}"
            return _json(HTTPStatus.NOT_FOUND, {"error": error})
        allowed = [*routes, "HEAD"] if "GET" in routes else list(routes)
        route = routes.get("GET" if request.command == "HEAD" else request.command)
        if route is None:
            request.close_connection = True
            error = f"{request.command} is not allowed on {path}; use {', '.join(allowed)}"
            allow = (("Allow", ", ".join(allowed)),)
            return _json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": error}, allow)
        try:
            return route(request)
        except (TimeoutError, ConnectionError):
            raise  # the connection broke or stalled: there is no one to answer
        except Exception:
            log.exception("http_handler_failed", method=request.command, path=path)
            return _json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error"})

    # -- routes ------------------------------------------------------------
    def _healthz(self, request: _Handler) -> _Response:
        if self._alive():
            return _Response(HTTPStatus.OK, b"ok\n")
        return _Response(HTTPStatus.SERVICE_UNAVAILABLE, b"unhealthy\n")

    def _readyz(self, request: _Handler) -> _Response:
        if self._ready():
            return _Response(HTTPStatus.OK, b"ok\n")
        return _Response(HTTPStatus.SERVICE_UNAVAILABLE, b"not ready\n")

    def _metrics_text(self, request: _Handler) -> _Response:
        return _Response(HTTPStatus.OK, self._metrics.render(), self._metrics.content_type)

    def _status(self, request: _Handler) -> _Response:
        return _json(HTTPStatus.OK, self._board.snapshot())

    def _webhook(self, request: _Handler) -> _Response:
        if self._secret is None or self._on_webhook is None:
            return _json(HTTPStatus.NOT_FOUND, {"error": _WEBHOOK_DISABLED})
        size = _content_length(request.headers.get("Content-Length"))
        if size is None:
            return _json(HTTPStatus.LENGTH_REQUIRED, {"error": "a Content-Length is required"})
        if size > MAX_BODY:
            request.close_connection = True
            _discard(request.rfile, size)
            error = f"webhook body of {size} bytes is over the {MAX_BODY}-byte limit"
            return _json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": error})
        body = request.rfile.read(size)
        delivery = {
            "github_event": request.headers.get("X-GitHub-Event"),
            "delivery": request.headers.get("X-GitHub-Delivery"),
        }
        if not verify_signature(self._secret, body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("webhook_rejected", reason=f"missing or bad {SIGNATURE_HEADER}", **delivery)
            error = f"missing or invalid {SIGNATURE_HEADER}; check the webhook secret"
            return _json(HTTPStatus.UNAUTHORIZED, {"error": error})
        self._on_webhook()
        log.info("webhook_received", **delivery)
        return _json(HTTPStatus.ACCEPTED, {"status": "accepted"})


def parse_listen(listen: str) -> tuple[str, int]:
    """Split "host:port", "[v6]:port" or ":port" (every interface) into (host, port)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"listen address must be host:port (port 0 picks one), got {listen!r}")
    host = host.removeprefix("[").removesuffix("]")
    return host or "0.0.0.0", int(port)  # noqa: S104 - ":port" asks for every interface


def _content_length(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _discard(stream: io.BufferedIOBase, size: int) -> None:
    """Read and drop an over-long body for a short while, so the client sees our 413.

    Closing with unread data makes the kernel reset the connection, and a
    client still sending would get a broken pipe instead of the answer. The
    deadline bounds what a hostile client can cost.
    """
    deadline = time.monotonic() + _DRAIN_SECONDS
    while size > 0 and time.monotonic() < deadline:
        chunk = stream.read(min(size, 64 * 1024))
        if not chunk:
            return
        size -= len(chunk)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: HttpServer) -> None:
        self.app = app
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind also does a reverse DNS lookup of the host,
        # which can hang for seconds where DNS is broken; we never use the name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("http_handler_failed", client=client_address[0], exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10
    server_version = "ecsync"
    sys_version = ""

    def do_GET(self) -> None:
        self._send(self.server.app._respond(self))

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _send(self, response: _Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(code) if isinstance(code, int) else code
        log.debug(
            "http_request",
            method=self.command,
            path=self.path,
            status=status,
            client=self.client_address[0],
        )

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http_request", message=format % args, client=self.client_address[0])
