"""What the index changes: the question the pre-commit hook asks before anything is loaded.

Standard library only, and not even pathlib: this runs on every commit.
"""

from __future__ import annotations

import subprocess


# What the launcher asked git a moment ago, handed to the command it goes on to run in the same
# process, which would ask again: each git process costs 5 to 10 ms of every commit's hook.
_handed_over: dict[str, list[str]] = {}


def hand_over(cwd: str, changed: list[str]) -> None:
    """`changed` is the answer for `cwd` the next staged_changes(cwd) takes, once."""
    _handed_over[cwd] = changed


def staged_changes(cwd: str) -> list[str] | None:
    """Paths (relative to `cwd`, with /) that the index changes against HEAD, deletions included.

    None when git cannot tell (no git, not a repository): the caller lets the full run say why.
    In a repository with no commit yet, everything staged is a change.
    """
    handed = _handed_over.pop(cwd, None)
    return handed if handed is not None else ask_git(cwd)


def ask_git(cwd: str) -> list[str] | None:
    """staged_changes(cwd), from git itself."""
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
