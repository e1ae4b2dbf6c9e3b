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
import json
from dataclasses import dataclass

from controller.core.kinds import ResourceId
from controller.core.resources import Desired

_ENCODE = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, check_circular=False, default=repr
).encode
"""Plain JSON values encode to one text each. Anything else encodes as its `repr`: at
worst (an object whose repr carries its address) two equal inputs digest differently, and
the resource is planned in full, never skipped wrongly."""


def digest(*inputs: object) -> bytes:
    """A 128-bit digest of `inputs` (JSON values, in order).

    Mappings are encoded in their own key order, not sorted: the same answer
    parsed the same way keeps its order, and a different order only costs a
    full plan of that resource.
    """
    return hashlib.blake2b(_ENCODE(inputs).encode(), digest_size=16).digest()


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
