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
from controller.aws.wire import MAX_LINE
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


def head_of(fillers: int) -> bytes:
    """A 200 head of `fillers` header lines and a Content-Length of 2."""
    lines = b"".join(b"X-Filler-%d: x\r\n" % n for n in range(fillers))
    return b"HTTP/1.1 200 OK\r\n" + lines + b"Content-Length: 2\r\n\r\n"


def head_with_line(size: int) -> bytes:
    """A 200 head with a Content-Length of 2 and a header line of `size` bytes with its CRLF."""
    line = b"X-Big: " + b"x" * (size - len(b"X-Big: \r\n")) + b"\r\n"
    return b"HTTP/1.1 200 OK\r\n" + line + b"Content-Length: 2\r\n\r\n"


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
    "LF-only line ends": answer(b"HTTP/1.1 200 OK\nContent-Length: 2\n\n{}"),
    "folded header": answer(b"HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\n{}"),
    "99 header lines": answer(head_of(98) + b"{}"),
    "100 header lines": answer(head_of(99) + b"{}"),
    "longest header line": answer(head_with_line(MAX_LINE) + b"{}"),
    "header line one byte too long": answer(head_with_line(MAX_LINE + 1) + b"{}"),
    "status below 100": answer(b"HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\n{}"),
    "unknown protocol": answer(b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
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


class ScriptedSocket:
    """A socket whose `recv` hands out prepared chunks; then the close, or with `stall`
    a timeout, as a server that sends nothing more."""

    def __init__(self, chunks: list[bytes], *, stall: bool = False) -> None:
        self.chunks = list(chunks)
        self.stall = stall

    def recv(self, size: int) -> bytes:
        if not self.chunks:
            if self.stall:
                raise TimeoutError("the server sends nothing more")
            return b""
        chunk = self.chunks.pop(0)
        assert len(chunk) <= size
        return chunk


def read(chunks: list[bytes], *, stall: bool = False) -> tuple[wire.Answer, bool]:
    return wire._read(ScriptedSocket(chunks, stall=stall))


def pieces(raw: bytes, size: int) -> list[bytes]:
    return [raw[at : at + size] for at in range(0, len(raw), size)]


CONTINUE = b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
HEADS = {
    "CRLF": b"HTTP/1.1 200 OK\r\nServer: s\r\nx-amzn-RequestId: r-1\r\nContent-Length: 13\r\n\r\n",
    "LF": b"HTTP/1.1 200 OK\nServer: s\nx-amzn-RequestId: r-1\nContent-Length: 13\n\n",
    "CRLF lines, LF end": b"HTTP/1.1 200 OK\r\nServer: s\r\nx-amzn-RequestId: r-1\r\n"
    b"Content-Length: 13\r\n\n",
}
BODY = b'{"ok": "yes"}'
EXPECTED = wire.Answer(
    200, [("Server", "s"), ("x-amzn-RequestId", "r-1"), ("Content-Length", "13")], BODY
)


@pytest.mark.parametrize("ends", sorted(HEADS))
@pytest.mark.parametrize("interim", [b"", CONTINUE, CONTINUE * 2])
def test_an_answer_split_anywhere_reads_as_one(ends: str, interim: bytes) -> None:
    """Status, headers and body read the same whatever recv call each byte comes in,
    with CRLF or LF-only line ends, after any number of interim 100 Continue answers."""
    raw = interim + HEADS[ends] + BODY

    outcomes = [read([raw[:at], raw[at:]]) for at in range(1, len(raw))]
    outcomes.append(read(pieces(raw, 1)))

    assert [outcome for outcome in outcomes if outcome != (EXPECTED, True)] == []


def test_a_head_larger_than_one_recv_reads_whole() -> None:
    """A head of more than 64 KiB, over several full recv calls, keeps every header."""
    big = [(f"X-Big-{n}", "v" * 5000) for n in range(20)]
    lines = "".join(f"{name}: {value}\r\n" for name, value in big)
    raw = f"HTTP/1.1 200 OK\r\n{lines}Content-Length: 13\r\n\r\n".encode() + BODY

    answer, keep = read(pieces(raw, 65536))

    assert answer == wire.Answer(200, [*big, ("Content-Length", "13")], BODY)
    assert keep


def test_folded_lines_continue_the_header_before() -> None:
    """An obsolete folded line (leading space or tab) joins the value above with one space."""
    raw = b"HTTP/1.1 200 OK\r\nX-A: a\r\n  b\r\n\tc \r\nX-B: d\r\nContent-Length: 0\r\n\r\n"

    answer, _ = read([raw])

    assert answer.headers == [("X-A", "a b c"), ("X-B", "d"), ("Content-Length", "0")]


@pytest.mark.parametrize(
    ("lines", "folded", "accepted"),
    [(98, 0, True), (99, 0, False), (97, 1, True), (98, 1, False)],  # + Content-Length
)
def test_header_lines_are_limited_as_http_client_limits_them(
    lines: int, folded: int, accepted: bool
) -> None:
    """99 header lines pass and 100 fail, folded lines counted (the empty line makes 100)."""
    raw = head_of(lines).replace(b"x\r\n", b"x\r\n" + b" more\r\n" * folded, 1)

    if accepted:
        assert read([raw + b"{}"])[0].body == b"{}"
    else:
        with pytest.raises(wire.MalformedAnswerError, match="header lines"):
            read([raw + b"{}"])


@pytest.mark.parametrize(
    ("raw", "accepted"),
    [
        (head_with_line(MAX_LINE), True),
        (head_with_line(MAX_LINE + 1), False),
        (head_with_line(MAX_LINE + 1).replace(b"\r\n", b"\n"), True),
        (head_with_line(MAX_LINE + 2).replace(b"\r\n", b"\n"), False),
        (b"HTTP/1.1 200 " + b"O" * MAX_LINE + b"\r\nContent-Length: 2\r\n\r\n", False),
    ],
    ids=["CRLF at the limit", "CRLF over", "LF at the limit", "LF over", "status line over"],
)
def test_a_line_is_limited_as_http_client_limits_it(raw: bytes, accepted: bool) -> None:
    """A line of MAX_LINE bytes with its line end passes, and one byte more fails."""
    chunks = pieces(raw + b"{}", 65536)

    if accepted:
        assert read(chunks)[0].body == b"{}"
    else:
        with pytest.raises(wire.MalformedAnswerError, match="line too long"):
            read(chunks)


@pytest.mark.parametrize(
    "partial",
    [
        head_with_line(MAX_LINE + 1)[:-10],
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"x" * MAX_LINE,
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 100,
    ],
    ids=["a line too long", "a line too long so far", "too many lines"],
)
def test_a_head_that_cannot_pass_fails_before_its_end(partial: bytes) -> None:
    """A line too long or too many lines fail as soon as they are in, without waiting
    for the empty line that would end the head."""
    with pytest.raises(wire.MalformedAnswerError):
        read(pieces(partial, 4096), stall=True)


def test_a_body_beyond_its_length_leaves_the_connection_out_of_the_pool() -> None:
    """Bytes after the body by Content-Length that come with its last part mean the
    connection is not reused; the body is cut at its length."""
    head = HEADS["CRLF"]
    raw = head + BODY + b"extra"

    outcomes = [read([raw[:at], raw[at:]]) for at in range(len(head), len(head + BODY))]

    assert [outcome for outcome in outcomes if outcome != (EXPECTED, False)] == []
