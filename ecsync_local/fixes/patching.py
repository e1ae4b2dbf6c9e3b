"""How a fix is written: `make(original) -> replacement` for one method of one moto class."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

Method = Callable[..., Any]
Fix = Callable[[], None]

_MARK = "__ecsync_fix__"


def patch(owner: type, name: str) -> Callable[[Callable[[Method], Method]], Fix]:
    """Turn `make(original) -> replacement` into an idempotent fix for `owner.name`.

    Each fix marks its replacement, so applying it again is a no-op, and fixes
    on the same method stack: the one applied last runs first.
    """

    def decorate(make: Callable[[Method], Method]) -> Fix:
        mark = f"{_MARK}{make.__name__}"

        @functools.wraps(make)
        def fix() -> None:
            original = getattr(owner, name)
            if getattr(original, mark, False):
                return
            # functools.wraps copies the original's __dict__, so the marks of
            # earlier fixes on the same method travel with each new layer.
            replacement = functools.wraps(original)(make(original))
            setattr(replacement, mark, True)
            setattr(owner, name, replacement)

        return fix

    return decorate
