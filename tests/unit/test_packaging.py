"""The built wheel: moto only under the `local` extra, and the embedded AWS inside, inert.

Built with hatchling, the project's build backend (from the dev extras), straight
into a temporary folder, as `pip install .` builds it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel hatchling builds from this checkout, once for the module."""
    out = tmp_path_factory.mktemp("wheel")
    build = "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))"
    subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
    )
    (built,) = out.glob("ecsync-*.whl")
    return built


def _requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(name).decode())
    return [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]


def test_wheel_requires_moto_only_with_the_local_extra(wheel: Path) -> None:
    """moto is required under the `local` extra and under no other condition."""
    moto = [r for r in _requirements(wheel) if r.name == "moto"]
    assert moto, "the local extra must bring moto"
    for requirement in moto:
        assert requirement.marker is not None, f"{requirement} is required by a plain install"
        assert requirement.marker.evaluate({"extra": "local"})
        assert not requirement.marker.evaluate({"extra": ""}), requirement
        assert not requirement.marker.evaluate({"extra": "dev"}), requirement


def test_plain_install_requires_nothing_moto_brings(wheel: Path) -> None:
    """A plain install requires none of moto's server dependencies either."""
    plain = {r.name.lower() for r in _requirements(wheel) if r.marker is None}
    assert plain
    assert not plain & {"moto", "flask", "flask-cors", "werkzeug", "docker", "cfn-lint"}


def test_wheel_carries_the_product_and_the_embedded_aws(wheel: Path) -> None:
    """The wheel holds `controller` and `ecsync_local` (inert without moto), and no tests."""
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert {"controller", "ecsync_local"} <= tops
    assert not tops & {"tests", "bench", "tools"}
