"""A Git remote over plain HTTP on 127.0.0.1 that can start refusing every credential.

It serves a folder of bare repositories as static files: Git's "dumb" HTTP
protocol, which needs nothing but `git update-server-info` after each change.
With `refuse = True` every request gets 401 and a Basic challenge, as a Git
host does once a token has been revoked.
"""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path
from typing import Any


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        if self.headers.get("Authorization"):
            self.server.credentials_seen += 1
        if self.server.refuse:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows the test's own output."""


class _Server(http.server.ThreadingHTTPServer):
    refuse = False
    credentials_seen = 0


class GitHttpServer:
    """Serves `root` at `http://127.0.0.1:<port>/` until `stop()`."""

    def __init__(self, root: Path) -> None:
        self._server = _Server(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    @property
    def refuse(self) -> bool:
        return self._server.refuse

    @refuse.setter
    def refuse(self, value: bool) -> None:
        self._server.refuse = value

    @property
    def credentials_seen(self) -> int:
        """Requests that carried an Authorization header."""
        return self._server.credentials_seen

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
