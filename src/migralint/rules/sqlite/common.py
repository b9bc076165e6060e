"""What the SQLite rules share: the context they read, how the runner executes a file (in a
transaction or not), and the table rebuilds of the file section with the schema the folder's
history left before it.

The runner facts are docs/dialects/sqlite-runners.md's, each read from the runner's source:
- Prisma Migrate sends the file as one batch with no BEGIN (prisma-engines, sqlite connector,
  `apply_migration_script`): a `PRAGMA foreign_keys=OFF` in the file takes effect;
- diesel runs each file in a transaction unless `run_in_transaction = false` (migration_harness.rs);
- golang-migrate's sqlite drivers wrap each file in a transaction unless `x-no-tx-wrap=true`
  (database/sqlite3/sqlite3.go); goose does unless `-- +goose NO TRANSACTION`
  (migration_sql.go); drizzle's migrator runs all pending files in one transaction
  (sqlite-core/dialect.ts);
- ory popx runs each file in a transaction, but turns foreign keys off on the connection before
  migrating (ory/x popx/migrator.go): its rebuilds do not cascade.
SQLite refuses a BEGIN inside a transaction ("cannot start a transaction within a transaction",
sqlite.org/lang_transaction.html), so a file that opens its own BEGIN first is run unwrapped
(pocket-id's golang-migrate files, with x-no-tx-wrap), and one that starts with COMMIT ends the
runner's transaction itself (homarr's drizzle files).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from migralint.linter.model_context import ModelContext
from migralint.linter.model_replay import model_type
from migralint.migrations.layouts import Layout, RunnerMode
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog
    from migralint.sql.sqlite.rebuilds import Rebuild, Schema

SQLITE = frozenset({Dialect.SQLITE})
ALTER_TABLE = "https://www.sqlite.org/lang_altertable.html#otheralter"
ALTER_RENAME = "https://www.sqlite.org/lang_altertable.html#altertabrename"
FOREIGN_KEYS = "https://www.sqlite.org/foreignkeys.html#fk_enable"
DROP_TABLE = "https://www.sqlite.org/lang_droptable.html"
RUNNERS = "https://github.com/migralint/migralint/blob/main/docs/dialects/sqlite-runners.md"
_OFF = frozenset({"off", "0", "false", "no"})
_ON = frozenset({"on", "1", "true", "yes"})
_GOOSE_NO_TX = "+goose no transaction"


class SqliteContext(ModelContext, Protocol):
    """What the model engine's context (linter/model_engine.FileState) gives SQLite's rules."""

    tool: str
    runner: RunnerMode | None
    catalog: Catalog
    parsed: ir.ParsedFile
    statements: tuple[ir.Statement, ...]


class Runner(NamedTuple):
    name: str  # for messages: "Prisma Migrate", "goose", "your runner"
    wraps: bool  # the runner opens a transaction around the section before its first statement
    foreign_keys_off: bool  # the runner turns foreign keys off itself, outside its transaction (popx)
    how: str  # how to run the file outside a transaction with this runner, for help


class TxState(NamedTuple):
    """Before a statement: is a transaction open, are foreign keys off by this file (or the runner)."""

    open: bool
    foreign_keys_off: bool


@dataclass(slots=True)
class _Notes:
    """What the SQLite rules work out once per file section and share."""

    runner: Runner | None = None
    tx: list[TxState] | None = None
    rebuilds: tuple[Rebuild, ...] | None = None


def runner_of(ctx: SqliteContext) -> Runner:
    notes = ctx.state(_Notes)
    if notes.runner is None:
        notes.runner = _runner(ctx)
    return notes.runner


def _runner(ctx: SqliteContext) -> Runner:
    wrapped = ctx.runner is RunnerMode.TRANSACTION
    comments = [c.text.lower() for c in ctx.parsed.comments]
    if ctx.tool == Layout.PRISMA.value:
        return Runner("Prisma Migrate", False, False, "")
    if ctx.tool == Layout.POPX.value:
        return Runner("ory popx", wrapped, True, "name the file `*.autocommit.up.sql`")
    if ctx.tool == Layout.DIESEL.value:
        return Runner("diesel", wrapped, False, "put `run_in_transaction = false` in the migration's metadata.toml")
    if ctx.tool == Layout.GOLANG_MIGRATE.value:
        return Runner("golang-migrate", _wraps_unless_own_begin(ctx, True), False, "add `x-no-tx-wrap=true` to the database URL")
    if any(c.startswith("-- +goose") for c in comments):
        no_tx = any(" ".join(c[2:].split()).startswith(_GOOSE_NO_TX) for c in comments)
        return Runner("goose", _wraps_unless_own_begin(ctx, not no_tx), False, "add `-- +goose NO TRANSACTION` to the file")
    if any(c.startswith("--> statement-breakpoint") for c in comments):
        # drizzle's migrator has no switch: the file can only end its transaction itself.
        return Runner("drizzle's migrator", _wraps_unless_own_begin(ctx, True), False,
                      "end drizzle's transaction with COMMIT before the PRAGMA and open one again with BEGIN after it")
    return Runner("the runner", _wraps_unless_own_begin(ctx, wrapped), False,
                  "run the file outside a transaction (the `assume_in_transaction` setting says it is run in one)")


def _wraps_unless_own_begin(ctx: SqliteContext, wraps: bool) -> bool:
    """A file whose first transaction statement is BEGIN cannot run inside the runner's
    transaction (SQLite refuses the BEGIN): its author runs it unwrapped."""
    first = next((s.tx for s in ctx.statements if s.tx is not None), None)
    return wraps and first is not ir.Tx.BEGIN


def tx_states(ctx: SqliteContext) -> list[TxState]:
    """TxState before each statement of the section, from the runner and the file's own
    BEGIN/COMMIT and PRAGMA foreign_keys (which SQLite ignores inside a transaction)."""
    notes = ctx.state(_Notes)
    if notes.tx is None:
        runner = runner_of(ctx)
        states: list[TxState] = []
        open_, off = runner.wraps, runner.foreign_keys_off
        for statement in ctx.statements:
            states.append(TxState(open_, off))
            if statement.tx is ir.Tx.BEGIN:
                open_ = True
            elif statement.tx in (ir.Tx.COMMIT, ir.Tx.ROLLBACK):
                open_ = False
            setting = statement.setting
            if setting is not None and setting.name == "foreign_keys" and not open_:
                value = setting.value.lower()
                if value in _OFF:
                    off = True
                elif value in _ON:
                    off = False
        notes.tx = states
    return notes.tx


def is_foreign_keys_off(setting: ir.Setting | None) -> bool:
    return setting is not None and setting.name == "foreign_keys" and setting.value.lower() in _OFF


def rebuilds(ctx: SqliteContext) -> tuple[Rebuild, ...]:
    """The rebuilds of the section, found once: the first rule asks at its first statement, when
    the catalog holds the history before the section (the engine replays each statement after
    the rules saw it)."""
    from migralint.sql.sqlite.rebuilds import find_rebuilds  # with the front end: not on a lint the cache serves

    notes = ctx.state(_Notes)
    if notes.rebuilds is None:
        notes.rebuilds = find_rebuilds(ctx.statements, schema_of(ctx.catalog))
    return notes.rebuilds


def schema_of(catalog: Catalog) -> Schema:
    """The replayed catalog as rebuilds.Schema: columns of the tables whose definition is known,
    and every foreign key with its ON DELETE action."""
    from migralint.sql.sqlite.rebuilds import Schema

    schema = Schema()
    for table in catalog.tables.values():
        name = ir.TableName(table.name.schema, table.name.name)
        if table.columns:
            schema.columns[name] = tuple(
                ir.Column(c.name, model_type(c) or "", c.not_null) for c in table.columns.values()
            )
        for constraint in table.constraints.values():
            if constraint.kind == "foreign" and constraint.references is not None:
                schema.foreign_keys.append(ir.AddConstraint(
                    name, ir.ConstraintKind.FOREIGN_KEY, constraint.name, constraint.columns,
                    references=ir.TableName(constraint.references.schema, constraint.references.name),
                    on_delete=constraint.on_delete,
                ))
    return schema


def at(ctx: SqliteContext, index: int) -> ir.Statement:
    return ctx.statements[index]


def line_of(ctx: SqliteContext, statement: ir.Statement) -> int:
    return ctx.parsed.index.position(statement.start)[0]


def dropped_table(rebuild: Rebuild) -> ir.TableName:
    """The table the rebuild's DROP TABLE empties: X, or X_old when the old table was renamed first."""
    return rebuild.new if rebuild.renames_old_first else rebuild.table


def names(ctx: SqliteContext, columns: Sequence[str]) -> str:
    return ", ".join(ctx.sql.quote(c) for c in columns)
