"""What the index changes: the question the pre-commit hook asks before anything is loaded.

Standard library only, and not even pathlib: this runs on every commit.
"""

from __future__ import annotations

import subprocess


def staged_changes(cwd: str) -> list[str] | None:
    """Paths (relative to `cwd`, with /) that the index changes against HEAD, deletions included.

    None when git cannot tell (no git, not a repository): the caller lets the full run say why.
    In a repository with no commit yet, everything staged is a change.
    """
    command = ["git", "-c", "core.quotepath=off", "diff", "--cached", "--name-only", "--no-renames",
               "--relative", "-z"]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return [p for p in done.stdout.decode("utf-8", errors="surrogateescape").split("\0") if p]


def could_touch_migrations(paths: list[str]) -> bool:
    """False when no path is a .sql file or a migrations.lock: no migration can be among them."""
    return any(p.lower().endswith(".sql") or p.rsplit("/", 1)[-1] == "migrations.lock" for p in paths)
