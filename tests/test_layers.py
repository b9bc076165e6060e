"""The layers in pyproject.toml's import-linter contracts hold (and a broken one is caught).

`lint-imports` runs as a subprocess, as in CI: the README's test command checks the layers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(config: Path, source: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(source)}  # before site-packages: this copy of migralint is analysed
    return subprocess.run([str(command), "--no-cache", "--no-logo", str(config)], cwd=config.parent, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_contracts_hold() -> None:
    done = lint_imports(ROOT / "pyproject.toml", ROOT / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_linter_importing_the_database_breaks_a_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src" / "migralint", tmp_path / "src" / "migralint",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    internal = tmp_path / "src" / "migralint" / "linter" / "internal.py"
    internal.write_text(internal.read_text() + "\n\ndef _rows() -> None:\n    import migralint.database.connection\n")
    done = lint_imports(tmp_path / "pyproject.toml", tmp_path / "src")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "migralint.linter.internal -> migralint.database.connection" in done.stdout
    assert "cli above database above the rest BROKEN" in done.stdout
