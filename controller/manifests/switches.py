"""Parsing `ecsync/` annotations into typed behaviour switches (`core.resources.Annotations`).

Annotation values are strings (as in Kubernetes), so each switch has a small
grammar; a value outside it is an error rather than a silent default, because
a mistyped `ecsync/prune: "flase"` must not delete anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from controller.core import hooks
from controller.core.kinds import Kind
from controller.core.resources import NO_ANNOTATIONS, Annotations
from controller.manifests.suggest import did_you_mean

PREFIX = "ecsync/"
IGNORE, PRUNE, WAVE, HOOK, HOOK_FOR, ADOPT = (
    PREFIX + name for name in ("ignore", "prune", "wave", "hook", "hook-for", "adopt")
)
IMAGE_UPDATE = PREFIX + "image-update"
KNOWN = (IGNORE, PRUNE, WAVE, HOOK, HOOK_FOR, ADOPT, IMAGE_UPDATE)
HOOKS = hooks.PHASES
IMAGE_UPDATES = ("digest",)
"""`ecsync/image-update` values: "digest" follows each private-ECR tag to the digest it names."""

_POINTER = re.compile(r"(?:/(?:[^~/]|~[01])*)+")
_INTEGER = re.compile(r"-?[0-9]{1,9}")
_SERVICE_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}"
_PHASES = ", ".join(f'"{phase}"' for phase in HOOKS[:-1]) + f' or "{HOOKS[-1]}"'
_HELD_SERVICE = re.compile(rf"(?:{_SERVICE_NAME}/)?{_SERVICE_NAME}")
"""`service` or `cluster/service` (ECS names: letters, digits, hyphens and underscores)."""


def parse(kind: Kind, values: Mapping[str, str]) -> tuple[Annotations, list[tuple[str, str]]]:
    """The switches set by `values` (all annotations, string-valued), and (key, message) errors.

    Annotations outside the `ecsync/` prefix belong to the user and are ignored.
    """
    errors: list[tuple[str, str]] = []
    ignore: tuple[str, ...] = ()
    prune, adopt, wave, hook = True, False, 0, None
    hook_for: tuple[str, ...] = ()
    for key, value in values.items():
        if not key.startswith(PREFIX):
            continue
        if key == IGNORE:
            ignore, problem = _pointers(value)
        elif key in (PRUNE, ADOPT):
            problem = (
                "" if value in ("true", "false") else f'must be "true" or "false", not "{value}"'
            )
            if key == PRUNE:
                prune = value != "false"
            else:
                adopt = value == "true"
        elif key == WAVE:
            problem = (
                ""
                if _INTEGER.fullmatch(value)
                else f'must be an integer like "-1" or "2", not "{value}"'
            )
            wave = int(value) if not problem else 0
        elif key == HOOK:
            hook, problem = value, _hook_problem(kind, value)
        elif key == HOOK_FOR:
            hook_for, problem = _held_services(kind, value)
        else:
            problem = _value_problem(kind, key, value)
        if problem:
            errors.append((key, problem))
    if hook_for and hook is None:
        errors.append((HOOK_FOR, f"names the services a hook is for; add {HOOK}: {_PHASES}"))
    refused = {key for key, _ in errors}
    image_update = values.get(IMAGE_UPDATE, "") if IMAGE_UPDATE not in refused else ""
    annotations = Annotations(
        ignore=ignore,
        prune=prune,
        wave=wave,
        hook=hook,
        hook_for=hook_for,
        adopt=adopt,
        image_update=image_update,
    )
    return (NO_ANNOTATIONS if annotations == NO_ANNOTATIONS else annotations), errors


def _pointers(value: str) -> tuple[tuple[str, ...], str]:
    pointers = tuple(part.strip() for part in value.split(","))
    bad = [p for p in pointers if not _POINTER.fullmatch(p)]
    if bad:
        return (), (
            f"'{bad[0]}' is not a JSON pointer; write comma-separated pointers that start "
            "with '/', like \"/desiredCount,/tags/team\" (escape '~' as ~0 and '/' as ~1)"
        )
    return pointers, ""


def _hook_problem(kind: Kind, value: str) -> str:
    if value not in HOOKS:
        return f'the hooks are {_PHASES}, not "{value}"{did_you_mean(value, HOOKS)}'
    if kind is not Kind.TASK:
        return f"hooks run one-off tasks: only kind Task takes {HOOK}, not {kind}"
    return ""


def _value_problem(kind: Kind, key: str, value: str) -> str:
    """What is wrong with a switch whose value is taken as it is (`ecsync/image-update`),
    or with a key that is no switch."""
    if key != IMAGE_UPDATE:
        return f"unknown ecsync annotation{did_you_mean(key, KNOWN)}; known: {', '.join(KNOWN)}"
    if value not in IMAGE_UPDATES:
        return f'the only image update is "digest", not "{value}"'
    if kind is not Kind.TASK_DEFINITION:
        return (
            f"only kind TaskDefinition takes {IMAGE_UPDATE}, not {kind}: put it on the "
            "TaskDefinition whose images should follow their tags"
        )
    return ""


def _held_services(kind: Kind, value: str) -> tuple[tuple[str, ...], str]:
    if kind is not Kind.TASK:
        return (), f"hooks run one-off tasks: only kind Task takes {HOOK_FOR}, not {kind}"
    names = tuple(part.strip() for part in value.split(","))
    bad = [name for name in names if not _HELD_SERVICE.fullmatch(name)]
    if bad:
        return (), (
            f"'{bad[0]}' is not a service; write comma-separated service names, each "
            'alone or after its cluster, like "web,prod/worker"'
        )
    return names, ""
