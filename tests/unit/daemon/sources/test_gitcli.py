"""Running git: credentials redacted from every message, bounded time, no prompts."""

from __future__ import annotations

import os
import shlex
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from controller.daemon.sources.gitcli import GitError, Runner, redact_url, url_secrets


def fake_git(monkeypatch: pytest.MonkeyPatch, directory: Path, body: str) -> None:
    """Put an executable `git` shell script running `body` first on PATH."""
    directory.mkdir()
    script = directory / "git"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")


def alive(pid: int) -> bool:
    """True while `pid` runs; a zombie waiting for a parent to reap it counts as dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def eventually(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still false after {timeout} s"
        time.sleep(0.01)


# redact_url / url_secrets


def test_userinfo_is_replaced() -> None:
    """`https://user:token@host` loses both user and token."""
    assert redact_url("https://user:tok3n@github.com/o/r.git") == "https://***@github.com/o/r.git"


def test_every_url_in_a_text_is_redacted() -> None:
    """Several URLs in one message are each redacted, and the text around them is kept."""
    text = "fetch https://a:one@h1/x.git failed, tried http://b:two@h2:8080/y too"
    assert redact_url(text) == "fetch https://***@h1/x.git failed, tried http://***@h2:8080/y too"


def test_url_in_quotes_is_redacted() -> None:
    """A URL inside git's quotes is redacted up to the `@`, the quotes stay."""
    text = "fatal: unable to access 'https://user:tok3n@host/x.git/': 403"
    assert redact_url(text) == "fatal: unable to access 'https://***@host/x.git/': 403"


def test_ssh_user_without_password_is_redacted_by_the_same_rule() -> None:
    """An ssh:// user name counts as userinfo too; an scp-style address has no scheme and stays."""
    assert redact_url("ssh://git@github.com/o/r.git") == "ssh://***@github.com/o/r.git"
    assert redact_url("git@github.com:o/r.git") == "git@github.com:o/r.git"


def test_urls_without_userinfo_are_untouched() -> None:
    """Plain URLs, paths and e-mail-like words are left alone."""
    text = "https://github.com/o/r.git file:///srv/repo.git tests@example.com"
    assert redact_url(text) == text


def test_secrets_are_replaced_anywhere_in_the_text() -> None:
    """A known secret is hidden even where it appears without its URL; empty secrets are ignored."""
    text = "remote: token s3cr3t is invalid (s3cr3t expired)"
    assert redact_url(text, ("s3cr3t", "")) == "remote: token *** is invalid (*** expired)"


def test_url_secrets_is_the_password() -> None:
    """The password of the userinfo is the secret; everything after the first `:` belongs to it."""
    assert url_secrets("https://user:s3cr3t@host/x.git") == ("s3cr3t",)
    assert url_secrets("https://user:a:b@host/x.git") == ("a:b",)
    assert url_secrets("https://x-access-token:ghp_123@github.com/o/r") == ("ghp_123",)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/o/r.git",
        "https://user@host/x.git",
        "ssh://git@github.com/o/r.git",
        "git@github.com:o/r.git",
        "/srv/repo.git",
        "",
    ],
)
def test_url_without_password_has_no_secrets(url: str) -> None:
    """A URL with no password in it yields no secret."""
    assert url_secrets(url) == ()


# Runner with the real git


def test_run_returns_stdout() -> None:
    """A successful command returns what git printed."""
    assert Runner(timeout=10).run("--version").startswith("git version ")


def test_error_is_the_first_stderr_lines_without_credentials() -> None:
    """A failure raises GitError with git's first two stderr lines, URL userinfo redacted."""
    runner = Runner(timeout=10)
    with pytest.raises(GitError) as raised:
        runner.run("ls-remote", "file:///nonexistent/https://user:s3cr3t@example.com/x.git")
    assert str(raised.value) == (
        "fatal: '/nonexistent/https://***@example.com/x.git' does not appear to be a git"
        " repository; fatal: Could not read from remote repository."
    )


def test_error_hides_the_runners_secrets() -> None:
    """A secret the runner was given is hidden even when git prints it outside a URL."""
    runner = Runner(timeout=10, secrets=("s3cr3t",))
    with pytest.raises(GitError) as raised:
        runner.run("ls-remote", "file:///nonexistent/s3cr3t.git")
    assert "s3cr3t" not in str(raised.value)
    assert "'/nonexistent/***.git' does not appear to be a git repository" in str(raised.value)


def test_error_without_stderr_names_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure with nothing on stderr still says which git command failed."""
    fake_git(monkeypatch, tmp_path / "bin", "exit 3\n")
    with pytest.raises(GitError, match=r"^git fetch failed$"):
        Runner(timeout=10).run("fetch", "origin")


# Runner bounds and environment, with a fake git


def test_timeout_kills_the_whole_process_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that outlives `timeout` raises GitError quickly, its child processes killed too."""
    pids = tmp_path / "pids"
    fake_git(
        monkeypatch,
        tmp_path / "bin",
        f'sleep 30 &\necho "$$ $!" > {shlex.quote(str(pids))}\nwait\n',
    )
    runner = Runner(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(GitError, match=r"^git fetch timed out after 0\.5 s$"):
        runner.run("fetch", "origin")
    assert time.monotonic() - started < 2.0
    shell, child = (int(pid) for pid in pids.read_text().split())
    eventually(lambda: not alive(shell) and not alive(child))


def test_kill_ends_the_running_command_and_refuses_new_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kill()` ends a command in progress with GitError("stopped"); later calls fail at once."""
    started = tmp_path / "started"
    fake_git(monkeypatch, tmp_path / "bin", f"touch {shlex.quote(str(started))}\nexec sleep 30\n")
    runner = Runner(timeout=30)
    errors: list[GitError] = []

    def fetch() -> None:
        try:
            runner.run("fetch", "origin")
        except GitError as exc:
            errors.append(exc)

    thread = threading.Thread(target=fetch)
    thread.start()
    eventually(started.exists)
    runner.kill()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert [str(error) for error in errors] == ["stopped"]
    started.unlink()
    with pytest.raises(GitError, match=r"^stopped$"):
        runner.run("fetch", "origin")
    assert not started.exists()


def test_git_never_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git gets GIT_TERMINAL_PROMPT=0, no askpass program, stdin on /dev/null; auth settings pass."""
    monkeypatch.setenv("GIT_ASKPASS", "/usr/bin/code-askpass")
    monkeypatch.setenv("SSH_ASKPASS", "/usr/bin/ssh-askpass")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "1")
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -i /keys/deploy")
    seen = tmp_path / "seen"
    fake_git(
        monkeypatch,
        tmp_path / "bin",
        f"readlink /proc/$$/fd/0 > {shlex.quote(str(seen))}\n"
        f"printf '%s\\n' \"$@\" >> {shlex.quote(str(seen))}\n"
        "env -0\n",
    )
    output = Runner(timeout=10).run("ls-remote", "origin")
    env = dict(item.split("=", 1) for item in output.split("\0") if item)
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["LC_ALL"] == "C"
    assert "GIT_ASKPASS" not in env
    assert "SSH_ASKPASS" not in env
    assert env["GIT_SSH_COMMAND"] == "ssh -i /keys/deploy"
    stdin, *args = seen.read_text().splitlines()
    assert stdin == "/dev/null"
    assert args == ["-c", "core.askPass=", "ls-remote", "origin"]
