"""Which migrations are applied, from the sources of truth, and what those sources report.

A source (git, the runner's history table in a database, the config's `applied_through`)
reads one migrations folder and says which migrations are applied, and what is wrong with
them: an applied migration edited since, deleted, failed, or missing (a `HistoryProblem`, a
fact; the history rules in migralint.rules put it into words). Migrations no source calls
applied are pending: their tables hold no rows yet. With no source at all, every migration
before the one being linted counts as applied, the cautious assumption.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from migralint.errors import UserError
from migralint.frozen import Value, set_field
from migralint.migrations.layouts import MigrationFile

if TYPE_CHECKING:
    from datetime import datetime

    # mypy checks these as the frozen dataclasses they behave as (see migralint/frozen.py: a
    # dataclass costs about 1 ms at every start, and the pre-commit hook starts on every commit).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value


class HistoryEvent(str, Enum):
    """What a source found wrong with an applied migration."""

    EDITED = "edited"  # its text is not what was applied
    DELETED = "deleted"  # its file is gone (or renamed: `renamed_to`)
    FAILED = "failed"  # the runner recorded it as failed, and nobody resolved it
    MISSING = "missing"  # the runner applied it, and no file here has its name or version


class Runner(str, Enum):
    """Whose record says so: a runner's history table, or git."""

    PRISMA = "prisma"  # _prisma_migrations
    MIGRALINT = "migralint"  # _migralint_migrations, Prisma's shape, written by `migralint apply`
    FLYWAY = "flyway"  # flyway_schema_history
    GOLANG_MIGRATE = "golang-migrate"  # schema_migrations (version, dirty)
    DBMATE = "dbmate"  # schema_migrations (version)
    GIT = "git"  # a commit (`since`), or what is staged against it

    @property
    def table(self) -> str:
        """The history table the runner keeps ("" for git)."""
        return _TABLES[self]


_TABLES = {
    Runner.PRISMA: "_prisma_migrations",
    Runner.MIGRALINT: "_migralint_migrations",
    Runner.FLYWAY: "flyway_schema_history",
    Runner.GOLANG_MIGRATE: "schema_migrations",
    Runner.DBMATE: "schema_migrations",
    Runner.GIT: "",
}


@frozen_value(frozen=True)
class HistoryProblem(Value):
    """A fact a source found about an applied migration; a history rule puts it into words.

    Which details are set depends on the event and the runner: the sources fill what they
    know and write no sentence, so the lint, `apply` and `status` say the same thing.
    """

    __slots__ = (
        "event", "runner", "path", "migration", "line", "since", "staged", "change", "renamed_to", "renamed_name",
        "checksum", "recorded_checksum", "started_at", "error", "version",
    )
    event: HistoryEvent
    runner: Runner
    path: Path  # the migration file (for a deleted or missing one, where it was or would be)
    migration: str  # its name, as the runner records it ("" when only a version is known)
    line: int  # where the finding points
    # git: the commit it is compared with (a ref as the user wrote it), and whether the index is what changed
    since: str
    staged: bool
    change: str  # git, EDITED: what changed where, in words (changes.describe_changes)
    renamed_to: Path | None  # git, DELETED: the file it was renamed to
    renamed_name: str  # ... and the name it has there
    checksum: int | None  # Flyway, EDITED: the file's checksum now ...
    recorded_checksum: int | None  # ... and the one flyway_schema_history holds
    started_at: datetime | None  # FAILED: when the failed attempt started
    error: str  # FAILED: the first error line of the runner's logs
    version: str  # golang-migrate and dbmate: the version the table records

    def __init__(
        self, event: HistoryEvent, runner: Runner, path: Path, migration: str = "", line: int = 1, since: str = "",
        staged: bool = False, change: str = "", renamed_to: Path | None = None, renamed_name: str = "",
        checksum: int | None = None, recorded_checksum: int | None = None, started_at: datetime | None = None,
        error: str = "", version: str = "",
    ) -> None:
        set_field(self, "event", event)
        set_field(self, "runner", runner)
        set_field(self, "path", path)
        set_field(self, "migration", migration)
        set_field(self, "line", line)
        set_field(self, "since", since)
        set_field(self, "staged", staged)
        set_field(self, "change", change)
        set_field(self, "renamed_to", renamed_to)
        set_field(self, "renamed_name", renamed_name)
        set_field(self, "checksum", checksum)
        set_field(self, "recorded_checksum", recorded_checksum)
        set_field(self, "started_at", started_at)
        set_field(self, "error", error)
        set_field(self, "version", version)


class TableStats(NamedTuple):
    """What production knows of a table's size (from pg_class)."""

    rows: int
    bytes: int


@dataclass(slots=True)
class AppliedState:
    """What the sources say about one migrations folder."""

    known: bool = False  # a source spoke: migrations it does not call applied are pending
    applied: set[str] = field(default_factory=set)
    problems: list[HistoryProblem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # for messages: "git origin/main", "the database"
    table_stats: dict[str, TableStats] = field(default_factory=dict)  # "schema.table" -> size
    notes: list[str] = field(default_factory=list)  # what the user should know, said once on stderr

    def merge(self, other: AppliedState) -> None:
        self.known = self.known or other.known
        self.applied |= other.applied
        self.problems.extend(other.problems)
        self.sources.extend(other.sources)
        self.table_stats.update(other.table_stats)
        self.notes.extend(other.notes)

    def pending(self, migrations: list[MigrationFile]) -> set[str]:
        if not self.known:
            return set()
        return {m.name for m in migrations if m.name not in self.applied}


class HistorySource(Protocol):
    """Reads one migrations folder (its migrations in order) and says what is applied."""

    def read(self, root: Path, migrations: list[MigrationFile]) -> AppliedState: ...


@frozen_value(frozen=True)
class ConfigSource(Value):
    """`applied_through = NAME`: NAME and every migration before it are applied."""

    __slots__ = ("applied_through",)
    applied_through: str

    def __init__(self, applied_through: str) -> None:
        set_field(self, "applied_through", applied_through)

    def read(self, root: Path, migrations: list[MigrationFile]) -> AppliedState:
        names = _names_in_order(migrations)
        if self.applied_through not in names:
            return AppliedState()
        applied = names[: names.index(self.applied_through) + 1]
        return AppliedState(True, set(applied), sources=[f"applied_through = {self.applied_through}"])


@frozen_value(frozen=True)
class KnownSource(Value):
    """An answer read beforehand (apply reads the database under its lock): every folder gets `state`."""

    __slots__ = ("state",)
    state: AppliedState

    def __init__(self, state: AppliedState) -> None:
        set_field(self, "state", state)

    def read(self, root: Path, migrations: list[MigrationFile]) -> AppliedState:
        return self.state


def read_states(
    folders: dict[Path, list[MigrationFile]], sources: list[HistorySource]
) -> dict[Path, AppliedState]:
    """The combined word of every source, for each migrations folder."""
    for source in sources:
        if isinstance(source, ConfigSource) and not any(
            source.applied_through in _names_in_order(migrations) for migrations in folders.values()
        ):
            raise UserError(f"applied_through names {source.applied_through!r}, which is not a migration here")
    states = {}
    for root, migrations in folders.items():
        state = AppliedState()
        for source in sources:
            state.merge(source.read(root, migrations))
        states[root] = state
    return states


def _names_in_order(migrations: list[MigrationFile]) -> list[str]:
    return list(dict.fromkeys(migration.name for migration in migrations))  # a list's `in` made it quadratic


def only_pending(
    files: list[MigrationFile], folders: dict[Path, list[MigrationFile]], states: dict[Path, AppliedState]
) -> list[MigrationFile]:
    """The files no source calls applied; a folder no source spoke of keeps all its files."""
    pending = {root: state.pending(folders[root]) for root, state in states.items() if state.known}
    return [m for m in files if m.root not in pending or m.name in pending[m.root]]


_HINT_FINDINGS = 10  # fewer old findings are read, not drowned in: a demo or a young project needs no hint


class _Located(Protocol):
    @property
    def path(self) -> str: ...


def applied_hints(
    findings: Sequence[_Located], folders: dict[Path, list[MigrationFile]], shown: Callable[[Path], str]
) -> list[str]:
    """With no source of truth, what to say when most findings sit in a folder's older migrations.

    A project that adopts migralint has years of migrations production ran long ago; their
    findings are noise until the user says which migrations are applied. The name to paste is
    the one before the newest: everything older counts as applied, the newest is still linted.
    """
    hints = []
    per_path: dict[str, int] = {}  # counted once, not once per folder
    for finding in findings:
        per_path[finding.path] = per_path.get(finding.path, 0) + 1
    for root, migrations in folders.items():
        names = _names_in_order([m for m in migrations if not m.rollback])
        if len(names) < 3:
            continue
        name_of = {shown(m.path): m.name for m in migrations}
        counted = [(name, per_path[path]) for path, name in name_of.items() if path in per_path]
        total = sum(count for _, count in counted)
        older = sum(count for name, count in counted if name != names[-1])
        if older * 2 <= total or older < _HINT_FINDINGS:
            continue
        through = names[-2]
        hints.append(
            f"{older} of {total} findings in {shown(root)} are in migrations before {names[-1]}. If production "
            f"has run them, say so and they are replayed, not linted: applied_through = \"{through}\" under "
            f"[tool.migralint] (or --assume-applied-through {through}); or let git (--since origin/main) or "
            "the database (--database-url) say what is applied."
        )
    return hints
