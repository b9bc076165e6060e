"""`migrations.lock`: the hash of every migration, in order, chained (the idea of Atlas's atlas.sum).

One line per migration, in the order the runner applies them:

    <name> <sha256 of the file, CRLF read as LF> <sha256 of (previous chained hash + name + file hash)>

It is committed beside the migrations. An edit to a locked migration changes its hash, so the
lint catches it with no git history and no database; two branches that each add a migration
both append a line after the same last line, so git reports a conflict when they merge, where
otherwise the two migrations would slip in side by side in an order nobody tested. The chain
makes a hand-edited line visible.

Being listed is not being applied: a migration is locked when it is committed, long before
production runs it, so the lock file says nothing about which tables hold rows.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple

from migralint.errors import InputError
from migralint.migrations.layouts import MigrationFile
from migralint.migrations.versions import is_repeatable
from migralint.source import read_bytes, read_text

LOCK_NAME = "migrations.lock"
FORMAT_VERSION = 1
HEADER = (
    f"# migralint migrations.lock v{FORMAT_VERSION}: <migration> <sha256 of the file> <chained sha256>;"
    " written by `migralint lock`, do not edit by hand"
)
_HEADER = re.compile(r"^# migralint migrations\.lock v(?P<version>\d+)\b")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


class LockEntry(NamedTuple):
    name: str
    file_hash: str
    chained: str
    line: int = 0  # in the lock file; 0 for an entry computed from the folder


class LockProblem(NamedTuple):
    """What differs between the lock file and the folder, for the migrations-lock-mismatch rule."""

    kind: str  # "malformed", "conflict", "chain", "edited", "deleted", "inserted"
    line: int  # in the lock file (1 for problems about a migration file)
    name: str = ""  # the migration concerned
    path: Path | None = None  # the migration file, when it exists
    detail: str = ""  # "malformed": what is wrong; "edited": the locked hash; "inserted": the last locked name


class LockStatus(NamedTuple):
    path: Path
    migrations: int
    state: str  # "written", "up to date", "missing", "out of date"
    changes: tuple[str, ...] = ()  # what differs, for people: "20240101000000_init changed", ...


def lock_path(root: Path) -> Path:
    return root / LOCK_NAME


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes, CRLF read as LF so that a Windows checkout hashes the same."""
    return hashlib.sha256(read_bytes(path).replace(b"\r\n", b"\n")).hexdigest()


def chain(previous: str, name: str, hashed: str) -> str:
    return hashlib.sha256(f"{previous}{name}{hashed}".encode()).hexdigest()


def locked_migrations(migrations: list[MigrationFile]) -> list[MigrationFile]:
    """The migrations a lock file lists: what runs going up, in order. Rollbacks never ran, and
    Flyway's repeatable migrations are meant to be edited (Flyway runs them again when they change)."""
    return [m for m in migrations if not m.rollback and not is_repeatable(m)]


def entries_of(migrations: list[MigrationFile]) -> list[LockEntry]:
    """The lock entries of a folder as it is now. Raises InputError for an unreadable file."""
    entries: list[LockEntry] = []
    previous = ""
    for migration in locked_migrations(migrations):
        try:
            hashed = file_hash(migration.path)
        except OSError as exc:
            raise InputError(f"{migration.path}: cannot read: {exc.strerror or exc}") from None
        previous = chain(previous, migration.name, hashed)
        entries.append(LockEntry(migration.name, hashed, previous))
    return entries


def render(entries: list[LockEntry]) -> str:
    return HEADER + "\n" + "".join(f"{e.name} {e.file_hash} {e.chained}\n" for e in entries)


class ParsedLock(NamedTuple):
    entries: list[LockEntry]
    problems: list[LockProblem]  # "malformed" and "conflict" problems


def parse(text: str) -> ParsedLock:
    lines = text.splitlines()
    if any(line.startswith(_CONFLICT_MARKERS) for line in lines):
        first = next(k for k, line in enumerate(lines, 1) if line.startswith(_CONFLICT_MARKERS))
        return ParsedLock([], [LockProblem("conflict", first)])
    header = _HEADER.match(lines[0]) if lines else None
    if header is None:
        return ParsedLock([], [LockProblem("malformed", 1, detail="its first line is not a migralint lock header")])
    version = header["version"]
    # Compared as text: int() refuses a number of more than 4,300 digits, and a hand-edited
    # header may hold one.
    if version.lstrip("0") != str(FORMAT_VERSION):
        shown = version if len(version) <= 12 else version[:12] + "..."
        detail = f"it is format v{shown}; this migralint reads v{FORMAT_VERSION}"
        return ParsedLock([], [LockProblem("malformed", 1, detail=detail)])
    entries, problems = [], []
    for number, line in enumerate(lines[1:], 2):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rsplit(" ", 2)  # a Prisma folder name may hold spaces; the hashes never do
        if len(fields) != 3 or not fields[0] or not (_HASH.match(fields[1]) and _HASH.match(fields[2])):
            problems.append(LockProblem("malformed", number, detail='it is not "<migration> <sha256> <sha256>"'))
            continue
        entries.append(LockEntry(fields[0], fields[1], fields[2], number))
    return ParsedLock(entries, problems)


def verify(root: Path, migrations: list[MigrationFile]) -> list[LockProblem]:
    """What differs between `root`'s lock file and its migrations; nothing when there is no lock file.

    New migrations after the last locked one are fine: they are pending, and `migralint lock`
    adds them when they are committed.
    """
    try:
        text = read_text(lock_path(root))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        return [LockProblem("malformed", 1, detail=f"it cannot be read ({exc})")]
    parsed = parse(text)
    problems = list(parsed.problems)
    previous = ""
    for entry in parsed.entries:
        if chain(previous, entry.name, entry.file_hash) != entry.chained:
            problems.append(LockProblem("chain", entry.line, entry.name))
            break  # every line after a broken one is broken too: one finding says it
        previous = entry.chained
    on_disk = {m.name: m for m in locked_migrations(migrations)}
    for entry in parsed.entries:
        migration = on_disk.get(entry.name)
        if migration is None:
            problems.append(LockProblem("deleted", entry.line, entry.name))
            continue
        try:
            hashed = file_hash(migration.path)
        except OSError:
            continue  # the lint reports the unreadable file
        if hashed != entry.file_hash:
            problems.append(LockProblem("edited", entry.line, entry.name, migration.path, entry.file_hash))
    locked = {entry.name for entry in parsed.entries}
    last_locked = next((on_disk[e.name] for e in reversed(parsed.entries) if e.name in on_disk), None)
    if last_locked is not None:
        for migration in on_disk.values():
            if migration.name not in locked and migration.sort_key < last_locked.sort_key:
                problems.append(LockProblem("inserted", 1, migration.name, migration.path, last_locked.name))
    return problems


def lock_folders(folders: dict[Path, list[MigrationFile]], *, write: bool) -> list[LockStatus]:
    """Write (or, with write=False, check) the lock file of each folder."""
    statuses = []
    for root, migrations in folders.items():
        path = lock_path(root)
        entries = entries_of(migrations)
        expected = render(entries)
        try:
            current: str | None = read_text(path)
        except FileNotFoundError:
            current = None
        except (OSError, UnicodeDecodeError) as exc:
            if not write:
                raise InputError(f"{path}: cannot read: {exc}") from None
            current = ""
        if current is not None and current.replace("\r\n", "\n") == expected:
            statuses.append(LockStatus(path, len(entries), "up to date"))
            continue
        changes = _changes(current, entries) if current is not None else ()
        if not write:
            statuses.append(LockStatus(path, len(entries), "missing" if current is None else "out of date", changes))
            continue
        try:
            path.write_text(expected, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        statuses.append(LockStatus(path, len(entries), "written", changes))
    return statuses


def _changes(current: str, entries: list[LockEntry]) -> tuple[str, ...]:
    """What the lock file says differently from the folder, one short phrase per migration."""
    old = {e.name: e.file_hash for e in parse(current).entries}
    new = {e.name: e.file_hash for e in entries}
    changes = [f"{name} is new" for name in new if name not in old]
    changes += [f"{name} changed since it was locked" for name, hashed in new.items() if old.get(name, hashed) != hashed]
    changes += [f"{name} is gone" for name in old if name not in new]
    return tuple(changes)
