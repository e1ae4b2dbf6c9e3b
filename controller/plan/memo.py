"""What each resource was last found in sync with, so that a pass over the same inputs skips
normalising and comparing it again.

The planner's verdict on one resource is a pure function of its inputs: the
resource's manifest, its live state, the planner's options and, for a service
or a schedule, the revision its task definition family resolves to. When the
planner finds a resource in sync, it notes the manifest (the very `Desired`
object, which a desired set keeps as long as its documents do not change, and
which nothing changes) and a digest of the other inputs. A later pass whose
inputs are the same finds it in sync without normalising either side: every
difference that could make it otherwise (a new manifest, anything AWS now
reports differently) changes the inputs, and the resource is planned in full.

Only verdicts of "in sync" are kept, one small entry per resource: a daemon
with 10,000 services keeps a digest per resource, never a copy of its state.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass

from controller.core.kinds import ResourceId
from controller.core.resources import Desired

_MARSHAL_VERSION = 2
"""marshal's format 2 writes no back-references: its bytes depend only on the values (and
on whether a string is interned, which a parse does the same way every time)."""


def digest(*inputs: object) -> bytes:
    """A 128-bit digest of `inputs` (plain values: dicts, lists, strings, numbers...).

    The values are serialised with marshal, which reads back to equal values:
    equal digests mean equal inputs (types included: 1, 1.0 and True differ).
    Mappings keep their own key order, not sorted: the same answer parsed the
    same way keeps its order, and a different order only costs a full plan of
    that resource. Inputs marshal cannot write (an object of any other type)
    get a digest of their own that matches nothing: that resource is planned in
    full every time, never skipped wrongly.
    """
    try:
        encoded = marshal.dumps(inputs, _MARSHAL_VERSION)  # type: ignore[arg-type]
    except ValueError:
        return os.urandom(16)
    return hashlib.blake2b(encoded, digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class Seen:
    """One resource's inputs when the planner last found it in sync."""

    desired: Desired
    inputs: bytes
    resolved: str | None
    """For a task definition: the revision its family resolved to."""


class InSync:
    """Resource id -> the inputs the planner last found it in sync with (see the module
    docstring). One per long-running target; the planner reads and updates it."""

    def __init__(self) -> None:
        self._seen: dict[ResourceId, Seen] = {}

    def found(self, d: Desired, inputs: bytes) -> Seen | None:
        """What was noted when `d` was last found in sync, if that was with these `inputs`."""
        seen = self._seen.get(d.id)
        return seen if seen is not None and seen.desired is d and seen.inputs == inputs else None

    def note(self, d: Desired, inputs: bytes, resolved: str | None = None) -> None:
        """The planner found `d` in sync with `inputs` (a task definition: at `resolved`)."""
        self._seen[d.id] = Seen(d, inputs, resolved)

    def forget(self, rid: ResourceId) -> None:
        """`rid` is not in sync, or left the desired set."""
        self._seen.pop(rid, None)

    def __len__(self) -> int:
        return len(self._seen)
