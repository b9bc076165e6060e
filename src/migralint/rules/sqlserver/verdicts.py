"""SQL Server's words and help SQL for the rules shared with PostgreSQL (drops, renames, required
columns, NULL / NOT NULL). Each shared rule decides what to look at; for a SQL Server file it hands
the event to one function here, which says what SQL Server does with it and what to run instead.

Sources: ALTER TABLE (Transact-SQL) (DROP COLUMN IF EXISTS and DROP TABLE IF EXISTS from SQL Server
2016; a NOT NULL column added with a DEFAULT fills the existing rows with it); Msg 4901 (a NOT NULL
column without a DEFAULT "cannot be added to non-empty table"); Msg 515 ("Cannot insert the value
NULL into column ..."), which ALTER COLUMN ... NOT NULL raises where a row holds NULL; sp_rename
(Transact-SQL) ("Changing any part of an object name can break scripts and stored procedures");
CREATE VIEW (Transact-SQL), "Updatable Views" (a view over one table takes INSERT, UPDATE and
DELETE) and "CREATE VIEW must be the first statement in a query batch", hence EXEC('...').
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding
from migralint.linter.suppressions import ignore_comment
from migralint.rules.sqlserver.common import ONLINE_ALTER_EDITIONS, blocks_reads_or_writes
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.findings import RuleInfo
    from migralint.linter.model_context import ModelContext

# timestamp / rowversion columns fill themselves, as IDENTITY does (Msg 4901 exempts them).
_SELF_FILLED = frozenset({"timestamp", "rowversion"})


def _prisma(ctx: ModelContext, words: str) -> str:
    return words if ctx.is_prisma else ""


def _literal(text: str) -> str:
    return "N'" + text.replace("'", "''") + "'"


def adding_required_field(rule: RuleInfo, statement: ir.Statement, event: ir.AddColumn, ctx: ModelContext) -> Finding | None:
    column = event.column
    if column.type.split("(")[0].strip().lower() in _SELF_FILLED:
        return None
    t, c = ctx.sql.table(event.table), ctx.sql.quote(column.name)
    return ctx.finding(
        rule,
        f"ADD {c} is NOT NULL without a DEFAULT: SQL Server refuses it as soon as {t} holds a row (Msg 4901: "
        "the column cannot be added to a non-empty table), so the migration fails in production.",
        help="\n".join([
            "Give it a DEFAULT that is a right value for the existing rows (SQL Server writes it into each of them; "
            "Enterprise edition adds a constant one without touching the rows), or add it nullable, backfill it, "
            "then make it NOT NULL:",
            *ctx.sql.add_column_steps(statement, event),
        ]),
        span=statement.span_of(event),
    )


def ban_drop_column(rule: RuleInfo, statement: ir.Statement, event: ir.DropColumn, ctx: ModelContext) -> Finding:
    t, c = ctx.sql.table(event.table), ctx.sql.quote(event.column)
    return ctx.finding(
        rule,
        f"DROP COLUMN removes {c} from {t}: running code that still selects or writes it fails"
        + _prisma(ctx, " (a Prisma client selects every column of a model by name)") + "."
        + ctx.history_note(event.table, event.column),
        help=(
            f"Deploy code that no longer uses {c} first"
            + _prisma(ctx, " (in Prisma: remove the field from schema.prisma, or mark it @ignore)")
            + ", then drop the column in a later migration.\n"
            f"-- in a later migration, once no deployed code uses {c}:\n"
            f"{ignore_comment(rule.name, f'no deployed code uses {c} any more')}\n"
            f"{ctx.sql.alter_table(statement)} DROP COLUMN IF EXISTS {c};"
        ),
        span=statement.span_of(event),
    )


def rebuilt_tables(ctx: ModelContext) -> set[ir.TableName]:
    """Tables this file copies into a new table that a later statement renames back to the old name:
    Prisma's RedefineTables (CREATE _prisma_new_X, copy X into it, DROP TABLE X, sp_rename
    _prisma_new_X to X). The DROP loses no row and no running code sees X missing (one transaction)."""
    copies = {e.source: e.table for s in ctx.earlier for e in s.events
              if isinstance(e, ir.DataChange) and e.source is not None}
    renames = {(e.table, e.new) for s in ctx.later for e in s.events if isinstance(e, ir.RenameTable)}
    return {old for old, new in copies.items() if (new, old) in renames}


def ban_drop_table(rule: RuleInfo, statement: ir.Statement, existing: list[ir.TableName], ctx: ModelContext) -> Finding | None:
    rebuilt = rebuilt_tables(ctx)
    dropped = [table for table in existing if table not in rebuilt]
    if not dropped:
        return None
    shown = ", ".join(ctx.sql.table(table) for table in dropped)
    it = "it" if len(dropped) == 1 else "them"
    return ctx.finding(
        rule,
        f"DROP TABLE deletes {shown} and every row in {it}: running code that still queries {it} fails."
        + "".join(ctx.history_note(table) for table in dropped),
        help=(
            f"Deploy code that no longer uses {shown} first"
            + _prisma(ctx, " (in Prisma: remove the model from schema.prisma)")
            + f", then drop {it} in a later migration.\n"
            f"-- in a later migration, once no deployed code uses {shown} (back up rows that matter):\n"
            f"{ignore_comment(rule.name, f'no deployed code uses {shown} any more')}\n"
            f"DROP TABLE IF EXISTS {shown};"
        ),
    )


def renaming_column(rule: RuleInfo, statement: ir.Statement, event: ir.RenameColumn, ctx: ModelContext) -> Finding:
    t, o, n = ctx.sql.table(event.table), ctx.sql.quote(event.column), ctx.sql.quote(event.new)
    known = ctx.column_type(event.table, event.column)
    add = (f"ALTER TABLE {t} ADD {n} {known} NULL;" if known else
           f"-- use the column's current type: NVARCHAR(MAX) below is a placeholder\nALTER TABLE {t} ADD {n} NVARCHAR(MAX) NULL;")
    return ctx.finding(
        rule,
        f"sp_rename renames {o} of {t} to {n}: running code that still uses {o} fails from the moment it commits.",
        help=(
            f"Rename in steps so that running code keeps working: add {n}, write both columns (from the code, or "
            f"an AFTER INSERT, UPDATE trigger), backfill, move the code to {n}, then drop {o} in a later migration.\n"
            f"{add}\n"
            "-- in a migration of its own, backfill in batches; repeat until it updates no rows:\n"
            f"UPDATE TOP (10000) {t} SET {n} = {o} WHERE {n} IS NULL AND {o} IS NOT NULL;\n"
            f"-- then give {n} the NOT NULL, default, indexes and constraints of {o},\n"
            f"-- and deploy code that uses {n} only.\n"
            f"-- in a later migration, once no deployed code uses {o}:\n"
            f"{ignore_comment('ban-drop-column', f'no deployed code uses {o} any more')}\n"
            f"ALTER TABLE {t} DROP COLUMN {o};"
        ),
        span=statement.span_of(event),
    )


def renaming_table(rule: RuleInfo, statement: ir.Statement, event: ir.RenameTable, ctx: ModelContext) -> Finding:
    old, new = event.table, event.new
    o, n = ctx.sql.table(old), ctx.sql.table(new)
    return ctx.finding(
        rule,
        f"sp_rename renames {o} to {n}: running code that still uses {o} fails from the moment it commits.",
        help=(
            f"Keep the old name working with a view over the renamed table, in the same transaction, and drop the "
            f"view once no deployed code uses {o}.\n"
            f"EXEC sp_rename {_literal(old.qualified())}, {_literal(new.name)};\n"
            "-- a view over one table is updatable; CREATE VIEW must begin a batch, hence EXEC:\n"
            f"EXEC({_literal(f'CREATE VIEW {o} AS SELECT * FROM {n}')[1:]});\n"
            f"-- in a later migration, once no deployed code uses {o}:\n"
            f"DROP VIEW {o};"
        ),
    )


def adding_not_nullable_field(rule: RuleInfo, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
    types = {e.column: e.type for e in statement.events if isinstance(e, ir.AlterColumnType)}
    for event in statement.events:
        if not isinstance(event, ir.SetNotNull) or not event.not_null:
            continue
        table, column = event.table, event.column
        if not ctx.rows(table).may_hold_rows or blocks_reads_or_writes(statement, table) is None:
            return  # new or emptied, or ONLINE = ON (reads and writes go on)
        known = ctx.column(table, column)
        if known is None or known.not_null or ctx.is_new_column(table, column):
            continue  # unknown, or NOT NULL already: the ALTER COLUMN restates it
        t, c = ctx.sql.table(table), ctx.sql.quote(column)
        column_type = types.get(column) or known.type
        yield ctx.finding(
            rule,
            f"This makes {c} of {t} NOT NULL: SQL Server checks every row under a schema-modification (Sch-M) lock, "
            "so every query on the table waits, and fails the migration (Msg 515, Cannot insert the value NULL "
            "into column) where a row holds NULL.",
            help="\n".join([
                f"Update the rows that hold NULL first, in batches, to the value they should have; then make {c} NOT "
                f"NULL, online ({ONLINE_ALTER_EDITIONS}) or at a quiet time:",
                "-- in a migration of its own, repeat until it updates no rows (the value is yours to choose):",
                f"-- UPDATE TOP (10000) {t} SET {c} = <value> WHERE {c} IS NULL;",
                f"{ctx.sql.alter_table(statement)} ALTER COLUMN {c} {column_type} NOT NULL WITH (ONLINE = ON);",
            ]),
            span=statement.span_of(event),
        )


def ban_drop_not_null(rule: RuleInfo, statement: ir.Statement, event: ir.SetNotNull, ctx: ModelContext) -> Finding | None:
    known = ctx.column(event.table, event.column)
    if known is None or not known.not_null:
        return None  # nullable already, or not known: ALTER COLUMN restates the column
    column_type = next((e.type for e in statement.events if isinstance(e, ir.AlterColumnType) and e.column == event.column),
                       known.type)
    c, t = ctx.sql.quote(event.column), ctx.sql.table(event.table)
    head = f"{ctx.sql.alter_table(statement)} ALTER COLUMN {c} {column_type}"
    return ctx.finding(
        rule,
        f"This makes {c} of {t} nullable: code still running that assumes {c} always holds a value"
        + _prisma(ctx, " (a Prisma client of the previous release types it as required)")
        + " breaks on the first NULL written there.",
        help=(
            f"Make every reader of {c} (the previous release, reports, other services) handle NULL before any code "
            "writes NULL into it; an ALTER COLUMN meant to keep the column NOT NULL must say NOT NULL.\n"
            "-- if it was meant to stay NOT NULL:\n"
            f"{head} NOT NULL;\n"
            f"-- otherwise, once no running code assumes {c} holds a value:\n"
            f"{head} NULL;"
        ),
        span=statement.span_of(event),
    )
