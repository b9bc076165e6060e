"""`migralint apply`: lint, then run the pending migrations of one folder, as its runner records them.

In order: connect; take the runner's advisory lock; read the history table; refuse when the
database has tables but no history table (Prisma's P3005, apply_checks.py), when the history
needs attention (a failed migration, an edited or missing applied one, a pending one that sorts
before an applied one), or when a failed CONCURRENTLY build left an INVALID index a pending
migration would create again; lint the pending migrations with the applied ones as history, and
refuse on a failing finding; then run each pending migration (apply_run.py) with the session's
lock_timeout and statement_timeout. One function (`decide`) makes every one of these decisions
into the Plan; `--dry-run` runs that same function on a read-only connection and stops there,
so it refuses exactly when apply would.

The library never prints: a Listener (the CLI) is told what happens and asked to confirm.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from migralint.api import LintRequest
from migralint.api import lint as lint_migrations
from migralint.database.apply_checks import InvalidIndex, NotEmpty, blocking_indexes, not_empty
from migralint.database.apply_run import MigrationFailed, Recorder, RunOptions, Timeouts, run_file, set_timeouts
from migralint.database.connection import (
    connect,
    database_failure,
    ensure_url_schema,
    missing_schema_notes,
    read_table_stats,
    redact,
    uses_pgbouncer,
)
from migralint.database.durations import format_duration
from migralint.database.execution import FilePlan, Mode, plan_file
from migralint.database.history_table import HistoryTable, LockHolder
from migralint.database.runner_history import interpret, interpret_migralint
from migralint.errors import InputError, UserError
from migralint.findings import LintResult
from migralint.migrations.layouts import RunnerMode
from migralint.migrations.discover import default_folder, discover, folders_of
from migralint.migrations.history import AppliedState, HistoryProblem, KnownSource, TableStats
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.migrations.versions import is_repeatable
from migralint.rules.migration_order_conflict import OutOfOrder, out_of_order
from migralint.source import display_path
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    import psycopg

    from migralint.config import Settings
    from migralint.linter.rule_set import RuleSet

    Connection = psycopg.Connection[tuple[Any, ...]]

__all__ = ["ApplyOptions", "ApplyOutcome", "Folder", "Listener", "MigrationFailed", "Plan", "Verdict", "apply_folder",
           "open_folder"]

# The server notices within this interval when apply's process is gone (killed, or its machine
# lost), cancels the running statement and rolls its transaction back (PostgreSQL 14 and later).
CONNECTION_CHECK = "1s"


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    """How apply runs the migrations: its timeouts, how long it waits for the migration lock,
    lock_timeout retries, progress lines, and whether it only plans (--dry-run)."""

    lock_timeout_ms: int = 5_000
    statement_timeout_ms: int = 0
    wait_for_lock_ms: int = 10_000
    dry_run: bool = False
    lock_timeout_retries: int = 0  # reruns of a one-transaction migration that hit lock_timeout
    progress_every_ms: int = 0  # a progress line while a statement runs this long (0: none)

    @property
    def timeouts(self) -> Timeouts:
        return Timeouts(self.lock_timeout_ms, self.statement_timeout_ms)


@dataclass(frozen=True, slots=True)
class Folder:
    """One migrations folder and its runner: every migration file in apply order."""

    root: Path
    layout: Layout
    migrations: list[MigrationFile]

    @property
    def forward(self) -> list[MigrationFile]:
        return [m for m in self.migrations if not m.rollback]

    @property
    def table(self) -> HistoryTable:
        return HistoryTable.for_layout(self.layout)

    @property
    def shown(self) -> str:
        return display_path(self.root)


def open_folder(path: str | None, settings: Settings) -> Folder:
    """The migrations folder `path` names (default: the project's), with its layout."""
    target = path or display_path(default_folder(Path.cwd(), settings.migrations_dir))
    files = discover([target], assume_in_transaction=settings.assume_in_transaction, dialect=settings.dialect)
    if not files:
        raise InputError(f"no migrations found in {target}")
    other = next((m for m in files if m.dialect is not Dialect.POSTGRESQL), None)
    if other is not None:
        raise UserError(f"{target} holds {other.dialect.display_name} migrations, and apply, status and resolve "
                        "run PostgreSQL migrations only: use the project's own migration tool for them")
    folders = folders_of(files, assume_in_transaction=settings.assume_in_transaction)
    if len(folders) > 1:
        shown = ", ".join(display_path(root) for root in folders)
        raise UserError(f"{target} holds {len(folders)} migrations folders ({shown}): give one of them")
    ((root, migrations),) = folders.items()
    layouts = sorted({str(m.layout) for m in migrations})
    if len(layouts) > 1:
        raise UserError(f"{display_path(root)} mixes {' and '.join(layouts)} migrations: apply runs one layout")
    repeatable = [m.path.name for m in migrations if is_repeatable(m)]
    if repeatable:
        raise UserError(f"{display_path(root)} holds Flyway repeatable migrations ({', '.join(repeatable)}), "
                        "which apply does not run: use `flyway migrate` for this folder")
    return Folder(root, migrations[0].layout, migrations)


class Verdict(str, Enum):
    APPLIED = "applied"
    NOTHING = "nothing to apply"
    DRY_RUN = "dry run"
    NOT_EMPTY_REFUSED = "refused: the database has tables but no history"
    HISTORY_REFUSED = "refused: the history needs attention"
    LINT_REFUSED = "refused: the lint failed"
    DECLINED = "declined"


@dataclass(slots=True)
class Plan:
    """What apply found before running anything: the folder, the database and its history table,
    what is applied and pending, and what stops it."""

    folder: Folder
    database: str  # redacted URL
    server_version: int
    table_name: str
    table_schema: str | None  # where the table is (or was created); None in a dry run without one
    table_exists: bool  # before this run
    options: ApplyOptions
    applied: list[str] = field(default_factory=list)
    pending: list[FilePlan] = field(default_factory=list)
    problems: list[HistoryProblem] = field(default_factory=list)  # what the history table says is wrong
    out_of_order: list[OutOfOrder] = field(default_factory=list)  # pending ones that sort before an applied one
    not_empty: NotEmpty | None = None
    invalid_indexes: list[InvalidIndex] = field(default_factory=list)  # INVALID ones a pending migration creates
    lint: LintResult | None = None
    lint_fails: bool = False

    @property
    def refusal(self) -> Verdict | None:
        """Why apply refuses (and a dry run says it would), or None: every refusal in one place."""
        if self.not_empty is not None:
            return Verdict.NOT_EMPTY_REFUSED
        if self.problems or self.out_of_order or self.invalid_indexes:
            return Verdict.HISTORY_REFUSED
        if self.lint_fails:
            return Verdict.LINT_REFUSED
        return None

    @property
    def table(self) -> str:
        return f"{self.table_schema}.{self.table_name}" if self.table_schema else self.table_name

    @property
    def server(self) -> str:
        major, minor = divmod(self.server_version, 10_000)
        return f"PostgreSQL {major}.{minor}" if major >= 10 else f"PostgreSQL {major}.{minor // 100}"


@dataclass(slots=True)
class ApplyOutcome:
    """How an apply ended (its verdict), its plan, and the migrations it applied."""

    verdict: Verdict
    plan: Plan
    applied: list[str] = field(default_factory=list)


class Listener(Protocol):
    """What the CLI is told (and asked) while apply runs."""

    def note(self, text: str) -> None: ...

    def lint(self, result: LintResult) -> None: ...

    def plan(self, plan: Plan) -> None: ...

    def confirm(self, plan: Plan) -> bool: ...

    def progress(self, text: str) -> None: ...


def apply_folder(
    folder: Folder, url: str, settings: Settings, rules: RuleSet, options: ApplyOptions, listener: Listener
) -> ApplyOutcome:
    """Lint, then apply the pending migrations of `folder` to the database at `url`."""
    if uses_pgbouncer(url):  # a dry run says so too: it predicts what apply does
        raise UserError(
            f"{redact(url)} goes through PgBouncer (pgbouncer=true), which cannot keep apply's advisory lock and "
            "session settings between transactions: use the direct URL (Prisma's directUrl)"
        )
    connection = connect(url, read_only=options.dry_run)
    try:
        for note in missing_schema_notes(connection, url):
            listener.note(note)
        return _apply(connection, folder, url, settings, rules, options, listener)
    finally:
        connection.close()  # and with it the advisory lock


def _apply(
    connection: Connection, folder: Folder, url: str, settings: Settings, rules: RuleSet, options: ApplyOptions,
    listener: Listener,
) -> ApplyOutcome:
    plan = decide(connection, folder, url, settings, rules, options, listener)
    if (refused := plan.refusal) is not None:
        return ApplyOutcome(refused, plan)
    if options.dry_run:
        return ApplyOutcome(Verdict.DRY_RUN, plan)
    if not plan.pending:
        return ApplyOutcome(Verdict.NOTHING, plan)
    if not listener.confirm(plan):
        return ApplyOutcome(Verdict.DECLINED, plan)
    return ApplyOutcome(Verdict.APPLIED, plan, _run_pending(connection, plan, url, listener))


def decide(
    connection: Connection, folder: Folder, url: str, settings: Settings, rules: RuleSet, options: ApplyOptions,
    listener: Listener,
) -> Plan:
    """Everything apply decides before it changes anything, for apply and --dry-run alike."""
    plan, state = _lock_and_read(connection, folder, url, options, listener)
    if plan.refusal is None:  # the lint of a database that is refused anyway would only add noise
        _judge(connection, folder, state, plan, settings, rules, url, listener)
    return plan


def _lock_and_read(
    connection: Connection, folder: Folder, url: str, options: ApplyOptions, listener: Listener
) -> tuple[Plan, AppliedState]:
    """Steps 2 and 3: the advisory lock (not in a dry run), then the history and the plan."""
    table = folder.table
    try:
        if not options.dry_run:
            _prepare_session(connection)
            table.lock(connection, options.wait_for_lock_ms, lambda holder: listener.note(_waiting(table, holder, options)))
            set_timeouts(connection, options.timeouts)
        elif (holder := table.holder(connection)) is not None:
            listener.note(f"another migration run holds {table.lock_sql} ({holder}): the plan may change when it ends")
        return _read_plan(connection, folder, url, options)
    except (UserError, MigrationFailed):
        raise
    except Exception as exc:
        raise database_failure(f"taking {table.lock_sql} and reading {table.name}", exc, url, table.query,
                               writing=True) from None


def _judge(
    connection: Connection, folder: Folder, state: AppliedState, plan: Plan, settings: Settings, rules: RuleSet,
    url: str, listener: Listener,
) -> None:
    """Step 4: lint the pending migrations; the verdict goes into the plan, which the listener gets."""
    lint_settings = _lint_settings(settings, plan)
    result = plan.lint = _lint(connection, folder, state, plan, lint_settings, rules, url)
    unparsable = any(p.syntax_error for p in plan.pending)  # even with syntax-error switched off: never run half a file
    plan.lint_fails = (bool(result.input_errors or result.internal_errors) or unparsable
                       or result.fails(lint_settings.strict))
    if result.files_checked or result.findings or result.ignored or result.input_errors:
        listener.lint(result)
    listener.plan(plan)


def _run_pending(connection: Connection, plan: Plan, url: str, listener: Listener) -> list[str]:
    """Step 5: each pending migration, in order; the names applied."""
    table = plan.folder.table
    if plan.table_schema is None:  # created only now: a refused run leaves the database as it was
        plan.table_schema = _create_table(connection, table, url)
        listener.note(f"created {plan.table}")
    recorder = Recorder(table, plan.table_schema, url)
    options = plan.options
    run_options = RunOptions(options.timeouts, options.lock_timeout_retries, options.progress_every_ms)
    applied: list[str] = []
    for file_plan in plan.pending:
        listener.progress(f"applying {file_plan.name} ({file_plan.mode})")
        started = time.monotonic()
        try:
            run_file(connection, file_plan, recorder, run_options, display_path(file_plan.migration.path),
                     listener.progress)
        except MigrationFailed:
            raise
        except Exception as exc:  # the bookkeeping failed (a privilege, a lost connection): not the migration
            raise database_failure(f"recording {file_plan.name} in {plan.table}", exc, url, writing=True) from None
        applied.append(file_plan.name)
        listener.progress(f"applied {file_plan.name} in {time.monotonic() - started:.1f}s")
    return applied


def _create_table(connection: Connection, table: HistoryTable, url: str) -> str:
    try:
        ensure_url_schema(connection, url)  # Prisma creates ?schema= when missing, before its table
        return table.create(connection)
    except Exception as exc:
        raise database_failure(f"creating {table.name}", exc, url, writing=True) from None


def _prepare_session(connection: Connection) -> None:
    if connection.info.server_version >= 140000:
        connection.execute(f"SET client_connection_check_interval = '{CONNECTION_CHECK}'")


def _waiting(table: HistoryTable, holder: LockHolder | None, options: ApplyOptions) -> str:
    who = f" held by {holder}" if holder else ""
    limit = "as long as it takes" if not options.wait_for_lock_ms else f"up to {format_duration(options.wait_for_lock_ms)}"
    return f"another migration run holds {table.lock_sql}{who}: waiting {limit}"


def _read_plan(connection: Connection, folder: Folder, url: str, options: ApplyOptions) -> tuple[Plan, AppliedState]:
    table = folder.table
    schema = table.locate(connection)
    exists = schema is not None
    rows = table.rows(connection, schema) if schema is not None else []
    state = (interpret(Layout.PRISMA, rows, folder.root, folder.forward) if folder.layout is Layout.PRISMA
             else interpret_migralint(rows, folder.root, folder.migrations))
    plan = Plan(folder, redact(url), connection.info.server_version, table.name, schema, exists, options)
    plan.applied = [m.name for m in folder.forward if m.name in state.applied]
    pending = [m for m in folder.forward if m.name not in state.applied]
    plan.problems = list(state.problems)
    plan.out_of_order = out_of_order(folder.forward, state.applied)
    plan.pending = [_plan(m, plan.server_version) for m in pending]
    if schema is None:
        plan.not_empty = not_empty(connection, plan.pending)
    plan.invalid_indexes = blocking_indexes(connection, plan.pending)
    if not connection.autocommit:
        connection.rollback()  # the read-only session of a dry run holds no snapshot while linting
    return plan, state


def _plan(migration: MigrationFile, server_version: int) -> FilePlan:
    try:
        data = migration.path.read_bytes()
        return plan_file(migration, data, server_version)
    except OSError as exc:
        raise InputError(f"{display_path(migration.path)}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{display_path(migration.path)}: not UTF-8 text (byte {exc.start})") from None


def _lint_settings(settings: Settings, plan: Plan) -> Settings:
    """The config's settings, told what apply knows: the server's version, and that it sets the timeouts."""
    options = plan.options
    return settings.with_overrides(
        pg_version=plan.server_version // 10_000,
        runner_sets_lock_timeout=True if options.lock_timeout_ms else None,
        runner_sets_statement_timeout=True if options.statement_timeout_ms else None,
        applied_through=None,
    )


def _lint(
    connection: Connection, folder: Folder, state: AppliedState, plan: Plan, settings: Settings, rules: RuleSet,
    url: str,
) -> LintResult:
    """Lint the pending migrations with the applied ones as history, as apply will run them."""
    modes = {p.migration.path: p.mode for p in plan.pending}
    migrations = [_as_run(m, modes.get(m.path)) for m in folder.migrations]
    pending = {p.name for p in plan.pending}
    files = [m for m in migrations if m.name in pending]
    folders = {folder.root: migrations}
    lint_state = AppliedState(True, set(state.applied), sources=["the database"])

    def stats(tables: Sequence[str]) -> dict[str, TableStats]:
        try:
            found = read_table_stats(connection, tables)
            if not connection.autocommit:
                connection.rollback()
            return found
        except Exception as exc:
            raise database_failure("reading table sizes", exc, url) from None

    request = LintRequest(settings=settings, rules=rules, files=files, folders=folders,
                          history=[KnownSource(lint_state)], read_stats=stats)
    return lint_migrations(request).result


def _as_run(migration: MigrationFile, mode: Mode | None) -> MigrationFile:
    """A plain file that apply runs in one transaction is linted as one (plain files default to autocommit)."""
    from dataclasses import replace

    if mode is Mode.TRANSACTION and migration.runner is RunnerMode.AUTOCOMMIT:
        return replace(migration, runner=RunnerMode.TRANSACTION)
    return migration
