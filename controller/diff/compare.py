"""Field-by-field comparison of two normalised specs.

The result is a list of changes with JSON-pointer paths, never a bool: plans,
drift alerts and status pages all show which fields differ and how.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from controller.core.redact import REDACTED, is_secret_name, redact
from controller.diff import pointer


@dataclass(frozen=True)
class FieldChange:
    """One differing field. `None` stands for "absent" on that side.

    Values are redacted at creation when they sit in a secret-looking
    environment entry, so a change can be logged or printed as it is.
    """

    path: str
    desired: Any
    live: Any

    @property
    def top_field(self) -> str:
        """The top-level spec field this change belongs to (`/tags/team` -> `tags`)."""
        return pointer.split(self.path)[0] if self.path else ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "desired": self.desired, "live": self.live}


def compare(
    desired: dict[str, Any], live: dict[str, Any], fields: Iterable[str]
) -> list[FieldChange]:
    """Changes between two normalised specs, restricted to the managed top-level `fields`."""
    changes: list[FieldChange] = []
    for field in sorted(fields):
        _walk(pointer.join("", field), desired.get(field), live.get(field), False, changes)
    return changes


def _walk(path: str, desired: Any, live: Any, secret: bool, out: list[FieldChange]) -> None:
    if desired == live:
        return
    if isinstance(desired, dict) and isinstance(live, dict):
        secret = secret or _holds_secret(desired) or _holds_secret(live)
        for key in sorted(set(desired) | set(live)):
            _walk(pointer.join(path, key), desired.get(key), live.get(key), secret, out)
        return
    if isinstance(desired, list) and isinstance(live, list) and len(desired) == len(live):
        for index, (d, v) in enumerate(zip(desired, live, strict=True)):
            _walk(pointer.join(path, index), d, v, secret, out)
        return
    if secret or _mentions_secret(desired) or _mentions_secret(live):
        out.append(FieldChange(path, _hide(desired), _hide(live)))
    else:
        out.append(FieldChange(path, desired, live))


def _holds_secret(entry: dict[str, Any]) -> bool:
    name = entry.get("name")
    return isinstance(name, str) and "value" in entry and is_secret_name(name)


def _mentions_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return _holds_secret(value) or any(_mentions_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_secret(v) for v in value)
    return False


def _hide(value: Any) -> Any:
    """Redact a whole value; structure stays visible, secret values do not."""
    if isinstance(value, dict | list):
        return redact(value)
    return None if value is None else REDACTED
