"""Running the real `ecsync run` as a subprocess and reading its JSON logs."""

from __future__ import annotations

import json
import queue
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.support.cli import ECSYNC, aws_env

Event = dict[str, Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Daemon:
    """`ecsync run` against a moto endpoint (None: the caller passes `--local`); every JSON log
    line is kept."""

    def __init__(self, endpoint: str | None, args: Sequence[str], cache_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = aws_env()
        command = [
            ECSYNC,
            "run",
            *(("--endpoint-url", endpoint) if endpoint else ()),
            "--listen",
            f"127.0.0.1:{self.port}",
            "--log-format",
            "json",
            "--cache-dir",
            str(cache_dir),
            *args,
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True
        )
        self.events: list[Event] = []
        self.lines: list[str] = []
        self._incoming: queue.Queue[Event] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(event, dict):
                self.events.append(event)
                self._incoming.put(event)

    def wait_for(
        self, name: str, where: Callable[[Event], bool] = lambda e: True, timeout: float = 30
    ) -> Event:
        """The first event called `name` (already seen or coming) that matches `where`."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for event in self.events[seen:]:
                seen += 1
                if event.get("event") == name and where(event):
                    return event
            if self.process.poll() is not None and seen >= len(self.events):
                break
            time.sleep(0.05)
        tail = "".join(self.lines[-200:])
        raise AssertionError(f"no {name!r} event within {timeout}s; last output:\n{tail}")

    def named(self, name: str) -> list[Event]:
        return [e for e in self.events if e.get("event") == name]

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, path: str, body: bytes, *, signature: str) -> tuple[int, bytes]:
        """POST `body` as a GitHub webhook delivery signed with `signature`."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-GitHub-Event": "push",
                "X-Hub-Signature-256": signature,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_http(self, path: str, status: int = 200, timeout: float = 30) -> bytes:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                code, body = self.get(path)
                if code == status:
                    return body
                last = code
            except OSError as error:
                last = error
            time.sleep(0.1)
        raise AssertionError(f"{path} never answered {status} (last: {last})")

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, then wait; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        """Let the reader drain what is left, then close the pipe."""
        self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Daemons:
    """Starts `ecsync run ARGS...` on one endpoint, each daemon with a cache folder of its own
    under `workdir`, and kills every one still running at the end."""

    def __init__(self, endpoint: str | None, workdir: Path) -> None:
        self.endpoint = endpoint
        self.workdir = workdir
        self.started: list[Daemon] = []

    def __call__(self, *args: str) -> Daemon:
        daemon = Daemon(self.endpoint, args, self.workdir / f"cache-{len(self.started)}")
        self.started.append(daemon)
        return daemon

    def kill_all(self) -> None:
        for daemon in self.started:
            daemon.kill()
