"""One HTTP/1.1 exchange on a connection of botocore's own pool, without http.client.

botocore sends through urllib3 and http.client, which rebuild and check every
header and parse the answer's headers with the `email` package: a fifth of a
no-op resync's CPU at 1,000 services. Here a request the caller has already
written out is sent in one `sendall`, and the answer is read with a few
`recv` calls: a head (status line and headers, split in one go once its empty
line is in), and a body by Content-Length, chunked, or up to the close.

The connection itself still comes from the pool botocore's `URLLib3Session`
uses for the URL, connected by urllib3 as urllib3 connects it (socket
options, timeouts, TLS context and verification), and goes back to that pool
afterwards. A failure raises what `URLLib3Session.send` (botocore 1.44.8)
raises for it, so that retries and `errors.may_have_applied` see the same
thing on both paths:

- no connection (refused, unresolved name): `EndpointConnectionError`;
- connect timeout: `ConnectTimeoutError`; read timeout: `ReadTimeoutError`;
- TLS failure: `SSLError`;
- the connection reset or closed, or an answer that is not HTTP: `ConnectionClosedError`.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from typing import Any

from botocore import exceptions as botocore_errors
from urllib3 import exceptions as urllib3_errors
from urllib3.connectionpool import HTTPConnectionPool

from controller.aws import seam

MAX_LINE = 65536
"""Longest status, header or chunk line accepted, its line end included: http.client's
`_MAXLINE`."""
MAX_HEADERS = 100
"""Header lines accepted at most, folded ones and the empty one that ends them included:
http.client's `_MAXHEADERS`."""
_RECV = 65536


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    """As sent: names in their case, in order."""
    body: bytes


class MalformedAnswerError(Exception):
    """The answer broke HTTP/1.1; urllib3 reports these as a `ProtocolError`."""


def exchange(pool: HTTPConnectionPool, url: str, request: bytes) -> Answer:
    """Send `request` (head and body, written out) on a connection of `pool`; read the answer.

    `url` names the endpoint in errors, as botocore names it.
    """
    conn = seam.borrow(pool)
    reading = False
    try:
        conn.timeout = pool.timeout.connect_timeout
        seam.prepare_connection(pool, conn)
        sock = conn.sock
        sock.settimeout(pool.timeout.read_timeout)
        sock.sendall(request)
        reading = True
        answer, keep = _read(sock)
    except BaseException as exc:
        conn.close()
        seam.give_back(pool, None)
        if isinstance(exc, Exception):
            raise _failure(exc, url, reading=reading) from exc
        raise
    if not keep:
        conn.close()
    seam.give_back(pool, conn)
    return answer


def _failure(exc: Exception, url: str, *, reading: bool) -> Exception:
    """What `URLLib3Session.send` raises for `exc` (urllib3's own mapping included)."""
    if isinstance(exc, (ssl.SSLError, ssl.CertificateError)):
        # urllib3 wraps a raw TLS error, and takes one that timed out for a read timeout
        if "timed out" not in str(exc):
            return botocore_errors.SSLError(endpoint_url=url, error=urllib3_errors.SSLError(exc))
        return botocore_errors.ReadTimeoutError(endpoint_url=url, error=exc)
    if isinstance(exc, TimeoutError) and reading:
        return botocore_errors.ReadTimeoutError(endpoint_url=url, error=exc)
    for kinds, botocore_kind in _BOTOCORE_KINDS:
        if isinstance(exc, kinds):
            failure: Exception = botocore_kind(endpoint_url=url, error=exc)
            return failure
    if isinstance(exc, (OSError, MalformedAnswerError)):
        error = urllib3_errors.ProtocolError("Connection aborted.", exc)
        return botocore_errors.ConnectionClosedError(error=error, request=None, endpoint_url=url)
    return botocore_errors.HTTPClientError(error=exc)


_BOTOCORE_KINDS: tuple[tuple[tuple[type[BaseException], ...], Any], ...] = (
    # in `URLLib3Session.send`'s order: NewConnectionError is a ConnectTimeoutError
    ((urllib3_errors.NewConnectionError, socket.gaierror), botocore_errors.EndpointConnectionError),
    ((urllib3_errors.ConnectTimeoutError,), botocore_errors.ConnectTimeoutError),
    ((urllib3_errors.SSLError,), botocore_errors.SSLError),
)


def _read(sock: Any) -> tuple[Answer, bool]:
    """The answer on `sock`, and whether the connection may serve another request."""
    reader = _Reader(sock)
    while True:
        version, status, headers = _head(reader.head())
        if status != 100:  # http.client skips interim 100 Continue answers
            break
    if version not in ("HTTP/1.0", "HTTP/0.9") and not version.startswith("HTTP/1."):
        raise MalformedAnswerError(f"unknown protocol {version[:20]!r}")  # as http.client
    fields = {name.lower(): value for name, value in headers}
    keep = version == "HTTP/1.1" and "close" not in fields.get("connection", "").lower()
    if status < 200 or status in (204, 304):
        body = b""
    elif "chunked" in fields.get("transfer-encoding", "").lower():
        body = reader.chunked()
    elif (length := _length(fields.get("content-length"))) is not None:
        body = reader.up_to(length)
        keep = keep and len(body) == length  # botocore takes a short body as it is (see below)
    else:
        body = reader.rest()
        keep = False
    if reader.pending():
        keep = False  # never reuse a connection with bytes nobody asked for
    return Answer(status, headers, body), keep


def _head(raw: bytes) -> tuple[str, int, list[tuple[str, str]]]:
    """Version, status and headers of a head read whole (each line with its end).

    Split once rather than line by line, with http.client's checks (Python 3.11
    `_read_status`, `_read_headers`): a line of MAX_LINE bytes or more with its
    end, MAX_HEADERS header lines or more (folded ones count; the blank line
    makes the limit), and a status line that is not "HTTP/... NNN".
    """
    if _too_long(raw):
        raise MalformedAnswerError("line too long")
    text = raw.decode("iso-8859-1")
    lines = text.split("\r\n")
    if len(lines) <= text.count("\n"):  # some line ends in LF alone
        lines = text.replace("\r\n", "\n").split("\n")
    lines.pop()  # the empty rest after the last line end
    if len(lines) > MAX_HEADERS:
        raise MalformedAnswerError(f"{MAX_HEADERS} header lines or more")
    version, status = _status(lines[0])
    headers: list[tuple[str, str]] = []
    for text in lines[1:]:  # never empty: the first empty line ended the head
        if text[0] in " \t" and headers:  # an obsolete folded continuation line
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {text.strip()}")
            continue
        name, colon, value = text.partition(":")
        if not colon:
            raise MalformedAnswerError(f"bad header line {text[:80]!r}")
        headers.append((name.strip(), value.strip()))
    return version, status, headers


def _status(line: str) -> tuple[str, int]:
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or len(parts[1]) != 3:
        raise MalformedAnswerError(f"bad status line {line[:80]!r}")
    try:
        status = int(parts[1])
    except ValueError:
        raise MalformedAnswerError(f"bad status line {line[:80]!r}") from None
    if status < 100:  # "099", "+99": http.client wants 100 to 999
        raise MalformedAnswerError(f"bad status line {line[:80]!r}")
    return parts[0], status


def _too_long(lines: bytes) -> bool:
    """Whether a line in `lines` has MAX_LINE bytes or more before its LF (or so far)."""
    return len(lines) >= MAX_LINE and max(map(len, lines.split(b"\n"))) >= MAX_LINE


def _length(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        return None  # http.client then reads up to the close
    return length if length >= 0 else None


class _Reader:
    """Buffered reads from a socket: `buffer[at:]` is read and not yet taken."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.buffer = b""
        self.at = 0

    def _fill(self) -> bool:
        data: bytes = self.sock.recv(_RECV)
        if not data:
            return False
        self.buffer = self.buffer[self.at :] + data if self.at < len(self.buffer) else data
        self.at = 0
        return True

    def head(self) -> bytes:
        """Status and header lines up to the first empty one (taken, not returned)."""
        scan = self.at
        while True:
            buffer = self.buffer
            end = buffer.find(b"\n\r\n", scan)
            lf = buffer.find(b"\n\n", scan, len(buffer) if end < 0 else end + 1)
            if lf >= 0:
                end, after = lf, lf + 2
            elif end >= 0:
                after = end + 3
            else:
                pending = buffer[self.at :]
                if _too_long(pending):
                    raise MalformedAnswerError("line too long")
                if pending.count(b"\n") > MAX_HEADERS:
                    raise MalformedAnswerError(f"{MAX_HEADERS} header lines or more")
                if not self._fill():
                    raise MalformedAnswerError("connection closed before a complete answer")
                scan = max(len(pending) - 2, 0)  # an empty line may straddle the two reads
                continue
            raw = buffer[self.at : end + 1]
            self.at = after
            return raw

    def line(self) -> bytes:
        """One line without its CRLF (or LF)."""
        while True:
            buffer, start = self.buffer, self.at
            end = buffer.find(b"\n", start)
            if end >= 0:
                if end - start >= MAX_LINE:
                    raise MalformedAnswerError("line too long")
                self.at = end + 1
                if end > start and buffer[end - 1] == 13:  # CR
                    end -= 1
                return buffer[start:end]
            if len(buffer) - start >= MAX_LINE:
                raise MalformedAnswerError("line too long")
            if not self._fill():
                raise MalformedAnswerError("connection closed before a complete answer")

    def exactly(self, size: int) -> bytes:
        data = self.up_to(size)
        if len(data) < size:
            raise MalformedAnswerError("connection closed before the whole body")
        return data

    def up_to(self, size: int) -> bytes:
        """`size` bytes, or fewer when the connection closes first: botocore reads with
        `enforce_content_length=False` and takes a short body as it came."""
        start, end = self.at, self.at + size
        if end <= len(self.buffer):  # all in hand: one slice
            self.at = end
            return self.buffer[start:end]
        parts = [self.buffer[start:]]
        missing = end - len(self.buffer)
        while missing > 0:
            data: bytes = self.sock.recv(_RECV)
            if not data:
                break
            parts.append(data)
            missing -= len(data)
        self.buffer, self.at = b"", 0
        if missing < 0:  # the last read went past the end
            last = parts[-1]
            parts[-1], self.buffer = last[:missing], last[missing:]
        return b"".join(parts)

    def chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size_text = self.line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise MalformedAnswerError(f"bad chunk size {size_text[:20]!r}") from None
            if size == 0:
                while self.line():  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            parts.append(self.exactly(size))
            if self.line():
                raise MalformedAnswerError("chunk not followed by CRLF")

    def rest(self) -> bytes:
        parts = [self.buffer[self.at :]]
        while data := self.sock.recv(_RECV):
            parts.append(data)
        self.buffer, self.at = b"", 0
        return b"".join(parts)

    def pending(self) -> bool:
        return self.at < len(self.buffer)
