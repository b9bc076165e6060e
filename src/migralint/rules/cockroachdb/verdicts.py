"""The shared model rules' words for CockroachDB, where PostgreSQL's would be wrong.

CockroachDB runs a schema change as an online background job: no ACCESS EXCLUSIVE lock, no
queue of blocked queries, so what PostgreSQL's wording says about locks does not hold. What
still holds is what breaks: a statement that fails on existing rows, code that still uses an old
name. Each shared rule calls one function here from its `if ctx.dialect is Dialect.COCKROACHDB:`
branch. Sources: cockroachdb/cockroach#14455 (ADD COLUMN NOT NULL without a default fails once the
table holds a row), #28751 (SET NOT NULL is a job that checks no value is NULL), #20948 (views
are not updatable, and the rename procedure it describes), cockroachlabs.com/docs "Online Schema
Changes".
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext, RowsKind
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Rule
from migralint.sql import ir


def required_field(rule: Rule, statement: ir.Statement, event: ir.AddColumn, ctx: ModelContext) -> Finding:
    """adding-required-field: ADD COLUMN ... NOT NULL without a DEFAULT on a table that may hold rows."""
    column = event.column
    t, c = ctx.sql.table(event.table), ctx.sql.quote(column.name)
    what = "a PRIMARY KEY (so NOT NULL)" if column.primary_key else "NOT NULL"
    return ctx.finding(
        rule,
        f"ADD COLUMN {c} is {what} without a DEFAULT: CockroachDB's backfill job finds no value for the "
        f"existing rows of {t}, so the schema change fails and is rolled back as soon as the table holds a row.",
        help="\n".join([
            "Give it a DEFAULT (CockroachDB writes it to every row in a background job; reads and writes go on), "
            "or add it nullable, backfill it, and set NOT NULL in a later migration:",
            *ctx.sql.add_column_steps(statement, event),
        ]),
        span=statement.span_of(event),
    )


def not_nullable_field(rule: Rule, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
    """adding-not-nullable-field: SET NOT NULL on a column of a table that may hold rows."""
    for event in statement.events:
        if not isinstance(event, ir.SetNotNull) or not event.not_null:
            continue
        table, column = event.table, event.column
        if ctx.rows(table).kind is RowsKind.NEW:
            return
        known = ctx.column(table, column)
        if known is not None and known.not_null:
            continue
        t, c = ctx.sql.table(table), ctx.sql.quote(column)
        yield ctx.finding(
            rule,
            f"SET NOT NULL on {c} makes CockroachDB check every row of {t} in a background job (reads and writes "
            "go on, no lock is held): if one row holds NULL the job fails and the column stays nullable, after "
            "the rest of the migration has run.",
            help="\n".join([
                f"Fill the NULLs of {c} first, in a migration of its own, then set NOT NULL:",
                "-- repeat until it updates no rows (the value is yours to choose):",
                f"-- UPDATE {t} SET {c} = <value> WHERE {c} IS NULL LIMIT 10000;",
                f"{ctx.sql.alter_table(statement)} ALTER COLUMN {c} SET NOT NULL;",
            ]),
            span=statement.span_of(event),
            # Nothing waits on CockroachDB: the risk is a failed migration, not blocked traffic.
            severity=None if rule.name in ctx.settings.severity else Severity.WARNING,
        )


def renamed_column(rule: Rule, statement: ir.Statement, event: ir.RenameColumn, ctx: ModelContext) -> Finding:
    """renaming-column: PostgreSQL's help (a plpgsql trigger, ctid batches) does not run on CockroachDB."""
    t, o, n = ctx.sql.table(event.table), ctx.sql.quote(event.column), ctx.sql.quote(event.new)
    known = ctx.column_type(event.table, event.column)
    return ctx.finding(
        rule,
        f"RENAME COLUMN renames {o} of {t} to {n}: running code that still uses {o} fails from the moment "
        "CockroachDB makes the new name public.",
        help="\n".join([
            f"Rename in steps so that running code keeps working: add {n}, have the application write both "
            f"columns, backfill, move the reads to {n}, then drop {o} in a later migration.",
            f"ALTER TABLE {t} ADD COLUMN {n} {known or 'STRING'};"
            + ("" if known else "  -- use the column's current type: STRING is a placeholder"),
            "-- in a migration of its own, once the application writes both; repeat until it updates no rows:",
            f"UPDATE {t} SET {n} = {o} WHERE {n} IS NULL AND {o} IS NOT NULL LIMIT 10000;",
            f"-- in a later migration, once no deployed code uses {o}:",
            ignore_comment("ban-drop-column", f"no deployed code uses {o} any more"),
            f"ALTER TABLE {t} DROP COLUMN {o};",
        ]),
        span=statement.span_of(event),
    )


def renamed_table(rule: Rule, statement: ir.Statement, event: ir.RenameTable, ctx: ModelContext) -> Finding:
    """renaming-table: a view under the old name keeps reads working only (CockroachDB's views are read-only)."""
    o, n = ctx.sql.table(event.table), ctx.sql.table(event.new)
    return ctx.finding(
        rule,
        f"RENAME TO renames {o} to {n}: running code that still uses {o} fails from the moment CockroachDB makes "
        "the new name public.",
        help="\n".join([
            f"Deploy code that reads and writes {n} and falls back to {o} first, or rename at a quiet time. A view "
            f"under the old name keeps reads working, but CockroachDB cannot write through a view "
            "(cockroachdb/cockroach#20948):",
            f"{ctx.sql.alter_table(statement)} RENAME TO {ctx.sql.quote(event.new.name)};",
            f"CREATE VIEW {o} AS SELECT * FROM {n};",
            f"-- in a later migration, once no deployed code uses {o}:",
            f"DROP VIEW {o};",
        ]),
    )
