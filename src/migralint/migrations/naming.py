"""The migration guides' naming conventions, and migration folders or files with no SQL in them.

The guides agree: after the timestamp, a lowercase snake_case name that says what the migration
does (`add_user_email`, not `AddUserEmail`, not `update`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path

from migralint.source import read_text

# Words that say nothing about what a migration changes; a name made only of these (and numbers)
# is vague. "init" alone is fine for the first migration of a folder.
VAGUE_WORDS = frozenset(
    {
        "update", "updates", "fix", "fixes", "change", "changes", "migration", "migrations", "migrate",
        "test", "temp", "tmp", "new", "misc", "wip", "stuff", "schema", "db", "draft", "init",
    }
)
# Lowercase words joined by underscores; hyphens pass too (lowercase kebab-case is diesel's and
# many teams' habit, and reads as well), and so do release numbers such as `2.9.0_schema`.
_LOWERCASE_NAME = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+|\.[0-9]+)*$")
_RELEASE_NUMBER = re.compile(r"\d\.\d")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_LINE_COMMENT = re.compile(r"--[^\n]*")
_MIGRATION_SQL = "migration.sql"


def words(name: str) -> list[str]:
    """The words of a name in any case style: "addUserEmail2" -> ["add", "user", "email", "2"]."""
    return [word.lower() for word in _WORDS.findall(name)]


def snake_case(name: str) -> str:
    return "_".join(words(name))


def is_lowercase_name(name: str) -> bool:
    return _LOWERCASE_NAME.match(name) is not None


def is_vague(name: str, *, first: bool) -> bool:
    """A name that says nothing about the change: `update`, `fix_stuff`, `migration1`, `init2`.

    The first migration may be `init` or `init_schema`; a release number (`2.9.0_schema`)
    says which release the migration belongs to, which is enough.
    """
    # Every answer but one is False, and most names say what they do in their first word or two:
    # the first word that says something decides (history rules ask this of every migration).
    found = []
    for match in _WORDS.finditer(name):
        word = match.group().lower()
        if word.isdigit():
            continue
        if word not in VAGUE_WORDS and len(word) != 1:
            return False
        found.append(word)
    if _RELEASE_NUMBER.search(name):
        return False
    if first and "init" in found and not any(c.isdigit() for c in name):
        return False  # `init`, `init_schema`: what a first migration is called
    return True


def folders_without_sql(root: Path, known: Collection[str] = frozenset()) -> list[Path]:
    """Subfolders of a Prisma migrations folder that hold no migration.sql (Prisma fails on them).

    `known` are the names of sub-folders already known to hold one: they are not looked at again
    (nor made a Path: a folder of the corpus has hundreds, and a warm run knows them all).
    """
    try:
        with os.scandir(root) as scan:
            names = sorted(e.name for e in scan if e.name not in known and not e.name.startswith(".") and e.is_dir())
    except OSError:
        return []
    return [folder for folder in (root / name for name in names) if _lacks_migration_sql(folder)]


def is_blank_sql(path: Path) -> bool:
    """True for a file holding nothing but whitespace and comments (False when unreadable)."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError):
        return False  # reported when the file is read for linting
    text = _BLOCK_COMMENT.sub("", text)
    text = _LINE_COMMENT.sub("", text)
    return not text.strip()


def _lacks_migration_sql(folder: Path) -> bool:
    # A folder migralint may not look into is reported as unreadable, not as lacking its SQL.
    return os.access(folder, os.R_OK | os.X_OK) and not os.path.isfile(folder / _MIGRATION_SQL)
