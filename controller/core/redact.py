"""Keeping secret values out of plans, logs and status pages.

ECS `secrets` hold references (`valueFrom` ARNs), which are safe to show. The
danger is plain-text values, which are hidden when
- they sit in a `{name, value}` pair (container `environment`, task overrides)
  whose name looks secret (`DB_PASSWORD`, `API_KEY`...);
- they sit under a secret-looking key of a mapping whose keys users choose
  (`dockerLabels`, log driver `options`, `tags`...);
- they sit inside a string: a command line, a shell script, a URL, an HTTP
  header (`--password=…`, `mysql -p…`, `PGPASSWORD=…`, `scheme://user:pw@host`;
  see `controller.core.inline`). Only that part of the string is hidden, and an
  argument list (a container's `command` after its `entryPoint`) is read as
  one command line, so `["--token", "…"]` hides its second item;
- they have the shape of a well-known credential (an AWS access key ID, a
  private key, a GitHub token...), wherever they are.

Free text (error messages from AWS or botocore, which may quote a request)
goes through `scrub`, with the secret values of the request at hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from controller.core import credentials, inline
from controller.core.credentials import is_secret_name

__all__ = [
    "FREE_FORM_MAPS",
    "REDACTED",
    "arguments_before",
    "hidden",
    "is_secret_entry",
    "is_secret_item",
    "is_secret_name",
    "looks_secret",
    "redact",
    "scrub",
    "scrub_all",
    "secret_values",
]

REDACTED = "*****"

FREE_FORM_MAPS = frozenset({"dockerLabels", "options", "driverOpts", "labels", "tags"})
"""Fields holding a mapping whose keys the user chooses (string to string)."""

_SHORTEST_SCRUBBED = 4
"""Shorter values are not searched for in free text: replacing every `ab` in an
error message would garble it and hide nothing a reader could use."""


def looks_secret(value: Any) -> bool:
    """True for a string with the shape of a well-known credential."""
    return isinstance(value, str) and credentials.shape(value) is not None


def is_secret_entry(entry: Mapping[str, Any]) -> bool:
    """An ECS `{name, value}` pair whose value must be hidden."""
    name = entry.get("name")
    if not isinstance(name, str) or "value" not in entry:
        return False
    return is_secret_name(name) or looks_secret(entry["value"])


def is_secret_item(key: str, value: Any) -> bool:
    """An item of a free-form mapping (`FREE_FORM_MAPS`) whose value must be hidden."""
    return is_secret_name(key) or looks_secret(value)


def redact(value: Any, field: str = "", *, before: Sequence[Any] = ()) -> Any:
    """A copy of `value` (any JSON-like data) with every secret value replaced.

    `field` is the name of the field that holds `value`, so that a free-form
    mapping is recognised when it is passed on its own. `before` is, for an
    argument list, the arguments that come before it (a container's
    `entryPoint` before its `command`).
    """
    if isinstance(value, dict):
        hide_value = is_secret_entry(value)
        copy: dict[str, Any] = {}
        for key, item in value.items():
            secret = (hide_value and key == "value") or (
                field in FREE_FORM_MAPS and is_secret_item(key, item)
            )
            context = arguments_before(value, key)
            copy[key] = hidden(item) if secret else redact(item, key, before=context)
        return copy
    if isinstance(value, list):
        found = inline.find_in_args(value, before)
        return [
            inline.mask(item, secrets, REDACTED) if isinstance(item, str) else redact(item)
            for item, secrets in zip(value, found, strict=True)
        ]
    if isinstance(value, str):
        return inline.mask(value, inline.find(value), REDACTED)
    return value


def arguments_before(container: Mapping[str, Any], key: str) -> Sequence[Any]:
    """What runs before `container[key]`: a container's `entryPoint`, for its `command`."""
    entry_point = container.get("entryPoint") if key == "command" else None
    return entry_point if isinstance(entry_point, list) else ()


def hidden(value: Any) -> Any:
    """A value known to be secret: scalars become REDACTED (absent stays None);
    a structure keeps its shape with the secrets inside it hidden."""
    if isinstance(value, dict | list):
        return redact(value)
    return None if value is None else REDACTED


def secret_values(value: Any, field: str = "", *, before: Sequence[Any] = ()) -> set[str]:
    """Every plain-text secret in `value`, as text, to `scrub` from messages about it."""
    found: set[str] = set()
    if isinstance(value, dict):
        hide_value = is_secret_entry(value)
        for key, item in value.items():
            secret = (hide_value and key == "value") or (
                field in FREE_FORM_MAPS and is_secret_item(key, item)
            )
            if secret and item is not None and not isinstance(item, dict | list):
                found.add(str(item))
            else:
                found |= secret_values(item, key, before=arguments_before(value, key))
    elif isinstance(value, list):
        for item, secrets in zip(value, inline.find_in_args(value, before), strict=True):
            if isinstance(item, str):
                found |= {item[s.start : s.end] for s in secrets}
            else:
                found |= secret_values(item)
    elif isinstance(value, str):
        found |= {value[s.start : s.end] for s in inline.find(value)}
    return found


def scrub(text: str, values: Iterable[str] = ()) -> str:
    """`text` with each of `values`, and any secret `inline` finds in it, replaced."""
    for value in sorted(set(values), key=len, reverse=True):
        if len(value) >= _SHORTEST_SCRUBBED:
            text = text.replace(value, REDACTED)
    return inline.mask(text, inline.find(text), REDACTED)


def scrub_all(value: Any) -> Any:
    """`value` (any JSON-like data, a log event) with every string `scrub`bed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: scrub_all(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        found = inline.find_in_args(value)
        return [
            scrub(inline.mask(item, secrets, REDACTED))
            if isinstance(item, str)
            else scrub_all(item)
            for item, secrets in zip(value, found, strict=True)
        ]
    return value
