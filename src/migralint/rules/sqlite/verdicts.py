"""SQLite's wording for the rules it shares with PostgreSQL (adding-required-field, the drops and
the renames): each shared rule calls one function here from its `if ctx.dialect is Dialect.SQLITE`
branch. Measured on SQLite 3.40 (Python's sqlite3) where the docs are silent."""

from __future__ import annotations

from migralint.findings import Finding, RuleInfo
from migralint.linter.model_context import ModelContext
from migralint.linter.suppressions import ignore_comment
from migralint.rules.sqlite.common import SqliteContext, at, dropped_table, rebuilds
from migralint.sql import ir


def adding_required_field(rule: RuleInfo, statement: ir.Statement, event: ir.AddColumn, ctx: ModelContext) -> Finding:
    """SQLite refuses the ALTER on a table that holds a row ("Cannot add a NOT NULL column with
    default value NULL"); on an empty table it runs (measured, 3.40). It cannot make a column
    NOT NULL later without a rebuild, so the way out is a constant DEFAULT."""
    column = event.column
    t, c = ctx.sql.table(event.table), ctx.sql.quote(column.name)
    return ctx.finding(
        rule,
        f"ADD COLUMN {c} is NOT NULL without a DEFAULT: SQLite refuses it as soon as {t} holds a row "
        "(\"Cannot add a NOT NULL column with default value NULL\"), so the migration fails in production "
        "although it ran on an empty development database.",
        help="\n".join([
            "Give it a constant DEFAULT that is right for the existing rows (SQLite cannot make a column "
            "NOT NULL after adding it without rebuilding the table), or add it nullable:",
            *ctx.sql.add_column_steps(statement, event),
            f"-- or: {ctx.sql.alter_table(statement)} ADD COLUMN {c} {column.type};",
        ]),
        span=statement.span_of(event),
    )


def drop_column(rule: RuleInfo, statement: ir.Statement, event: ir.DropColumn, ctx: ModelContext) -> Finding:
    quoted, table = ctx.sql.quote(event.column), ctx.sql.table(event.table)
    return ctx.finding(
        rule,
        f"DROP COLUMN removes {quoted} from {table}: running code that still selects or "
        + ("writes it fails (a Prisma client selects every column of a model by name)." if ctx.is_prisma
           else "writes it fails.")
        + ctx.history_note(event.table, event.column),
        help=drop_column_help(ctx, statement, event.column),
        span=statement.span_of(event),
    )


def renaming_column(rule: RuleInfo, statement: ir.Statement, event: ir.RenameColumn, ctx: ModelContext) -> Finding:
    o, n = ctx.sql.quote(event.column), ctx.sql.quote(event.new)
    return ctx.finding(
        rule,
        f"RENAME COLUMN renames {o} of {ctx.sql.table(event.table)} to {n}: running code that still uses {o} "
        "fails from the moment it commits.",
        help=renaming_column_help(ctx, event.table, event.column, event.new),
        span=statement.span_of(event),
    )


def renaming_table(rule: RuleInfo, statement: ir.Statement, old: ir.TableName, new: ir.TableName,
                   ctx: ModelContext) -> Finding:
    o, n = ctx.sql.table(old), ctx.sql.table(new)
    return ctx.finding(
        rule,
        f"RENAME TO renames {o} to {n}: running code that still uses {o} fails from the moment it commits.",
        help=renaming_table_help(ctx, statement, old, new),
    )


def not_rebuilt(ctx: ModelContext, tables: list[ir.TableName]) -> list[ir.TableName]:
    """The dropped tables that are not the old table of a rebuild at this DROP TABLE, nor a name
    this file gave by a rename (the renaming is the finding: authelia's `_bkp_UP_*` copies), nor a
    table whose rows this file copied out and that it creates again afterwards (authelia's V0010:
    copy to a backup, drop, create, copy back)."""
    renamed_to = {e.new for s in ctx.earlier for e in s.events if isinstance(e, ir.RenameTable)}
    copied_out = {e.source for s in ctx.earlier for e in s.events if isinstance(e, ir.DataChange) and e.source}
    created_again = {e.table for s in ctx.later for e in s.events if isinstance(e, ir.CreateTable)}
    return [
        table for table in tables
        if not dropped_by_rebuild(ctx, table) and table not in renamed_to
        and not (table in copied_out and table in created_again)
    ]


def in_rebuild(ctx: ModelContext, statement: ir.Statement) -> bool:
    """The statement is the DROP TABLE or the renaming of a table rebuild: what the rebuild loses is
    the sqlite-rebuild-* rules' finding, not a drop or a rename of the table."""
    sqlite: SqliteContext = ctx  # type: ignore[assignment]
    for rebuild in rebuilds(sqlite):
        if statement in (at(sqlite, rebuild.drop), at(sqlite, rebuild.rename)):
            return True
    return False


def dropped_by_rebuild(ctx: ModelContext, table: ir.TableName) -> bool:
    sqlite: SqliteContext = ctx  # type: ignore[assignment]
    return any(dropped_table(r) == table and at(sqlite, r.drop) is ctx.statement for r in rebuilds(sqlite))


def drop_column_help(ctx: ModelContext, statement: ir.Statement, column: str) -> str:
    """SQLite's DROP COLUMN has neither IF EXISTS nor CASCADE (sqlite.org/lang_altertable.html)."""
    quoted = ctx.sql.quote(column)
    return (
        f"Deploy code that no longer uses {quoted} first"
        + (" (in Prisma: remove the field from schema.prisma, or mark it @ignore)" if ctx.is_prisma else "")
        + ", then drop the column in a later migration (SQLite 3.35+ drops it in place; it refuses a column "
        "that is indexed, part of a key or used by a view or trigger).\n"
        f"-- in a later migration, once no deployed code uses {quoted}:\n"
        f'{ignore_comment("ban-drop-column", f"no deployed code uses {quoted} any more")}\n'
        f"{ctx.sql.alter_table(statement)} DROP COLUMN {quoted};"
    )


def renaming_column_help(ctx: ModelContext, table: ir.TableName, old: str, new: str) -> str:
    """Add, sync with triggers, backfill, then drop: SQLite's triggers are per statement kind and
    cannot assign NEW, so the sync is an AFTER trigger that updates the row."""
    t, o, n = ctx.sql.table(table), ctx.sql.quote(old), ctx.sql.quote(new)
    known = ctx.column_type(table, old)
    add = f"ALTER TABLE {t} ADD COLUMN {n} {known};" if known else (
        f"-- use the column's current type: TEXT below is a placeholder\nALTER TABLE {t} ADD COLUMN {n} TEXT;")
    ins = ctx.sql.quote(f"{table.name}_{new}_ins")
    upd = ctx.sql.quote(f"{table.name}_{new}_upd")
    return (
        f"Rename in steps so that running code keeps working: add {n}, keep it in sync with {o}, backfill, "
        f"move the code to {n}, then drop {o} in a later migration.\n"
        f"{add}\n"
        f"CREATE TRIGGER {ins} AFTER INSERT ON {t} BEGIN\n"
        f"  UPDATE {t} SET {n} = coalesce(NEW.{n}, NEW.{o}), {o} = coalesce(NEW.{o}, NEW.{n}) WHERE rowid = NEW.rowid;\n"
        "END;\n"
        f"CREATE TRIGGER {upd} AFTER UPDATE OF {o} ON {t} BEGIN\n"
        f"  UPDATE {t} SET {n} = NEW.{o} WHERE rowid = NEW.rowid;\n"
        "END;\n"
        f"UPDATE {t} SET {n} = {o} WHERE {n} IS NULL;\n"
        f"-- in a later migration, once no deployed code uses {o}:\n"
        f"DROP TRIGGER {ins};\n"
        f"DROP TRIGGER {upd};\n"
        f'{ignore_comment("ban-drop-column", f"no deployed code uses {o} any more")}\n'
        f"ALTER TABLE {t} DROP COLUMN {o};"
    )


def renaming_table_help(ctx: ModelContext, statement: ir.Statement, old: ir.TableName, new: ir.TableName) -> str:
    """A view keeps the old name readable, but SQLite's views are read-only (sqlite.org/lang_createview.html):
    old code that writes needs INSTEAD OF triggers, so the help says so rather than promise more."""
    o, n = ctx.sql.table(old), ctx.sql.table(new)
    return (
        f"Keep the old name readable with a view over the renamed table, and drop it once no deployed code uses "
        f"{o}. SQLite's views are read-only: code that still writes to {o} needs INSTEAD OF triggers on the "
        "view, or a release that stops writing first.\n"
        f"{ctx.sql.alter_table(statement)} RENAME TO {ctx.sql.quote(new.name)};\n"
        f"CREATE VIEW {o} AS SELECT * FROM {n};\n"
        f"-- in a later migration, once no deployed code uses {o}:\n"
        f"DROP VIEW {o};"
    )
