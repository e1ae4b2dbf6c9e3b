"""Shared fixtures for the manifest tests: the fixture folder and a manifest writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Write = Callable[[str, str], Path]


@pytest.fixture
def fixtures() -> Path:
    """tests/fixtures/manifests."""
    return Path(__file__).resolve().parents[2] / "fixtures" / "manifests"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty manifest root inside the test's temporary folder."""
    path = tmp_path / "manifests"
    path.mkdir()
    return path


@pytest.fixture
def write(root: Path) -> Write:
    """Writes a text file under `root` (creating folders) and returns its path."""

    def _write(name: str, text: str) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
