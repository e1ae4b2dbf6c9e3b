"""Durations on the command line: `30s`, `2m`, `1h30m`, or plain seconds."""

from __future__ import annotations

import argparse
import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse(text: str) -> float:
    """Seconds in `text`; raises argparse.ArgumentTypeError with an example otherwise."""
    value = text.strip()
    try:
        return float(value)
    except ValueError:
        pass
    parts = _PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use seconds or units, e.g. 30s, 2m, 1h30m"
        )
    return sum(float(number) * _UNIT[unit] for number, unit in parts)
