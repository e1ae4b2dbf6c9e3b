"""One table of what the run measured, each row beside its target when the issue sets one.

Scenarios run side by side, so each writes to a section of its own; the
table lists the sections in the order they were opened. A row whose target
was missed says MISSED: the run reports it, it does not hide it or stop.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field


class Missed(Exception):  # noqa: N818 - it is an outcome, reported as a row, not a bug
    """The product could not complete a scenario (it failed, wrote, or ran over its time)."""


@dataclass(frozen=True)
class Row:
    metric: str
    value: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Section:
    scenario: str
    rows: list[Row] = field(default_factory=list)

    def add(self, metric: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.rows.append(Row(metric, value, target, ok))
        verdict = "" if ok is None else ("  met" if ok else "  MISSED")
        print(
            f"bench: {self.scenario}: {metric} = {value}  {target}{verdict}",
            file=sys.stderr,
            flush=True,
        )

    def missed(self, error: Exception) -> None:
        self.add("completed", f"no: {error}", "yes", False)

    def note(self, message: str) -> None:
        print(f"bench: {self.scenario}: {message}", file=sys.stderr, flush=True)


class Report:
    def __init__(self) -> None:
        self._sections: list[Section] = []
        self._lock = threading.Lock()

    def section(self, scenario: str) -> Section:
        with self._lock:
            opened = Section(scenario)
            self._sections.append(opened)
            return opened

    @property
    def rows(self) -> list[tuple[str, Row]]:
        with self._lock:
            return [(s.scenario, r) for s in self._sections for r in s.rows]

    def missed(self) -> int:
        return sum(1 for _, r in self.rows if r.ok is False)

    def table(self) -> str:
        lines = ["| scenario | metric | measured | target | |", "|---|---|---:|---|---|"]
        for scenario, r in self.rows:
            verdict = "" if r.ok is None else ("met" if r.ok else "**MISSED**")
            lines.append(f"| {scenario} | {r.metric} | {r.value} | {r.target} | {verdict} |")
        return "\n".join(lines)
