"""Without the `local` extra: the product runs, and `--local` says what to install.

moto is made unimportable for the `ecsync` process by a `moto` module, first on
PYTHONPATH, that fails as a missing package does: the real console script then
runs as it does after a plain `pip install ecsync`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support import cli

SAMPLE = Path(__file__).resolve().parents[2] / "manifests"
NO_MOTO = 'raise ModuleNotFoundError("No module named \'moto\'", name="moto")\n'
HINT = "pip install 'ecsync[local]'"


@pytest.fixture
def no_moto(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import moto` fails as if moto were not installed."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "moto.py").write_text(NO_MOTO)
    inherited = os.environ.get("PYTHONPATH")
    return cli.aws_env(PYTHONPATH=os.pathsep.join(filter(None, [str(shadow), inherited])))


def ecsync(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cli.ECSYNC, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("args", "asked_by"),
    [
        (["plan", str(SAMPLE), "--local"], "--local"),
        (["apply", str(SAMPLE), "--local"], "--local"),
        (["run", "--local", "--source", str(SAMPLE)], "--local"),
        (["local"], "ecsync local"),
    ],
)
def test_local_without_the_extra_exits_1_saying_what_to_install(
    no_moto: dict[str, str], args: list[str], asked_by: str
) -> None:
    """Asking for the embedded AWS without moto exits 1 with one line naming the extra."""
    result = ecsync(no_moto, *args)

    assert result.returncode == 1, result.stderr
    assert f"ecsync: {asked_by} needs the embedded AWS: {HINT}" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_run_without_moto(no_moto: dict[str, str]) -> None:
    """validate, schema and --help work where moto cannot be imported."""
    assert ecsync(no_moto, "validate", str(SAMPLE)).returncode == 0
    assert ecsync(no_moto, "schema").returncode == 0
    assert ecsync(no_moto, "run", "--help").returncode == 0


def test_every_product_module_imports_without_moto(no_moto: dict[str, str]) -> None:
    """Every module of `controller` imports where moto cannot be imported."""
    walk = (
        "import importlib, pkgutil, controller\n"
        "for m in pkgutil.walk_packages(controller.__path__, 'controller.'):\n"
        "    importlib.import_module(m.name)\n"
        "import sys; assert 'moto' not in sys.modules\n"
    )
    python = str(Path(cli.ECSYNC).with_name("python"))
    result = subprocess.run(
        [python, "-c", walk], env=no_moto, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
