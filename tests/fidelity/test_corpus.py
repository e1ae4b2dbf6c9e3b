"""The fidelity corpus: real-shaped AWS answers give an empty plan, and a real change shows.

For every case in cases/: the manifest plus AWS's answer plans to nothing (no
perpetual diff), and each recorded change to that answer plans to exactly the
one field it touched. Pure: no server; the product's own loader, parsers and
planner do the work (see corpus.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.core.resources import Desired
from controller.plan.actions import Action, Plan, Problem
from controller.plan.planner import PlanOptions, build_plan
from tests.fidelity import corpus

CASES = [corpus.read_case(path) for path in corpus.case_files()]
CHANGES = [(case, index) for case in CASES for index in range(len(case.changes))]


def _plan_for(case: corpus.Case, answer: object, root: Path) -> tuple[Plan, Desired]:
    main, desired = corpus.load_desired(case, root)
    live = corpus.live_state(case, main, desired, answer)
    desired = corpus.with_image_digests(case, desired, live)
    return build_plan(desired, live, PlanOptions(instance=corpus.INSTANCE)), main


def _entries(plan: Plan, main: Desired) -> list[Action | Problem]:
    """What the plan says about the case's resource: actions, and problems (fields that
    cannot change on an existing resource are problems that still list the changes)."""
    found: list[Action | Problem] = [a for a in plan.actions if a.id == main.id]
    return found + [p for p in plan.problems if p.id == main.id]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_live_answer_plans_to_nothing(case: corpus.Case, tmp_path: Path) -> None:
    """The manifest plus AWS's real answer for it gives no action and no problem."""
    plan, main = _plan_for(case, case.live, tmp_path)
    entries = _entries(plan, main)
    assert not entries, f"{case.title}: {[e.to_dict() for e in entries]}"
    assert main.id in plan.in_sync


@pytest.mark.parametrize(
    ("case", "index"), CHANGES, ids=[f"{c.id}#{i}:{c.changes[i].expect}" for c, i in CHANGES]
)
def test_a_real_change_plans_exactly_that_field(
    case: corpus.Case, index: int, tmp_path: Path
) -> None:
    """One real change to AWS's answer gives one entry whose changes are exactly that field."""
    change = case.changes[index]
    plan, main = _plan_for(case, change.apply(case.live), tmp_path)
    entries = _entries(plan, main)
    assert len(entries) == 1, f"{case.title}: {change}: {entries}"
    paths = [c.path for c in entries[0].changes]
    assert paths == [change.expect], f"{case.title}: {change}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_case_names_its_public_source_and_a_change(case: corpus.Case) -> None:
    """A case cites where its shape comes from and carries at least one real change."""
    assert case.source.strip(), f"{case.path}: `source` must name a public source"
    assert case.title.strip()
    assert case.changes, f"{case.path}: add at least one real change"


MINIMUM_CASES = 60
"""The issue's floor for the whole corpus, every kind together."""


def test_the_corpus_covers_every_kind_and_the_issue_floor() -> None:
    """The corpus holds at least the issue's 60 cases, with cases for every kind folder."""
    counts = corpus.coverage(CASES)
    assert len(CASES) >= MINIMUM_CASES, f"{len(CASES)} cases: {counts}"
    assert set(counts) == set(corpus.FOLDERS.values()), counts


def test_a_malformed_case_file_is_refused(tmp_path: Path) -> None:
    """A case with an unknown key, or a change with both `set` and `remove`, is a format error."""
    folder = tmp_path / "service"
    folder.mkdir()
    unknown = folder / "unknown.yaml"
    unknown.write_text(
        "title: t\nsource: s\nmanifest: {}\nlive: {}\nexpected: x\n", encoding="utf-8"
    )
    with pytest.raises(corpus.CaseError, match="unknown keys"):
        corpus.read_case(unknown)
    both = folder / "both.yaml"
    both.write_text(
        "title: t\nsource: s\nmanifest: {}\nlive: {}\n"
        "changes: [{set: /a, value: 1, remove: /a, expect: /a}]\n",
        encoding="utf-8",
    )
    with pytest.raises(corpus.CaseError, match="either"):
        corpus.read_case(both)


DOCS = Path(__file__).resolve().parents[2] / "docs" / "fidelity.md"


def test_docs_fidelity_names_every_case() -> None:
    """docs/fidelity.md is the corpus's index: every case file is named there."""
    text = DOCS.read_text(encoding="utf-8")
    missing = [case.id for case in CASES if f"`{case.id}`" not in text]
    assert not missing, f"add a line for each of these to docs/fidelity.md: {missing}"
