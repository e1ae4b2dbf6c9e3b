"""Wording for error messages: did-you-mean hints, and how to name a value the user wrote."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells (case-insensitively), if any is close."""
    options = {choice.lower(): choice for choice in choices}
    lowered = word.lower()
    if lowered in options:
        return options[lowered]
    close = difflib.get_close_matches(lowered, list(options), n=1)
    return options[close[0]] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest choice, or ""."""
    match = closest(word, choices)
    return f"; did you mean '{match}'?" if match else ""


def clip(text: str, limit: int = 60) -> str:
    """`text`, cut to `limit` characters: a message echoes what the user wrote, not 1 MB of it."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def yaml_text(value: Any) -> str:
    """How a scalar is spelled in YAML: `true`, `null`, `8080`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe(value: Any) -> str:
    """`the string 'x'`, `the number 2`, `a list`... for "expected X, got Y" messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string '{clip(value, 40)}'"
    if isinstance(value, bool) or value is None:
        return yaml_text(value)
    return f"the number {value}"
