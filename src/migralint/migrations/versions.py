"""A migration's name, split into the runner's version and the author's words, and renames.

Each layout names a migration `<version><separator><name>`: Prisma `20240101120000_add_email`
(a folder), Flyway `V1_5__add_email.sql`, golang-migrate and ory popx `0005_add_email.up.sql`,
diesel `2024-01-01-120000_add_email` (a folder), dbmate `20240101120000_add_email.sql`. The
version decides the order (and, except for Prisma, the identity in the runner's history table);
the name after it is the author's.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from migralint.migrations.layouts import Layout, MigrationFile, classify
from migralint.source import display_path

_LEADING_DIGITS = re.compile(r"^(?P<version>\d*)(?P<separator>_?)(?P<name>.*)$", re.S)
_FLYWAY = re.compile(r"^(?P<prefix>[VUR])(?P<version>[0-9][0-9._]*)?(?P<separator>__)(?P<name>.*)$", re.I | re.S)
_DIESEL = re.compile(r"^(?P<version>[^_]*)(?P<separator>_?)(?P<name>.*)$", re.S)
_DIGIT_RUN = re.compile(r"\d+")
# Timestamp versions, and the smallest step each format can express.
_TIME_FORMATS = (
    (14, "%Y%m%d%H%M%S", timedelta(seconds=1)),
    (17, "%Y-%m-%d-%H%M%S", timedelta(seconds=1)),  # diesel
    (12, "%Y%m%d%H%M", timedelta(minutes=1)),
    (8, "%Y%m%d", timedelta(days=1)),
)
# Layouts whose runner records a migration by its version alone: two migrations with one version
# are one migration to it. Prisma records the whole folder name, plain files have no version.
_KEYED_BY_VERSION = frozenset({Layout.FLYWAY, Layout.GOLANG_MIGRATE, Layout.POPX, Layout.DIESEL, Layout.DBMATE})


class MigrationName(NamedTuple):
    prefix: str  # Flyway's "V", "U" or "R"; empty elsewhere
    version: str  # as written: "20240101120000", "1_5", "2024-01-01-120000"; empty when there is none
    separator: str  # "_", Flyway's "__", or empty when the name is missing
    name: str  # the author's words: "add_email"; empty when missing


def split_name(migration: MigrationFile) -> MigrationName | None:
    """The version and the author's name; None for plain files, whose name is all the author's, and
    authelia's (V0001.Initial_Schema: its own CamelCase convention, no guide's snake_case)."""
    if migration.layout in (Layout.PLAIN, Layout.AUTHELIA):
        return None
    if migration.layout is Layout.FLYWAY:
        match = _FLYWAY.match(migration.path.stem)
        if match is None:
            return None
        return MigrationName(match["prefix"], match["version"] or "", match["separator"], match["name"])
    pattern = _DIESEL if migration.layout is Layout.DIESEL else _LEADING_DIGITS
    match = pattern.match(migration.name)
    assert match is not None  # both patterns match any string
    return MigrationName("", match["version"], match["separator"], match["name"])


def is_repeatable(migration: MigrationFile) -> bool:
    """Flyway's `R__` scripts: no version, run again whenever they change, after the versioned ones."""
    return migration.layout is Layout.FLYWAY and migration.path.name[:1].upper() == "R"


def version_identity(migration: MigrationFile) -> object | None:
    """What the runner's history table knows this migration by, when that is its version alone.

    None for Prisma (it records the whole folder name), plain files, Flyway's repeatable
    migrations, and rollbacks (they share the version of what they undo).
    """
    if migration.layout not in _KEYED_BY_VERSION or migration.rollback:
        return None
    parts = split_name(migration)
    if parts is None or not parts.version:
        return None
    if migration.layout is Layout.FLYWAY:
        numbers = [int(n) for n in _DIGIT_RUN.findall(parts.version)]
        while len(numbers) > 1 and numbers[-1] == 0:  # Flyway: 1.0 is version 1
            numbers.pop()
        return tuple(numbers)
    if migration.layout in (Layout.GOLANG_MIGRATE, Layout.POPX):
        return int(parts.version)  # golang-migrate parses the version as a number: 01 is 1
    return parts.version.replace("-", "")  # diesel drops the dashes; dbmate keeps the digits


def following_version(version: str) -> str:
    """The next version after `version`, in its format: a timestamp plus its smallest step
    (one second for YYYYMMDDHHMMSS), otherwise its last number plus one, zero-padded alike."""
    for length, fmt, step in _TIME_FORMATS:
        if len(version) != length:
            continue
        try:
            moment = datetime.strptime(version, fmt)
        except ValueError:
            continue
        if 1970 <= moment.year <= 2200:
            return (moment + step).strftime(fmt)
    runs = list(_DIGIT_RUN.finditer(version))
    if not runs:
        return version + "1"
    last = runs[-1]
    number = str(int(last.group()) + 1).zfill(len(last.group()))
    return version[: last.start()] + number + version[last.end() :]


def renamed_name(migration: MigrationFile, version: str | None = None, name: str | None = None) -> str | None:
    """The migration's name (folder name, or the identity its files share) with a new version or words."""
    parts = split_name(migration)
    if parts is None:
        return None
    version = parts.version if version is None else version
    name = parts.name if name is None else name
    separator = parts.separator or ("__" if migration.layout is Layout.FLYWAY else "_")
    return f"{parts.prefix}{version}{separator}{name}" if name else f"{parts.prefix}{version}"


def version_after(
    migration: MigrationFile, after: MigrationFile, taken: set[str], listing: Collection[Path]
) -> str | None:
    """A free version for `migration` that sorts after `after`, in `after`'s format."""
    mine, theirs = split_name(migration), split_name(after)
    if mine is None or theirs is None or not theirs.version:
        return None
    candidate = theirs.version
    for _ in range(1000):
        candidate = following_version(candidate)
        if candidate in taken:
            continue
        new_path = _new_path(migration, candidate, listing)
        if new_path is None:
            return None
        # The runner's own order must agree: check it on the new path, not on the version alone.
        new = classify(new_path)
        if new.layout is migration.layout and new.sort_key > after.sort_key:
            return candidate
        return None
    return None


def _new_path(migration: MigrationFile, version: str, listing: Collection[Path]) -> Path | None:
    for old, new in renames(migration, listing, version):
        if old == migration.path:
            return new
        if old == migration.path.parent:
            return new / migration.path.name
    return None


def renames(
    migration: MigrationFile, listing: Collection[Path], version: str | None = None, name: str | None = None
) -> list[tuple[Path, Path]]:
    """The moves (old path, new path) that give a migration a new version or name: its folder, or
    its files (up and down, every dialect, Flyway's undo script and .conf), which `listing` (the
    entries of its folder: folder_files.folder_listing, read beforehand) says exist."""
    parts = split_name(migration)
    new_name = renamed_name(migration, version, name)
    if parts is None or new_name is None:
        return []
    if migration.layout in (Layout.PRISMA, Layout.DIESEL):
        folder = migration.path.parent
        return [(folder, folder.with_name(new_name))]
    if migration.layout is Layout.FLYWAY:
        moves = []
        for prefix in ("V", "U") if parts.prefix.upper() != "R" else (parts.prefix,):
            stem = f"{prefix}{parts.version}{parts.separator}{parts.name}"
            new_stem = prefix + new_name[len(parts.prefix) :]
            for suffix in (".sql", ".sql.conf"):
                old = migration.path.with_name(stem + suffix)
                if old in listing or old == migration.path:
                    moves.append((old, old.with_name(new_stem + suffix)))
        return moves
    if migration.layout in (Layout.GOLANG_MIGRATE, Layout.POPX):
        prefix = migration.name + "."
        folder = migration.path.parent
        siblings = sorted(p for p in listing if p.parent == folder and p.name.startswith(prefix))
        return [(p, p.with_name(new_name + p.name[len(migration.name) :])) for p in siblings or [migration.path]]
    return [(migration.path, migration.path.with_name(new_name + migration.path.suffix))]


def shell_path(path: Path) -> str:
    """A path as findings show it (relative to the working directory), quoted for a shell."""
    return shlex.quote(display_path(path))


def git_mv_lines(moves: list[tuple[Path, Path]]) -> list[str]:
    return [f"git mv {shell_path(old)} {shell_path(new)}" for old, new in moves]


def rename_help(
    migration: MigrationFile, after: MigrationFile, taken: set[str], *, reason: str, listing: Collection[Path]
) -> tuple[str, str | None]:
    """Help that renames `migration` to sort after `after` (`git mv` lines), and its new version.
    `listing`: the entries of the migrations' folders (folder_files.folder_listing)."""
    version = version_after(migration, after, taken, listing)
    if version is None:
        return f"Rename {migration.name} {reason}.", None
    return "\n".join([f"Rename it {reason}:", *git_mv_lines(renames(migration, listing, version))]), version
