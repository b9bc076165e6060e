"""Paths as CI systems want them: relative to the repository root, with forward slashes.

`repo_relative` keeps the real name (undecodable bytes included) for what must find the file
again, such as a SARIF URI; `shown` and `repo_shown` are the one way a path is displayed.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote_from_bytes

from migralint.report.escape import valid_text


def repository_root() -> Path | None:
    """GITHUB_WORKSPACE / CI_PROJECT_DIR when set, else the git top level of the working directory."""
    for variable in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).resolve()
    return _git_top_level(os.getcwd())


@lru_cache(maxsize=8)
def _git_top_level(cwd: str) -> Path | None:
    import subprocess  # SARIF and GitLab ask git; the JSON and text reports never do

    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(top.stdout.strip()).resolve() if top.returncode == 0 and top.stdout.strip() else None


def repo_relative(path: str) -> str:
    """A finding's path relative to the repository root (unchanged when outside it, or no root)."""
    return _relative(path, repository_root(), os.getcwd())


@lru_cache(maxsize=4096)
def _relative(path: str, root: Path | None, cwd: str) -> str:
    # The working directory is part of the key: `path` may be relative to it.
    if root is None:
        return path.replace(os.sep, "/")
    absolute = Path(cwd, path).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return path.replace(os.sep, "/")


def shown(path: str) -> str:
    """A path for people and text formats: undecodable bytes as `\\xNN`, always valid UTF-8."""
    return valid_text(path)


def repo_shown(path: str) -> str:
    return valid_text(repo_relative(path))


def uri_reference(path: str) -> tuple[str, bool]:
    """An RFC 3986 URI for the file: (uri, relative to the repository root?).

    Percent-encoded from the file name's bytes, so `#`, `?`, `%`, spaces, control characters
    and bytes that are not UTF-8 all survive, and decoding the URI gives back the real name.
    """
    relative = repo_relative(path)
    if os.path.isabs(relative):
        return Path(relative).as_uri(), False
    return quote_from_bytes(os.fsencode(relative), safe="/"), True
