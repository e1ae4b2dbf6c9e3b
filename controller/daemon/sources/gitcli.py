"""Running the system `git` safely: never prompting, always bounded, never leaking secrets.

- Authentication is git's own business: SSH keys, `GIT_SSH_COMMAND`,
  credential helpers, `.netrc`. git runs without a terminal, with stdin
  closed, `GIT_TERMINAL_PROMPT=0` and every askpass program removed (an
  inherited `GIT_ASKPASS`, such as an editor's, may wait on a window nobody
  sees), so a missing credential fails at once instead of waiting for an
  answer.
- Every call has a timeout. git is started in its own process group so that a
  timeout or `Runner.kill()` also ends its helpers (ssh, git-remote-https),
  which would otherwise keep the pipes open.
- Every error message passes through `redact_url` before anyone sees it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s'\"]+@")
_STDERR_LINES = 2  # how many lines of git's stderr make an error message

# What the environment always gets. LC_ALL=C keeps git's messages in English.
_QUIET_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GCM_INTERACTIVE": "never",  # Git Credential Manager
    "SSH_ASKPASS_REQUIRE": "never",  # OpenSSH 8.4+
    "LC_ALL": "C",
}
_ASKPASS_ENV = ("GIT_ASKPASS", "SSH_ASKPASS")
# core.askPass from the user's git config is switched off on the command line.
_ASKPASS_OFF = ("-c", "core.askPass=")


class GitError(Exception):
    """A git command failed; the message is already free of credentials."""


def redact_url(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replace the userinfo of every URL in `text` with `***`, and each of `secrets` too.

    `https://user:token@host/x.git` becomes `https://***@host/x.git`.
    """
    text = _USERINFO.sub(r"\g<scheme>***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def url_secrets(url: str) -> tuple[str, ...]:
    """The password of `url`'s userinfo, to be hidden even where it shows up without the URL."""
    match = re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://([^/@\s]+)@", url)
    if not match or ":" not in match.group(1):
        return ()
    return (match.group(1).split(":", 1)[1],)


class Runner:
    """Runs git commands one at a time, each bounded by `timeout` seconds."""

    def __init__(self, *, timeout: float, secrets: tuple[str, ...] = ()) -> None:
        self.timeout = timeout
        self._secrets = secrets
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._killed = False

    def run(self, *args: str, cwd: Path | None = None) -> str:
        """Run `git ARGS...` and return its stdout; raise GitError with stderr's first lines."""
        with self._lock:
            if self._killed:
                raise GitError("stopped")
            self._process = subprocess.Popen(  # noqa: S603 - fixed executable, no shell
                ["git", *_ASKPASS_OFF, *args],  # noqa: S607 - the system git, found on PATH on purpose
                cwd=cwd,
                env=_environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        process = self._process
        try:
            stdout, stderr = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise GitError(f"git {args[0]} timed out after {self.timeout:g} s") from None
        finally:
            with self._lock:
                self._process = None
        if self._killed:
            raise GitError("stopped")
        if process.returncode != 0:
            raise GitError(self._message(args[0], stderr.decode(errors="replace")))
        return stdout.decode(errors="replace")

    def kill(self) -> None:
        """End the running command, if any, and refuse to start new ones."""
        with self._lock:
            self._killed = True
            if self._process is not None:
                _kill_group(self._process)

    def _message(self, command: str, stderr: str) -> str:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        text = "; ".join(lines[:_STDERR_LINES]) or f"git {command} failed"
        return redact_url(text, self._secrets)


def _environment() -> dict[str, str]:
    env = {**os.environ, **_QUIET_ENV}
    for name in _ASKPASS_ENV:
        env.pop(name, None)
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
