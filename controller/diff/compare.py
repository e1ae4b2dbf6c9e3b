"""Field-by-field comparison of two normalised specs.

The result is a list of changes with JSON-pointer paths, never a bool: plans,
drift alerts and status pages all show which fields differ and how.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from controller.core import redact
from controller.diff import pointer


@dataclass(frozen=True)
class FieldChange:
    """One differing field. `None` stands for "absent" on that side.

    Values are redacted at creation (`controller.core.redact` says what is
    secret), so a change can be logged or printed as it is.
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
        _walk(pointer.join("", field), field, desired.get(field), live.get(field), changes)
    return changes


def _walk(
    path: str,
    field: str,
    desired: Any,
    live: Any,
    out: list[FieldChange],
    *,
    secret: bool = False,
    before: tuple[Sequence[Any], Sequence[Any]] = ((), ()),
) -> None:
    """Compare `desired` and `live` (the values of `field`, at `path`); `secret` is
    true inside a value that must not be shown (see `controller.core.redact`);
    `before` holds, for an argument list, the arguments that run before it."""
    if desired == live:
        return
    if isinstance(desired, dict) and isinstance(live, dict):
        entry = redact.is_secret_entry(desired) or redact.is_secret_entry(live)
        free_form = field in redact.FREE_FORM_MAPS
        for key in sorted(set(desired) | set(live)):
            d, v = desired.get(key), live.get(key)
            hide = (
                secret
                or (entry and key == "value")
                or (free_form and (redact.is_secret_item(key, d) or redact.is_secret_item(key, v)))
            )
            context = (redact.arguments_before(desired, key), redact.arguments_before(live, key))
            _walk(pointer.join(path, key), key, d, v, out, secret=hide, before=context)
        return
    if isinstance(desired, list) and isinstance(live, list) and len(desired) == len(live):
        shown: tuple[list[Any], list[Any]] | None = None
        for index, (d, v) in enumerate(zip(desired, live, strict=True)):
            item_path = pointer.join(path, index)
            if secret or isinstance(d, dict | list) or isinstance(v, dict | list):
                _walk(item_path, "", d, v, out, secret=secret)
            elif d != v:
                # An item of a command line is shown as the whole line redacts it
                # (`["--token", "…"]` hides the second item).
                shown = shown or (
                    redact.redact(desired, before=before[0]),
                    redact.redact(live, before=before[1]),
                )
                out.append(FieldChange(item_path, shown[0][index], shown[1][index]))
        return
    if secret:
        out.append(FieldChange(path, redact.hidden(desired), redact.hidden(live)))
    else:
        shown_desired = redact.redact(desired, field, before=before[0])
        out.append(FieldChange(path, shown_desired, redact.redact(live, field, before=before[1])))
