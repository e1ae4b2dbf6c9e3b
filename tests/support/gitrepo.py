"""Real Git repositories for tests: a bare remote and a working clone to commit from."""

from __future__ import annotations

import subprocess
from pathlib import Path

_ENV = {
    "GIT_AUTHOR_NAME": "ecsync tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "ecsync tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=_ENV, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


class Repo:
    """A bare repository at `remote` (the URL is `file://…`) and a clone to push from."""

    def __init__(self, root: Path) -> None:
        self.remote = root / "remote.git"
        self.work = root / "work"
        self.remote.mkdir(parents=True)
        git(self.remote, "init", "--bare", "-q", "-b", "main")
        git(root, "clone", "-q", str(self.remote), str(self.work))
        git(self.work, "checkout", "-q", "-b", "main")

    @property
    def url(self) -> str:
        return f"file://{self.remote}"

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        """Write `files` (path → text; empty text deletes), commit, push; returns the SHA."""
        for name, text in files.items():
            path = self.work / name
            if text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            elif path.exists():
                path.unlink()
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "--allow-empty", "-m", message)
        git(self.work, "push", "-q", "origin", "main")
        return git(self.work, "rev-parse", "HEAD")
