"""Migration layouts: which tool a file belongs to, where it sorts, how its runner runs it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import NamedTuple, cast

from migralint.frozen import Value, slot_setters
from migralint.migrations.folders import FLYWAY_NAME as _FLYWAY
from migralint.migrations.folders import POPX_NAME as _POPX
from migralint.migrations.folders import UP_DOWN_NAME as _UP_DOWN
from migralint.source import read_text
from migralint.sql.dialect import Dialect


class RunnerMode(str, Enum):
    # The runner wraps the whole file in one transaction (Flyway, diesel, dbmate).
    TRANSACTION = "transaction"
    # The whole file is sent as one query string (Prisma, golang-migrate): PostgreSQL runs
    # it as one implicit transaction as soon as it holds more than one statement.
    SINGLE_QUERY = "single-query"
    # Each statement runs and commits on its own (psql, plain files by default).
    AUTOCOMMIT = "autocommit"

    def __str__(self) -> str:
        return self.value


class Section(NamedTuple):
    """A stretch of a file that the runner executes one way (dbmate files have an up and a down)."""

    start: int  # character offset; statements starting in [start, end) belong to it
    end: int
    runner: RunnerMode
    rollback: bool = False


class Layout(str, Enum):
    PRISMA = "Prisma Migrate"
    FLYWAY = "Flyway"
    GOLANG_MIGRATE = "golang-migrate"
    POPX = "ory popx"
    DBMATE = "dbmate"
    DIESEL = "diesel"
    AUTHELIA = "authelia"
    PLAIN = "plain SQL"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class MigrationFile:
    """One migration file as its runner sees it: its layout, its name and place in the order, how it
    is run, and which database it is written for."""

    path: Path
    layout: Layout
    name: str  # the migration's identity: Prisma's folder name, Flyway's script name...
    key: tuple[object, ...]  # where the migration sorts among those of its own layout
    runner: RunnerMode
    rollback: bool = False
    forward: Path | None = None  # for a rollback: the file it undoes, when there is one
    # The database it is written for: popx's file name, a Prisma folder's provider (discover.py),
    # else the `dialect` setting; PostgreSQL by default.
    dialect: Dialect = Dialect.POSTGRESQL
    # The folder that holds this migration and the rest of its history. Computed once: ordering,
    # discovery and the api ask for it tens of thousands of times over a corpus, and each
    # `path.parent.parent` built new Path objects (a few percent of a whole-corpus run).
    root: Path = field(init=False, repr=False, compare=False)
    # Where it sorts among all the files discovered (discover._order): the folder, its place in
    # it, its path. Worked out once: discovery, folders_of and with_history each sort every file.
    order: tuple[str, tuple[int, tuple[object, ...]], str] = field(init=False, repr=False, compare=False)

    def __init__(
        self, path: Path, layout: Layout, name: str, key: tuple[object, ...], runner: RunnerMode,
        rollback: bool = False, forward: Path | None = None, dialect: Dialect = Dialect.POSTGRESQL,
    ) -> None:
        # Written out, not dataclass's: its __init__ sets each field through object.__setattr__,
        # which looks the name up on the class first; each slot's own setter (frozen.slot_setters)
        # made discover() over the corpus's 2,576 files cheaper: 349M instructions -> 334M (callgrind).
        # dataclass keeps an __init__ a class defines; `replace` calls it with the fields by name.
        _set_path(self, path)
        _set_layout(self, layout)
        _set_name(self, name)
        _set_key(self, key)
        _set_runner(self, runner)
        _set_rollback(self, rollback)
        _set_forward(self, forward)
        _set_dialect(self, dialect)
        # One Path per folder, shared by its files: the folder's text, once the path's str() has
        # normalised it, names it (as Path would have it, "" for "."), and a shared root is hashed
        # once and found by identity, where each file's own root was built, hashed and compared
        # part by part in every dict keyed by folder (discovery, ordering, the api: 18,000
        # comparisons over the corpus).
        # By identity: a Layout is always one of its members (and `in` a tuple compares the str
        # enum by value, a little dearer: 50 ns against 30, timeit).
        up = layout is Layout.PRISMA or layout is Layout.DIESEL
        text = str(path)
        folder = split_text(text)[0]
        root_text = split_text(folder)[0] if up else folder
        root = _ROOTS.get(root_text)
        if root is None:
            if len(_ROOTS) >= _ROOTS_KEPT:
                _ROOTS.clear()
            root = _ROOTS[root_text] = path.parent.parent if up else path.parent
        _set_root(self, root)
        _set_order(self, (str(root), (_LAYOUT_RANK[layout], key), text))

    @property
    def sort_key(self) -> tuple[int, tuple[object, ...]]:
        """Where the migration sorts in its folder. Each layout's keys have their own shape
        (numbers, names); a folder can hold files of two layouts (supabase/auth keeps a
        `*.postgres.up.sql` among golang-migrate files), so the layout comes first and keys of
        different shapes are never compared."""
        return (_LAYOUT_RANK[self.layout], self.key)

    def sections(self, text: str) -> list[Section]:
        if self.layout is Layout.DBMATE:
            return dbmate_sections(text, self.runner)
        return [Section(0, len(text), self.runner, self.rollback)]


(
    _set_path, _set_layout, _set_name, _set_key, _set_runner, _set_rollback, _set_forward, _set_dialect, _set_root,
    _set_order,
) = slot_setters(cast("type[Value]", MigrationFile), "path layout name key runner rollback forward dialect root order")
_CONFIG_BYTES = 1024 * 1024  # a runner's per-migration settings file: a few lines
_ROOTS: dict[str, Path] = {}  # MigrationFile.root by the folder's text
_ROOTS_KEPT = 4096
_SPLITS: dict[str, tuple[str, str]] = {}  # os.path.split by the path's text: see split_text
_SPLITS_KEPT = 1024
_LAYOUT_RANK = {layout: rank for rank, layout in enumerate(Layout)}
_DBMATE_UP = re.compile(r"^--\s*migrate:up\b(?P<options>[^\n]*)", re.M)
_DBMATE_DOWN = re.compile(r"^--\s*migrate:down\b", re.M)
_NUMBER = re.compile(r"\d+")
# authelia's own runner (internal/storage/migrations.go, reMigration): V0001.Initial_Schema.up.sql,
# older releases with the provider in the name (V0001.Initial_Schema.mysql.up.sql). It sends each
# file as one query; a .down.sql file is what it runs to roll back after a failed upgrade.
_AUTHELIA = re.compile(
    r"^V(?P<version>\d{4})\.(?P<name>[^.]+)\.(?:(?:all|sqlite|postgres|mysql)\.)?(?P<direction>up|down)\.sql$"
)


def split_text(path: str) -> tuple[str, str]:
    """`os.path.split(path)`, remembered. Discovery splits each file's path three times (for its
    layout, its root and its real path: discover._real_path) and its folder twice, each
    os.path.split or dirname about 5,000 instructions; remembered, discover() over the 2,576
    corpus files took 365M instructions instead of 391M (callgrind). The repeats come from the
    same file's steps, moments apart: a few hundred entries kept would do, and the memory stays
    small."""
    found = _SPLITS.get(path)
    if found is None:
        if len(_SPLITS) >= _SPLITS_KEPT:
            _SPLITS.clear()
        found = _SPLITS[path] = os.path.split(path)
    return found


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _NUMBER.findall(version))


def classify(
    path: Path, text_head: str = "", *, assume_in_transaction: bool = False, dialect: Dialect | None = None
) -> MigrationFile:
    """The layout of one .sql file, from its path (and, for dbmate, its first lines).

    `dialect` is the configured one (None: PostgreSQL); a popx file's name says its own. A Prisma
    folder's provider is read by discover.py, once per folder.
    """
    found = _classify(path, text_head, assume_in_transaction)
    popx = _POPX.match(path.name) if found.layout is Layout.POPX else None
    named = _POPX_DIALECTS.get(popx["dialect"]) if popx else None
    chosen = named or dialect or Dialect.POSTGRESQL
    return found if chosen is Dialect.POSTGRESQL else replace(found, dialect=chosen)


# The dialect part of a popx file name, as folders.POPX_NAME reads it
_POPX_DIALECTS = {
    "postgres": Dialect.POSTGRESQL,
    "cockroach": Dialect.COCKROACHDB,
    "mysql": Dialect.MYSQL,
    "sqlite3": Dialect.SQLITE,
    "sqlite": Dialect.SQLITE,
}


def _classify(path: Path, text_head: str, assume_in_transaction: bool) -> MigrationFile:
    name = path.name
    parent = split_text(split_text(str(path))[0])[1]  # path.parent.name, without a Path for the parent
    if name == "migration.sql":  # Prisma accepts any folder name and sorts them as strings
        return MigrationFile(path, Layout.PRISMA, parent, (parent,), RunnerMode.SINGLE_QUERY)
    if name in ("up.sql", "down.sql") and os.path.exists(path.parent / "up.sql"):  # never raises
        rollback = name == "down.sql"
        # Without its transaction diesel still sends the file as one batch: one implicit transaction.
        runner = RunnerMode.SINGLE_QUERY if _diesel_without_transaction(path.parent) else RunnerMode.TRANSACTION
        forward = path.parent / "up.sql" if rollback else None
        return MigrationFile(path, Layout.DIESEL, parent, (parent, rollback), runner, rollback, forward)
    popx = _POPX.match(name)
    if popx:
        rollback = popx["direction"] == "down"
        runner = RunnerMode.SINGLE_QUERY if popx["autocommit"] else RunnerMode.TRANSACTION
        forward = path.with_name(name[: -len("down.sql")] + "up.sql") if rollback else None
        key: tuple[object, ...] = (_version_key(popx["version"]), rollback)
        return MigrationFile(path, Layout.POPX, f"{popx['version']}_{popx['name']}", key, runner, rollback, forward)
    flyway = _FLYWAY.match(name)
    if flyway:
        kind = flyway["kind"].upper()
        runner = RunnerMode.AUTOCOMMIT if _flyway_without_transaction(path) else RunnerMode.TRANSACTION
        key = (1, (), flyway["name"]) if kind == "R" else (0, _version_key(flyway["version"] or ""), kind == "U")
        return MigrationFile(path, Layout.FLYWAY, path.stem, key, runner, rollback=kind == "U")
    up_down = _UP_DOWN.match(name)
    if up_down:
        rollback = up_down["direction"].lower() == "down"
        forward = path.with_name(name[: -len("down.sql")] + "up.sql") if rollback else None
        key = (int(up_down["version"]), rollback)
        ident = f"{up_down['version']}_{up_down['name']}"
        return MigrationFile(path, Layout.GOLANG_MIGRATE, ident, key, RunnerMode.SINGLE_QUERY, rollback, forward)
    authelia = _AUTHELIA.match(name)
    if authelia:
        rollback = authelia["direction"] == "down"
        forward = path.with_name(name[: -len("down.sql")] + "up.sql") if rollback else None
        key = (int(authelia["version"]), rollback)
        ident = f"V{authelia['version']}.{authelia['name']}"
        return MigrationFile(path, Layout.AUTHELIA, ident, key, RunnerMode.SINGLE_QUERY, rollback, forward)
    up = _DBMATE_UP.search(text_head)
    if up:
        no_transaction = "transaction:false" in up["options"].replace(" ", "")
        runner = RunnerMode.SINGLE_QUERY if no_transaction else RunnerMode.TRANSACTION
        return MigrationFile(path, Layout.DBMATE, path.stem, (path.stem,), runner)
    runner = RunnerMode.TRANSACTION if assume_in_transaction else RunnerMode.AUTOCOMMIT
    return MigrationFile(path, Layout.PLAIN, path.stem, (name,), runner)


def dbmate_sections(text: str, runner: RunnerMode) -> list[Section]:
    up = _DBMATE_UP.search(text)
    down = _DBMATE_DOWN.search(text)
    up_start = up.start() if up else 0
    if down is None or down.start() < up_start:
        return [Section(up_start, len(text), runner)]
    return [Section(up_start, down.start(), runner), Section(down.start(), len(text), runner, rollback=True)]


def _diesel_without_transaction(folder: Path) -> bool:
    try:
        text = read_text(folder / "metadata.toml", limit=_CONFIG_BYTES)
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*run_in_transaction\s*=\s*false\b", text, re.M) is not None


def _flyway_without_transaction(path: Path) -> bool:
    try:
        text = read_text(path.with_name(path.name + ".conf"), limit=_CONFIG_BYTES)
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*executeInTransaction\s*=\s*false\b", text, re.M) is not None
