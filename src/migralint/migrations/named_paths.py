"""What a path or a glob named on the command line points at, links and all.

Globs with `**` are walked here rather than by Python's glob: it follows links to folders, and
through a link loop it walks an exponential number of paths (tests/fuzz/CAMPAIGN.md). Each
named path is looked at with one lstat (and a stat for a link), not the three calls of
Path.exists(), is_dir() and is_symlink().
"""

from __future__ import annotations

import errno
import fnmatch
import glob
import os
import stat
from pathlib import Path
from typing import NamedTuple

from migralint.errors import InputError


class NamedPath(NamedTuple):
    """A path a user named (or a glob matched), what it is after links, and whether it is a link."""

    path: Path
    is_dir: bool
    is_link: bool | None  # None: not known
    # What stat() said of it (links followed), when it was asked: the result cache's file stamp
    # (cache.py) is taken from it rather than from a stat() of its own.
    info: os.stat_result | None = None


# The errors Path.exists() takes for "nothing there" (pathlib's _IGNORED_ERRNOS and
# _IGNORED_WINERRORS in Python 3.11); others raise, as there.
_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_MISSING_ON_WINDOWS = frozenset({21, 123, 1921})  # not ready, invalid name, cannot resolve


def _named(path: Path) -> NamedPath | None:
    """Path.exists(), is_dir() and is_symlink() in one lstat (and a stat for a link): each
    named file cost three system calls, dear on a virtual machine. None when nothing is there."""
    try:
        info = os.lstat(path)
        is_link = stat.S_ISLNK(info.st_mode)
        if is_link:
            info = os.stat(path)
    except OSError as exc:
        if exc.errno not in _MISSING and getattr(exc, "winerror", None) not in _MISSING_ON_WINDOWS:
            raise
        return None
    except ValueError:  # a NUL in the name: no such file, as Path.exists() says
        return None
    return NamedPath(path, stat.S_ISDIR(info.st_mode), is_link, info)


def expand(raw: str) -> list[NamedPath]:
    """What `raw` names: itself, or a glob's matches, each real file or folder once."""
    if has_magic(raw):
        matches = walk_glob(raw) if "**" in raw else glob.glob(raw)
        if not matches:
            raise InputError(f"no files match {raw!r}")
        # `**` follows links to folders: through a link loop the same file matches under ever
        # longer paths. Each real file or folder is taken once, by its shortest path.
        seen: set[str] = set()
        unique = []
        for match in sorted(matches, key=lambda m: (m.count(os.sep), m)):
            real = os.path.realpath(match)
            if real not in seen:
                seen.add(real)
                unique.append(match)
        return [_matched(m) for m in sorted(unique)]
    named = _named(Path(raw))  # through Path, as before: "" is "."
    if named is None:
        raise InputError(f"{raw}: no such file or folder")
    return [named]


def has_magic(raw: str) -> bool:
    """`glob.has_magic(raw)` for text: whether it holds *, ? or [. glob's asks a regular
    expression, 7,700 instructions a name against a few hundred here (callgrind): a run given
    the corpus's 2,576 files by name asked it of each."""
    return "*" in raw or "?" in raw or "[" in raw


def _matched(match: str) -> NamedPath:
    """A glob's match: it is there (a broken link included: glob lists it, and reading it says
    why it fails); what cannot be looked at is taken as a file, as before."""
    try:
        return _named(Path(match)) or NamedPath(Path(match), False, True)
    except OSError:
        return NamedPath(Path(match), False, None)


def walk_glob(pattern: str) -> list[str]:
    """`glob.glob(pattern, recursive=True)` that enters each real folder once.

    Python's `**` follows links to folders: with two links to "." in a folder it walks 2^40
    paths before the system says ELOOP, which is a run that never ends.
    """
    parts = pattern.split("/")
    first_magic = next(k for k, part in enumerate(parts) if has_magic(part))
    base = "/".join(parts[:first_magic]) or ("/" if pattern.startswith("/") else "")
    rest = parts[first_magic:]
    matches: list[str] = []
    visited: set[str] = set()

    def visit(folder: str, depth_parts: list[str]) -> None:
        real = os.path.realpath(folder or ".")
        if real in visited:
            return
        visited.add(real)
        try:
            with os.scandir(folder or ".") as scan:
                entries = sorted((entry.name, _entry_is_dir(entry)) for entry in scan)
        except OSError:
            return
        for name, is_dir in entries:
            path = os.path.join(folder, name) if folder else name
            relative = [*depth_parts, name]
            if _matches(relative, rest):
                matches.append(path)
            if is_dir and _may_match_below(relative, rest):
                visit(path, relative)

    visit(base, [])
    return matches


def _entry_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows links, as glob does; `visit` enters each real folder once
    except OSError:
        return False


def _component_matches(name: str, part: str) -> bool:
    if name.startswith(".") and not part.startswith("."):
        return False  # as glob: hidden names match only a pattern that starts with a dot
    return fnmatch.fnmatchcase(name, part)


def _matches(names: list[str], parts: list[str]) -> bool:
    if not parts:
        return not names
    if parts[0] == "**":
        return any(_matches(names[k:], parts[1:]) for k in range(len(names) + 1)) and not any(
            n.startswith(".") for n in names[: len(names) - _fixed_tail(parts[1:])]
        )
    return bool(names) and _component_matches(names[0], parts[0]) and _matches(names[1:], parts[1:])


def _fixed_tail(parts: list[str]) -> int:
    return len([p for p in parts if p != "**"])


def _may_match_below(names: list[str], parts: list[str]) -> bool:
    """Whether some path under `names` can still match: the walk goes no deeper than it must."""
    for k, part in enumerate(parts):
        if part == "**":
            return not any(n.startswith(".") for n in names[k:])
        if k >= len(names):
            return True
        if not _component_matches(names[k], part):
            return False
    return len(names) < len(parts)
