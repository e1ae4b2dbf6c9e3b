"""The generated model constraints: up to date with botocore, and readable by Python's `re`."""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

import pytest

from controller.manifests.specs import constraints
from tests.unit.manifests.test_specs import REPO, ruff_format

OUTPUT = REPO / "controller" / "manifests" / "specs" / "constraints.py"


def load_generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """tools/gen_constraints.py as a module (tools/ is not a package)."""
    path = REPO / "tools" / "gen_constraints.py"
    spec = importlib.util.spec_from_file_location("gen_constraints", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "gen_constraints", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    return module


def test_committed_constraints_match_the_generator_and_installed_botocore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """constraints.py is what tools/gen_constraints.py writes from today's botocore."""
    source = load_generator(monkeypatch).render()
    assert ruff_format(source, OUTPUT) == OUTPUT.read_text(encoding="utf-8"), (
        f"{OUTPUT} is stale: run .venv/bin/python tools/gen_constraints.py"
    )


def test_every_operation_checked_has_its_request_shape() -> None:
    """Each create call of a kind, UpdateService and the ECR policy calls have constraints."""
    assert set(constraints.OPERATIONS) == {
        "CreateCluster",
        "CreateCapacityProvider",
        "RegisterTaskDefinition",
        "CreateService",
        "UpdateService",
        "RunTask",
        "CreateRepository",
        "PutLifecyclePolicy",
        "SetRepositoryPolicy",
    }
    for key in constraints.OPERATIONS.values():
        assert constraints.SHAPES[key].members


def test_every_pattern_compiles_for_python() -> None:
    """Each botocore pattern, translated where it uses Java's Unicode categories, compiles."""
    patterns = {s.pattern for s in constraints.SHAPES.values() if s.pattern is not None}
    assert patterns
    for pattern in patterns:
        re.compile(constraints.PYTHON_PATTERNS.get(pattern, pattern))


def test_unicode_categories_become_the_code_points_they_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`\\p{N}` matches digits of any script and no letter; `\\p{Z}` matches spaces only."""
    generator = load_generator(monkeypatch)
    digits = re.compile(generator.python_pattern(r"[\p{N}]+"))
    assert digits.fullmatch("0\u0661\u0662\u0969")
    assert not digits.fullmatch("a")
    spaces = re.compile(generator.python_pattern(r"[\p{Z}]+"))
    assert spaces.fullmatch("\u00a0 \u3000")
    assert not spaces.fullmatch("\t")
    assert generator.python_pattern("[a-z]+") is None
