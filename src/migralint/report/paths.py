"""Paths as CI systems want them: relative to the repository root, with forward slashes."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path


def repository_root() -> Path | None:
    """GITHUB_WORKSPACE / CI_PROJECT_DIR when set, else the git top level of the working directory."""
    for variable in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).resolve()
    return _git_top_level(os.getcwd())


@lru_cache(maxsize=8)
def _git_top_level(cwd: str) -> Path | None:
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(top.stdout.strip()).resolve() if top.returncode == 0 and top.stdout.strip() else None


def repo_relative(path: str) -> str:
    """A finding's path relative to the repository root (unchanged when outside it, or no root)."""
    root = repository_root()
    if root is None:
        return path.replace(os.sep, "/")
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return path.replace(os.sep, "/")
