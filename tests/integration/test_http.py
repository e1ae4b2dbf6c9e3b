"""The daemon's HTTP endpoints over a real socket on 127.0.0.1, driven with urllib."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message

import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families

from controller.core.kinds import Kind, ResourceId
from controller.daemon.http import MAX_BODY, HttpServer, parse_listen, verify_signature
from controller.daemon.metrics import Metrics
from controller.daemon.status import StatusBoard, SyncState
from controller.reconcile.health import Health

SECRET = b"It's a Secret to Everybody"
PUSH = json.dumps({"ref": "refs/heads/main", "after": "4f2c1e9"}).encode()


def sign(body: bytes, secret: bytes = SECRET) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass
class Probe:
    alive: bool = True
    ready: bool = False
    hooks: int = 0
    fail_hook: bool = False

    def hook(self) -> None:
        if self.fail_hook:
            raise RuntimeError("queue closed")
        self.hooks += 1


@dataclass
class Served:
    server: HttpServer
    board: StatusBoard
    metrics: Metrics
    probe: Probe
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.base = f"http://{self.server.address}"


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def json(self) -> dict[str, object]:
        doc = json.loads(self.body)
        assert isinstance(doc, dict)
        return doc


def call(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> Reply:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read())


def make_server(probe: Probe, **overrides: object) -> Served:
    board, metrics = StatusBoard(), Metrics()
    options: dict[str, object] = {
        "board": board,
        "metrics": metrics,
        "alive": lambda: probe.alive,
        "ready": lambda: probe.ready,
        "on_webhook": probe.hook,
        "webhook_secret": SECRET,
    } | overrides
    server = HttpServer("127.0.0.1:0", **options)  # type: ignore[arg-type]
    server.start()
    return Served(server, board, metrics, probe)


@pytest.fixture
def served() -> Iterator[Served]:
    """A running server with the usual options, on a free port; stopped at the end."""
    running = make_server(Probe())
    yield running
    running.server.stop()


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """Starts servers with the given options overridden; all are stopped at the end."""
    started: list[Served] = []

    def start(**overrides: object) -> Served:
        started.append(make_server(Probe(), **overrides))
        return started[-1]

    yield start
    for running in started:
        running.server.stop()


def test_address_reports_the_bound_port(served: Served) -> None:
    """With port 0 the server binds a free port and `address` names it."""
    host, port = served.server.address.rsplit(":", 1)
    assert host == "127.0.0.1"
    assert int(port) > 0


def test_healthz(served: Served) -> None:
    """/healthz answers 200 "ok" while alive() is true and 503 once it is false."""
    reply = call(served.base + "/healthz")
    assert (reply.status, reply.body) == (200, b"ok\n")
    served.probe.alive = False
    assert call(served.base + "/healthz").status == 503


def test_readyz_flips_with_readiness(served: Served) -> None:
    """/readyz answers 503 until ready() turns true, then 200."""
    assert call(served.base + "/readyz").status == 503
    served.probe.ready = True
    assert call(served.base + "/readyz").status == 200


def test_head_answers_headers_only(served: Served) -> None:
    """HEAD on a GET route gets the GET status and headers with an empty body."""
    reply = call(served.base + "/healthz", method="HEAD")
    assert (reply.status, reply.body) == (200, b"")
    assert reply.headers["Content-Length"] == "3"


def test_metrics_exposition(served: Served) -> None:
    """/metrics serves the Prometheus text of the daemon's own registry."""
    served.metrics.set_queue_depth(5)
    reply = call(served.base + "/metrics")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == Metrics.content_type
    families = {f.name: f for f in text_string_to_metric_families(reply.body.decode())}
    assert families["ecsync_queue_depth"].samples[0].value == 5


def test_status_is_the_board_snapshot(served: Served) -> None:
    """/status serves board.snapshot() as JSON."""
    served.board.set_source("manifests/", None)
    served.board.update(
        ResourceId(Kind.SERVICE, "web", "prod"), sync=SyncState.SYNCED, health=Health.HEALTHY
    )
    reply = call(served.base + "/status?verbose=1")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == served.board.snapshot()


def test_webhook_with_valid_signature(served: Served) -> None:
    """A correctly signed push is accepted with 202 and triggers on_webhook once."""
    headers = {"X-Hub-Signature-256": sign(PUSH), "X-GitHub-Event": "push"}
    reply = call(served.base + "/hooks/git", "POST", PUSH, headers)
    assert reply.status == 202
    assert served.probe.hooks == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": sign(PUSH, b"wrong secret")},
        {"X-Hub-Signature-256": sign(PUSH + b" ")},
        {"X-Hub-Signature-256": "sha1=" + hmac.new(SECRET, PUSH, hashlib.sha1).hexdigest()},
    ],
    ids=["missing", "wrong-secret", "other-body", "sha1"],
)
def test_webhook_bad_signature(served: Served, headers: dict[str, str]) -> None:
    """A missing or wrong signature gets 401 with a JSON error, and nothing is triggered."""
    reply = call(served.base + "/hooks/git", "POST", PUSH, headers)
    assert reply.status == 401
    assert "X-Hub-Signature-256" in str(reply.json()["error"])
    assert served.probe.hooks == 0


def test_webhook_rejection_is_logged(served: Served) -> None:
    """A rejected delivery is logged as webhook_rejected with the GitHub delivery id."""
    headers = {"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"}
    with structlog.testing.capture_logs() as logs:
        call(served.base + "/hooks/git", "POST", PUSH, headers)
    rejected = [e for e in logs if e["event"] == "webhook_rejected"]
    assert rejected[0]["delivery"] == "72d3162e-cc78-11e3-81ab-4c9367dc0958"


def test_webhook_body_too_large(served: Served) -> None:
    """A body over 1 MiB gets 413 before any signature check, and nothing is triggered."""
    body = b"x" * (MAX_BODY + 1)
    reply = call(served.base + "/hooks/git", "POST", body, {"X-Hub-Signature-256": sign(body)})
    assert reply.status == 413
    assert served.probe.hooks == 0


def test_webhook_body_at_the_limit(served: Served) -> None:
    """A signed body of exactly 1 MiB is still accepted."""
    body = b"x" * MAX_BODY
    reply = call(served.base + "/hooks/git", "POST", body, {"X-Hub-Signature-256": sign(body)})
    assert reply.status == 202


def test_webhook_without_content_length(served: Served) -> None:
    """A POST with no Content-Length gets 411 rather than a hung read."""
    host, port = served.server.address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.putrequest("POST", "/hooks/git")
        connection.putheader("X-Hub-Signature-256", sign(b""))
        connection.endheaders()
        assert connection.getresponse().status == 411
    finally:
        connection.close()


@pytest.mark.parametrize(
    "overrides",
    [{"webhook_secret": None}, {"on_webhook": None}],
    ids=["no-secret", "no-callback"],
)
def test_webhook_disabled(serve: Callable[..., Served], overrides: dict[str, object]) -> None:
    """Without a secret or a callback the hook is 404 with a JSON error saying how to enable it."""
    running = serve(**overrides)
    headers = {"X-Hub-Signature-256": sign(PUSH)}
    reply = call(running.base + "/hooks/git", "POST", PUSH, headers)
    assert reply.status == 404
    assert "webhook secret" in str(reply.json()["error"])
    assert running.probe.hooks == 0


def test_webhook_callback_failure_is_500(served: Served) -> None:
    """If on_webhook raises, the sender gets 500 and the failure is logged."""
    served.probe.fail_hook = True
    with structlog.testing.capture_logs() as logs:
        reply = call(served.base + "/hooks/git", "POST", PUSH, {"X-Hub-Signature-256": sign(PUSH)})
    assert reply.status == 500
    assert any(e["event"] == "http_handler_failed" for e in logs)


def test_unknown_path_is_404(served: Served) -> None:
    """A path no route serves gets 404 with a JSON error listing the routes."""
    reply = call(served.base + "/nope")
    assert reply.status == 404
    assert "/healthz" in str(reply.json()["error"])


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/healthz", "GET, HEAD"),
        ("GET", "/hooks/git", "POST"),
        ("DELETE", "/status", "GET, HEAD"),
    ],
)
def test_wrong_method_is_405(served: Served, method: str, path: str, allow: str) -> None:
    """A known path with the wrong method gets 405 and an Allow header."""
    reply = call(served.base + path, method, b"" if method == "POST" else None)
    assert reply.status == 405
    assert reply.headers["Allow"] == allow


def test_requests_log_at_debug_not_stderr(
    served: Served, capfd: pytest.CaptureFixture[str]
) -> None:
    """Each request is logged as a debug http_request event, and nothing goes to stderr."""
    with structlog.testing.capture_logs() as logs:
        call(served.base + "/healthz")
    assert {
        "event": "http_request",
        "log_level": "debug",
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "client": "127.0.0.1",
    } in logs
    assert capfd.readouterr().err == ""


def test_stop_is_quick_and_closes_the_port(serve: Callable[..., Served]) -> None:
    """stop() returns within a second, the port then refuses connections, and stopping again is harmless."""
    running = serve()
    host, port = running.server.address.rsplit(":", 1)
    call(running.base + "/healthz")
    started = time.monotonic()
    running.server.stop()
    assert time.monotonic() - started < 1.0
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((host, int(port)), timeout=1),
    ):
        pass
    running.server.stop()


def test_start_twice_is_an_error(served: Served) -> None:
    """Starting a running server again is refused."""
    with pytest.raises(RuntimeError, match="already started"):
        served.server.start()


def test_port_in_use_names_the_address(served: Served) -> None:
    """Binding a port already in use fails with an error naming the address and --listen."""
    other = HttpServer(
        served.server.address,
        board=served.board,
        metrics=served.metrics,
        alive=lambda: True,
        ready=lambda: True,
    )
    with pytest.raises(OSError, match=f"cannot listen on {served.server.address}.*--listen"):
        other.start()


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("[::1]:0", ("::1", 0)),
        (":9090", ("0.0.0.0", 9090)),
    ],
)
def test_parse_listen(listen: str, expected: tuple[str, int]) -> None:
    """host:port, [v6]:port and :port are understood."""
    assert parse_listen(listen) == expected


@pytest.mark.parametrize("listen", ["8080", "localhost", "127.0.0.1:http", "127.0.0.1:70000"])
def test_parse_listen_rejects(listen: str) -> None:
    """Anything but host:port with a numeric port is a ValueError that shows the input."""
    with pytest.raises(ValueError, match="host:port"):
        parse_listen(listen)


def test_verify_signature() -> None:
    """Only sha256=<hex HMAC of exactly this body with this secret> verifies; hex case is ignored."""
    good = sign(PUSH)
    assert verify_signature(SECRET, PUSH, good)
    assert verify_signature(SECRET, PUSH, good.upper().replace("SHA256=", "sha256="))
    assert not verify_signature(SECRET, PUSH, None)
    assert not verify_signature(SECRET, PUSH, "")
    assert not verify_signature(SECRET, PUSH, good.removeprefix("sha256="))
    assert not verify_signature(SECRET, PUSH, "sha256=")
    assert not verify_signature(SECRET, PUSH, "sha256=ünïcode")
