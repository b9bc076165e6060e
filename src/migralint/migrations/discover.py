"""From the paths a user gives (files, folders, globs, or nothing) to ordered migration files."""

from __future__ import annotations

from dataclasses import replace
import os
import re
from pathlib import Path
from typing import NamedTuple

from migralint.errors import InputError, UserError
from migralint.migrations.folders import find_folders, walk
from migralint.migrations.layouts import Layout, MigrationFile, classify, split_text
from migralint.migrations.named_paths import expand
from migralint.migrations.prisma_schema import datasource_providers, normalized_provider, schema_files
from migralint.source import is_file, read_head, read_text
from migralint.sql.dialect import Dialect
from migralint.sql.front_ends import LINTED_DIALECTS, LINTED_NAMES

_SKIPPED_DIRS = frozenset({"node_modules", ".git", ".venv", "venv", "__pycache__", "target", "dist", "build"})
_PROVIDER = re.compile(r'^\s*provider\s*=\s*"([^"]*)"', re.M)
_HEAD_BYTES = 4096


class FoundFolders(NamedTuple):
    """The migrations folders to use when no path is given, and the ones set aside."""

    folders: list[Path]
    skipped: list[str]  # "packages/x/prisma/migrations (provider mysql)"


def default_folders(cwd: Path, configured: str | None) -> FoundFolders:
    """Every migrations folder under `cwd` (monorepos included), or the config's migrations_dir."""
    if configured:
        folder = cwd / configured
        if not folder.is_dir():
            raise InputError(f"migrations_dir {configured!r} from the config does not exist under {cwd}")
        return FoundFolders([folder], [])
    folders, skipped = [], []
    for folder in find_folders(cwd):
        provider = prisma_provider(folder / "migration_lock.toml")
        if provider is not None and Dialect.from_prisma_provider(provider) not in LINTED_DIALECTS:
            # another database's migrations, in a project that has PostgreSQL ones too
            skipped.append(f"{_relative_to(folder, cwd)} (provider {provider})")
        else:
            folders.append(folder)
    if not folders:
        why = f"; set aside: {', '.join(skipped)}" if skipped else ""
        raise InputError(f"no migrations folder found under {cwd}{why}; pass a path or set migrations_dir")
    return FoundFolders(folders, skipped)


def default_folder(cwd: Path, configured: str | None) -> Path:
    """The one migrations folder a command that runs migrations works on when no path is given."""
    folders = default_folders(cwd, configured).folders
    if len(folders) > 1:
        shown = ", ".join(_relative_to(f, cwd) for f in folders)
        raise InputError(f"several migrations folders under {cwd}: {shown}; pass the one to use "
                         "(or set migrations_dir)")
    return folders[0]


def _relative_to(folder: Path, cwd: Path) -> str:
    try:
        return folder.relative_to(cwd).as_posix()
    except ValueError:
        return str(folder)


def discover(
    paths: list[str],
    *,
    assume_in_transaction: bool = False,
    problems: list[str] | None = None,
    dialect: Dialect | None = None,
    stats: dict[str, os.stat_result] | None = None,
) -> list[MigrationFile]:
    """Migration files for files, folders and globs, in the order their runners apply them.

    What cannot be linted (a folder that cannot be read, a Prisma folder for another database)
    is left out and said in one sentence each in `problems`, so that the rest is still
    linted; without a `problems` list the first one raises UserError. `dialect` is the configured
    one, for files whose folder and name do not say theirs. `stats` receives what stat() said of
    each file named on its own (str(path) -> result), for the result cache's stamps.
    """
    said: list[str] = []
    found: dict[str, MigrationFile] = {}  # by real path: a link loop or two globs give one file once
    real_folders: dict[str, str] = {}
    links: dict[str, frozenset[str] | int] = {}  # _is_link's: each folder's links, once listed
    for raw in paths:
        for path, is_dir, is_link, info in expand(raw):
            if stats is not None and info is not None and not is_dir:
                stats[str(path)] = info
            if is_dir:
                for file, file_is_link in _sql_files(path, said, real_folders):
                    _add(found, file, assume_in_transaction, dialect, real_folders, from_folder=True, is_link=file_is_link)
            else:
                _add(found, path, assume_in_transaction, dialect, real_folders, from_folder=False, is_link=is_link,
                     links=links)
    files = _one_popx_dialect(sorted(found.values(), key=_order), dialect)
    files = _with_providers(files, said)
    if said and problems is None:
        raise UserError(said[0])
    if problems is not None:
        problems.extend(said)
    return files


def _order(migration: MigrationFile) -> tuple[str, tuple[object, ...], str]:
    return migration.order  # (str(migration.root), migration.sort_key, str(migration.path))


class Planned(NamedTuple):
    """A migration in the order its runner applies it; `lint` is False for history only."""

    migration: MigrationFile
    lint: bool


def with_history(
    targets: list[MigrationFile],
    *,
    assume_in_transaction: bool = False,
    folders: dict[Path, list[MigrationFile]] | None = None,
) -> list[Planned]:
    """The targets, each preceded by the migrations before it in its folder.

    The history is replayed, not linted, so that a file linted on its own (as pre-commit
    does) is checked against the schema its predecessors built. `folders` is what
    `folders_of` returned for these targets, when the caller has it already.
    """
    chosen = {m.path for m in targets}
    everything: dict[Path, MigrationFile] = {m.path: m for m in targets}
    if folders is None:
        folders = folders_of(targets, assume_in_transaction=assume_in_transaction)
    roots = {m.root for m in targets}
    for root, migrations in folders.items():
        if root not in roots:
            continue
        for migration in migrations:
            everything.setdefault(migration.path, migration)
    ordered = sorted(everything.values(), key=_order)
    # What comes after a folder's last target cannot change how the targets are linted.
    last_target = {m.root: k for k, m in enumerate(ordered) if m.path in chosen}
    return [Planned(m, m.path in chosen) for k, m in enumerate(ordered) if k <= last_target[m.root]]


def folders_of(
    targets: list[MigrationFile], *, assume_in_transaction: bool = False
) -> dict[Path, list[MigrationFile]]:
    """Every migration of each folder the targets belong to, in order (files that exist now).

    The history of a folder is its files of the targets' dialect: a popx folder keeps one file
    per database, and a MySQL file replayed into a PostgreSQL history would be nonsense.
    """
    folders: dict[Path, list[MigrationFile]] = {}
    by_root: dict[Path, dict[Path, MigrationFile]] = {}
    dialects: dict[Path, Dialect] = {}
    for migration in targets:
        by_root.setdefault(migration.root, {})[migration.path] = migration
        dialects.setdefault(migration.root, migration.dialect)
    for root, layouts in _roots(targets).items():
        found = by_root[root]
        # As text: a Path for each file of the folder, to find that the targets hold most of them
        # already, was a visible share of a warm run over a corpus.
        given = {str(path) for path in found}
        for name in _history_files(str(root), layouts):
            if name in given:
                continue
            path = Path(name)
            if path not in found and is_file(path):
                head = "" if _has_layout_name(path) else _head(path)
                migration = classify(path, head, assume_in_transaction=assume_in_transaction, dialect=dialects[root])
                if migration.layout is Layout.PRISMA and migration.dialect is not dialects[root]:
                    # The folder's provider. classify gave it already (dialect=): replace() cost more
                    # than classify, for each file of the folder's history (timeit).
                    migration = replace(migration, dialect=dialects[root])
                if migration.layout in layouts and migration.root == root and migration.dialect is dialects[root]:
                    found[path] = migration
        folders[root] = sorted(found.values(), key=_order)
    return folders


def _roots(targets: list[MigrationFile]) -> dict[Path, set[Layout]]:
    roots: dict[Path, set[Layout]] = {}
    for migration in targets:
        roots.setdefault(migration.root, set()).add(migration.layout)
    return roots


def _history_files(root: str, layouts: set[Layout]) -> list[str]:
    """The paths (as str(Path) would write them) where the folder's layouts keep migrations."""
    try:
        with os.scandir(root) as scan:
            entries = sorted((entry.name, entry.is_dir()) for entry in scan)
    except OSError:
        return []
    prefix = "" if root == "." else root if root.endswith(os.sep) else root + os.sep  # Path("x") / "y" is "x/y"
    if layouts & {Layout.PRISMA, Layout.DIESEL}:
        names = ("migration.sql",) if Layout.PRISMA in layouts else ("up.sql", "down.sql")
        # A missing file in a folder is reported where it matters; here it is simply not history.
        return [f"{prefix}{entry}{os.sep}{name}" for entry, is_dir in entries if is_dir for name in names]
    return [prefix + entry for entry, is_dir in entries if not is_dir and entry.lower().endswith(".sql")]


def _sql_files(folder: Path, problems: list[str], real_folders: dict[str, str]) -> list[tuple[Path, bool]]:
    """The .sql files under `folder` in the order of folders.walk, each with whether it is a link.

    A directory entry says whether it is a link, where discovery lstat()ed every file to resolve
    its real path (a link loop or two globs must give one file once); the real path of each
    folder entered is known from its parent's, so `real_folders` is filled as the walk goes."""

    def unreadable(path: str, error: OSError) -> None:  # said, and the rest still walked
        problems.append(f"{error.filename or path}: cannot read the folder: {error.strerror or error}")

    result: list[tuple[Path, bool]] = []
    top = str(folder)
    _real_folder(top, real_folders)
    for listed in walk(top, lambda name: name in _SKIPPED_DIRS or name.startswith("."), unreadable):
        real_top = real_folders[listed.folder]
        base = Path(listed.folder)
        real_folders[str(base)] = real_top  # how _real_path will ask for it ("./a" is "a" there)
        sql = sorted((e.name, e.is_symlink()) for e in listed.files if e.name.lower().endswith(".sql"))
        result.extend((base / name, is_link) for name, is_link in sql)
        for name in listed.folders:
            real_folders[os.path.join(listed.folder, name)] = os.path.join(real_top, name)
    return result


def _add(
    found: dict[str, MigrationFile], path: Path, assume_in_transaction: bool, dialect: Dialect | None,
    real_folders: dict[str, str], *,
    from_folder: bool, is_link: bool | None = None, links: dict[str, frozenset[str] | int] | None = None,
) -> None:
    head = _head(path) if not _has_layout_name(path) else ""
    migration = classify(path, head, assume_in_transaction=assume_in_transaction, dialect=dialect)
    if from_folder and migration.layout is Layout.POPX and migration.dialect not in LINTED_DIALECTS:
        return  # ory popx keeps one file per database dialect
    found.setdefault(_real_path(str(path), real_folders, is_link, links), migration)


def _real_path(
    path: str, real_folders: dict[str, str], is_link: bool | None = None,
    links: dict[str, frozenset[str] | int] | None = None,
) -> str:
    """`os.path.realpath(path)`, each folder resolved once: realpath lstat()s every component of
    every path (seven per file in a typical tree), which was most of discovery's system calls.
    `is_link`: whether `path` is a link, when the caller knows already; `links`: what _is_link
    learned of the folders so far."""
    folder, name = split_text(path)
    if not name or name in (".", "..") or (os.path.islink(path) if is_link is None else is_link):
        return os.path.realpath(path)
    return os.path.join(_real_folder(folder, real_folders, links), name)


def _real_folder(folder: str, real_folders: dict[str, str], links: dict[str, frozenset[str] | int] | None = None) -> str:
    real = real_folders.get(folder)
    if real is None:
        parent, name = split_text(folder)
        if not name or name in (".", "..") or parent == folder or _is_link(folder, parent, name, links):
            real = os.path.realpath(folder)  # a link, "..", the root or "": realpath decides
        else:
            real = os.path.join(_real_folder(parent, real_folders, links), name)
        real_folders[folder] = real
    return real


_LISTED_AFTER = 2  # lstat()s of a folder's sub-folders before it is listed instead


def _is_link(folder: str, parent: str, name: str, links: dict[str, frozenset[str] | int] | None) -> bool:
    """os.path.islink(folder). Files named one by one (a shell glob, xargs) are mostly each in a
    sub-folder of their own (Prisma's <folder>/<migration>/migration.sql): past a few, one listing
    of the parent says which of its entries are links, for all of them (a listing of a folder of
    136 costs what 30 lstat()s do)."""
    if links is None:
        return os.path.islink(folder)
    known = links.get(parent, 0)
    if isinstance(known, int):
        if known < _LISTED_AFTER:
            links[parent] = known + 1
            return os.path.islink(folder)
        try:
            with os.scandir(parent or ".") as scan:
                known = frozenset(entry.name for entry in scan if entry.is_symlink())
        except OSError:
            return os.path.islink(folder)
        links[parent] = known
    return name in known


def _one_popx_dialect(files: list[MigrationFile], configured: Dialect | None) -> list[MigrationFile]:
    """One dialect's files of each popx folder: the configured one, else PostgreSQL's where the
    folder has them (as before MySQL was linted), else MySQL's. Each popx folder is one history."""
    present: dict[Path, set[Dialect]] = {}
    for migration in files:
        if migration.layout is Layout.POPX:
            present.setdefault(migration.root, set()).add(migration.dialect)
    chosen = {}
    for root, dialects in present.items():
        if configured in dialects:
            chosen[root] = configured
        else:
            chosen[root] = Dialect.POSTGRESQL if Dialect.POSTGRESQL in dialects else min(dialects)
    return [m for m in files if m.layout is not Layout.POPX or m.dialect is chosen[m.root]]


def _has_layout_name(path: Path) -> bool:
    return path.name in ("migration.sql", "up.sql", "down.sql") or path.name.endswith((".up.sql", ".down.sql"))


def _head(path: Path) -> str:
    try:
        return read_head(path, _HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""  # reported when the file is read for linting


def _with_providers(files: list[MigrationFile], problems: list[str]) -> list[MigrationFile]:
    """The files, each Prisma folder's with the dialect its provider names, less those of folders
    for a database migralint does not lint yet (each said in `problems`)."""
    # By the folder's text: each file has a root Path of its own, whose str() the sort cached
    # already, where hashing each anew was a visible share of discovering a corpus.
    dialects: dict[str, Dialect | None] = {}  # None: set aside
    for migration in files:
        if migration.layout is not Layout.PRISMA or str(migration.root) in dialects:
            continue
        where, provider = prisma_folder_provider(migration.root)
        dialect = Dialect.from_prisma_provider(provider) if provider is not None else migration.dialect
        dialects[str(migration.root)] = dialect if dialect in LINTED_DIALECTS else None
        if dialect not in LINTED_DIALECTS:
            what = f"provider is {provider!r}" if provider else "its provider is empty, which names no database"
            problems.append(
                f"{where}: {what}; migralint lints {LINTED_NAMES} migrations only"
                + (f", and support for {provider} is not there yet" if provider else "")
                + ": that folder was not linted"
            )
    kept = []
    for migration in files:
        if migration.layout is not Layout.PRISMA:
            kept.append(migration)
            continue
        dialect = dialects[str(migration.root)]
        if dialect is not None:
            kept.append(migration if dialect is migration.dialect else replace(migration, dialect=dialect))
    return kept


def prisma_folder_provider(root: Path) -> tuple[Path, str | None]:
    """A Prisma migrations folder's provider and the file that names it: migration_lock.toml,
    else the one provider of the schema's datasource blocks; (lock path, None) when neither says."""
    lock = root / "migration_lock.toml"
    provider = prisma_provider(lock)
    if provider is not None:
        return lock, provider
    found = [p for schema in schema_files(root) for p in datasource_providers(schema)]
    if len({p.provider for p in found}) == 1:
        return found[0].path, normalized_provider(found[0].provider)
    return lock, None


def prisma_provider(lock: Path) -> str | None:
    """The provider named in a Prisma `migration_lock.toml`, or None when there is no such file."""
    try:
        text = read_text(lock, limit=1024 * 1024)
    except (OSError, UnicodeDecodeError):
        return None
    match = _PROVIDER.search(text)
    return match.group(1) if match else None
