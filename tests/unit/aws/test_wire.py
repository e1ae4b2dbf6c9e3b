"""The lean path's HTTP exchange against botocore's own `URLLib3Session.send`, on a scripted server."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest
from botocore.httpsession import URLLib3Session

from controller.aws import seam, wire
from tests.support.rawhttp import RawServer

Script = Callable[[socket.socket], bool]
"""Answers one request on a connection; returns whether to keep serving it."""

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 13\r\n\r\n"


def answer(raw: bytes) -> Script:
    def script(conn: socket.socket) -> bool:
        conn.sendall(raw)
        return True

    return script


def answer_and_close(raw: bytes) -> Script:
    def script(conn: socket.socket) -> bool:
        conn.sendall(raw)
        return False

    return script


def reset(conn: socket.socket) -> bool:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return False


def hang(conn: socket.socket) -> bool:
    time.sleep(0.6)
    return False


class Server(RawServer):
    """Answers each request with `script`; counts connections."""

    def __init__(self, script: Script) -> None:
        super().__init__(lambda conn, _head, _body: script(conn))
        self.url = self.endpoint + "/"


@pytest.fixture
def serve() -> Iterator[Callable[[Script], Server]]:
    servers: list[Server] = []

    def start(script: Script) -> Server:
        servers.append(Server(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def new_session() -> URLLib3Session:
    """botocore's HTTP session with a 1 s connect and a 0.3 s read timeout."""
    timeouts: Any = (1, 0.3)  # the stubs say int; botocore takes (connect, read) too
    return URLLib3Session(timeout=timeouts)


def botocore_outcome(session: URLLib3Session, url: str) -> tuple[object, ...]:
    request = AWSRequest(method="POST", url=url, data=b"{}", headers={"X-Test": "1"}).prepare()
    try:
        response = session.send(request)
    except Exception as exc:  # the outcome compared is the exception itself
        return (type(exc), str(exc))
    return (response.status_code, response.content)


def lean_outcome(session: URLLib3Session, url: str) -> tuple[object, ...]:
    pool = seam.url_pool(session, url)
    host = url.split("/")[2]
    request = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n"
        "X-Test: 1\r\nContent-Length: 2\r\n\r\n{}"
    ).encode()
    try:
        answer = wire.exchange(pool, url, request)
    except Exception as exc:
        return (type(exc), str(exc))
    return (answer.status, answer.body)


SCENARIOS: dict[str, Script] = {
    "content-length": answer(OK + b'{"ok": "yes"}'),
    "chunked with trailers": answer(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5;ext=1\r\n{"ok"\r\n8\r\n: "yes"}\r\n0\r\nX-Trailer: t\r\n\r\n'
    ),
    "body up to the close": answer_and_close(b'HTTP/1.1 200 OK\r\n\r\n{"ok": "yes"}'),
    "HTTP/1.0": answer_and_close(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
    "100 Continue first": answer(b"HTTP/1.1 100 Continue\r\n\r\n" + OK + b'{"ok": "yes"}'),
    "error status": answer(
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 48\r\n\r\n"
        b'{"__type": "ThrottlingException", "message": "x"}'[:48]
    ),
    "no status line": answer_and_close(b"garbage\r\n\r\n"),
    "closed without an answer": lambda conn: False,
    "reset": reset,
    "body cut short": answer_and_close(OK + b"{}"),
    "chunks cut short": answer_and_close(
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"ok"\r\n8\r\n: '
    ),
    "no answer within the read timeout": hang,
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_each_outcome_is_the_one_botocore_gives(
    serve: Callable[[Script], Server], scenario: str
) -> None:
    """An answer reads as botocore reads it, and a broken one raises the exception
    botocore raises (type and message), so retries see the same failure."""
    server = serve(SCENARIOS[scenario])
    session = new_session()

    assert lean_outcome(session, server.url) == botocore_outcome(session, server.url)


def test_refused_connections_raise_what_botocore_raises(unused_port: int) -> None:
    """Nothing listening: EndpointConnectionError on both paths."""
    url = f"http://127.0.0.1:{unused_port}/"
    session = new_session()

    outcome = lean_outcome(session, url)

    assert outcome == botocore_outcome(session, url)
    assert outcome[0].__name__ == "EndpointConnectionError"  # type: ignore[attr-defined]


def test_a_kept_alive_connection_serves_the_next_request(
    serve: Callable[[Script], Server],
) -> None:
    """Answers with a length on HTTP/1.1 leave the connection in the pool for the next read,
    shared with botocore's own requests."""
    server = serve(SCENARIOS["content-length"])
    session = new_session()

    outcomes = [lean_outcome(session, server.url), botocore_outcome(session, server.url)]
    outcomes.append(lean_outcome(session, server.url))

    assert outcomes == [(200, b'{"ok": "yes"}')] * 3
    assert server.connections == 1


@pytest.mark.parametrize("scenario", ["body up to the close", "HTTP/1.0", "reset"])
def test_a_connection_that_cannot_serve_again_is_not_reused(
    serve: Callable[[Script], Server], scenario: str
) -> None:
    """After an answer read up to the close, an HTTP/1.0 one or a failure, the next request
    opens a new connection."""
    server = serve(SCENARIOS[scenario])
    session = new_session()

    lean_outcome(session, server.url)
    lean_outcome(session, server.url)

    assert server.connections == 2


def test_a_connection_the_server_dropped_while_idle_is_replaced(
    serve: Callable[[Script], Server],
) -> None:
    """A pooled connection the server closed since is noticed and replaced before sending."""
    server = serve(answer_and_close(OK[: -len(b"\r\n\r\n")] + b"\r\n\r\n" + b'{"ok": "yes"}'))
    session = new_session()

    first = lean_outcome(session, server.url)
    time.sleep(0.05)
    second = lean_outcome(session, server.url)

    assert first == second == (200, b'{"ok": "yes"}')
    assert server.connections == 2
