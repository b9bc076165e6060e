"""Where migrations folders are: by a file's path alone, and by walking a project.

A `.sql` file is a migration only inside a migrations folder as the layouts define one: the
grandparent of a Prisma `migration.sql` or a diesel `up.sql`/`down.sql`, the folder of a
file named the way Flyway, golang-migrate or ory popx name theirs, or a folder named
`migrations` (dbmate, Supabase, plain SQL). `scripts/report.sql` is none of these.

This module imports nothing heavy (no pglast, no click): the pre-commit hook asks it whether
a commit touches a migration before anything else is loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath, PurePosixPath
from typing import NamedTuple

FLYWAY_NAME = re.compile(r"^(?P<kind>[VUR])(?P<version>[0-9][0-9._]*)?__(?P<name>.+)\.sql$", re.I)
UP_DOWN_NAME = re.compile(r"^(?P<version>\d+)_(?P<name>.+?)\.(?P<direction>up|down)\.sql$", re.I)
POPX_NAME = re.compile(
    r"^(?P<version>\d+)_(?P<name>[^.]+)\.(?P<dialect>postgres|cockroach|mysql|sqlite3?)"
    r"(?P<autocommit>\.autocommit)?\.(?P<direction>up|down)\.sql$"
)
FOLDER_NAMES = frozenset({"migrations", "migration"})
# Never searched: dependencies, tools' caches and build output hold copies of migrations.
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "target", "dist", "build", "site-packages", "vendor"})
HISTORY_FILES = frozenset({"migrations.lock"})  # a change to it is a change to the folder's history


def migration_root(path: PurePath) -> PurePath | None:
    """The migrations folder `path` belongs to, judged by its path alone; None when it is no migration."""
    name = path.name
    if not name.lower().endswith(".sql"):
        return None
    if name in ("migration.sql", "up.sql", "down.sql"):  # Prisma, diesel: <folder>/<migration>/<file>
        return path.parent.parent if path.parent.name else None
    if POPX_NAME.match(name) or UP_DOWN_NAME.match(name) or FLYWAY_NAME.match(name):
        return path.parent
    if path.parent.name.lower() in FOLDER_NAMES:
        return path.parent
    return None


def is_skipped(folder: str) -> bool:
    return folder in SKIPPED_DIRS or folder.startswith(".")


def touches_migrations(paths: list[str], configured: str | None = None) -> bool:
    """Whether any of these paths (relative, with /) is a migration, or a migrations folder's lock file."""
    prefix = PurePosixPath(configured).as_posix().rstrip("/") + "/" if configured else None
    for raw in paths:
        path = PurePosixPath(raw)
        if any(is_skipped(part) for part in path.parts[:-1]):
            continue
        if path.name in HISTORY_FILES:
            return True
        if prefix is not None and raw.startswith(prefix) and raw.lower().endswith(".sql"):
            return True
        if migration_root(path) is not None:
            return True
    return False


class Listed(NamedTuple):
    """One folder of a walk: its path, its entries that are not folders, and the names of the
    sub-folders the walk enters next (sorted; the caller may remove names, as with os.walk)."""

    folder: str
    files: list[os.DirEntry[str]]
    folders: list[str]


def walk(top: str, skip: Callable[[str], bool], unreadable: Callable[[str, OSError], None] | None = None) -> Iterator[Listed]:
    """Each folder under `top` as os.walk finds them: links to folders not entered, each folder
    before its sub-folders, each sub-folder's tree whole, in name order; `skip` names the
    sub-folders never entered, and `unreadable` hears of a folder that cannot be listed.

    On os.scandir rather than os.walk: a directory entry says whether it is a link without a
    system call, where os.walk lstat()s every sub-folder; discovery and the pre-commit hook's
    search of the whole project walk every folder of it."""
    stack = [top]  # folders still to visit, the next on top
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as error:
            if unreadable is not None:
                unreadable(folder, error)
            continue
        listed = Listed(folder, [], [])
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False  # as os.walk: what cannot be stat()ed is not a folder
            if not is_dir:
                listed.files.append(entry)
            elif not entry.is_symlink() and not skip(entry.name):
                listed.folders.append(entry.name)
        listed.folders.sort()
        yield listed
        stack.extend(os.path.join(folder, name) for name in reversed(listed.folders))


def find_folders(top: Path) -> list[Path]:
    """Every migrations folder under `top`, in path order; virtual environments are skipped."""
    roots: set[Path] = set()
    # Each root judged once: a Prisma folder names its root once per migration (hundreds of
    # times), and `top in root.parents` makes a Path per parent each time it is asked.
    judged: dict[PurePath, bool] = {}
    for listed in walk(str(top), is_skipped):
        if any(entry.name == "pyvenv.cfg" for entry in listed.files):
            listed.folders.clear()  # a virtual environment: its packages may ship migrations
            continue
        here = Path(listed.folder)
        for entry in listed.files:
            if entry.name.lower().endswith(".sql"):  # only .sql names can be migrations
                root = migration_root(here / entry.name)
                if root is None:
                    continue
                inside = judged.get(root)
                if inside is None:
                    inside = judged[root] = _within(root, top)
                    if inside:
                        roots.add(Path(root))
    return sorted(roots, key=lambda p: p.as_posix())


def _within(root: PurePath, top: Path) -> bool:
    """A Prisma file directly in `top` names `top`'s parent as its root: that is not under `top`."""
    return root == top or top in root.parents


def nearest_config_sets_folder(start: Path) -> bool:
    """Whether the nearest config file could name a migrations_dir (read as text: tomllib is not loaded)."""
    for folder in (start, *start.parents):
        for name in ("migralint.toml", "pyproject.toml"):
            candidate = folder / name
            if not candidate.is_file():
                continue
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return True  # cannot tell: let the full run decide
            if name == "pyproject.toml" and "[tool.migralint" not in text:
                continue
            return re.search(r"migrations[_-]dir", text) is not None
    return False



def folders_changed(folders: list[str], changed: list[str]) -> list[str]:
    """The folders (as shown, relative) that hold one of the changed paths.

    A folder whose every migration the change deletes holds no .sql file to be found by:
    it comes from the changed paths themselves.
    """
    emptied = {root.as_posix() for p in changed if (root := migration_root(PurePosixPath(p))) is not None}
    candidates = [f for f in dict.fromkeys([*folders, *sorted(emptied)]) if Path(f).is_dir()]
    return [f for f in candidates if any(is_under(Path(p), f) for p in changed)]


def is_under(path: PurePath, folder: str) -> bool:
    return folder in (".", "") or PurePath(folder) in path.parents
