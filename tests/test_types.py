"""mypy --strict passes on src/migralint, as CONTRIBUTING and STYLE ask, checked by the README's test command.

mypy runs as a subprocess with the configuration in pyproject.toml ([tool.mypy]: strict, files =
src/migralint) and its cache in a temporary folder, so a stale cache never hides an error.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mypy(config: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], cwd=config.parent,
                          capture_output=True, text=True, timeout=600)


def test_the_package_type_checks(tmp_path: Path) -> None:
    done = mypy(ROOT / "pyproject.toml", tmp_path / "cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found")


def test_a_type_error_is_caught(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src" / "migralint", tmp_path / "src" / "migralint",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    findings = tmp_path / "src" / "migralint" / "findings.py"
    findings.write_text(findings.read_text() + "\n\ndef _broken() -> int:\n    return 'not an int'\n")
    done = mypy(tmp_path / "pyproject.toml", tmp_path / "cache")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "findings.py" in done.stdout and "Incompatible return value type" in done.stdout
