"""Which task definitions can never run healthy: the one failure the stand-in simulates.

A service deployment fails on AWS when the new revision's tasks keep
failing: an essential container exits (the task stops), or its container
health check never passes (ECS stops the unhealthy task). Locally no
container runs, so only what is certain from the task definition alone
counts: a command or health check that fails whatever the image holds.

- a health check `["CMD-SHELL", S]`, or `["CMD", ...]` running a shell
  (`sh|bash -c S`) or `false`, where the script S is exactly `exit N`
  (N not 0) or `false`;
- a container `command` (after its `entryPoint`, when one is given) that is
  `false` or a shell running such a script, e.g. `["false"]` or
  `["sh", "-c", "exit 1"]`.

Only essential containers count (ECS Developer Guide, "essential": "If the
essential parameter of a container is marked as true, and that container
fails or stops for any reason, all other containers that are part of the
task are stopped"). A script that only may fail (`curl ... || exit 1`) is
taken to pass. A `command` without `entryPoint` is taken as the whole
command line, though an image's own ENTRYPOINT would receive it as arguments.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_FAILING_SCRIPT = re.compile(r"\s*(?:exit\s+0*[1-9][0-9]*|(?:/usr)?(?:/bin/)?false)\s*;?\s*")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})


def never_healthy(containers: Iterable[Mapping[str, Any]]) -> str | None:
    """Why tasks of these container definitions can never run healthy, or None."""
    for container in containers:
        if container.get("essential", True) is False:
            continue
        name = container.get("name", "?")
        check = (container.get("healthCheck") or {}).get("command") or []
        if _check_fails(check):
            return f"essential container {name}: health check {list(check)} can never pass"
        argv = [*(container.get("entryPoint") or []), *(container.get("command") or [])]
        if argv and _exits_non_zero(argv):
            return f"essential container {name}: command {argv} exits with an error"
    return None


def _check_fails(check: Sequence[str]) -> bool:
    if len(check) >= 2 and check[0] == "CMD-SHELL":
        return _script_fails(" ".join(check[1:]))
    if len(check) >= 2 and check[0] == "CMD":
        return _exits_non_zero(check[1:])
    return False


def _exits_non_zero(argv: Sequence[str]) -> bool:
    program = posixpath.basename(str(argv[0]))
    if program == "false":
        return True
    return program in _SHELLS and len(argv) >= 3 and argv[1] == "-c" and _script_fails(argv[2])


def _script_fails(script: str) -> bool:
    return _FAILING_SCRIPT.fullmatch(str(script)) is not None
