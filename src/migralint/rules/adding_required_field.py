from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.rules.base import Example, Rule, has_event
from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.postgres.locks import Lock

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class AddingRequiredField(Rule):
    name = "adding-required-field"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = (
        "ADD COLUMN ... NOT NULL without a DEFAULT fails as soon as the table holds a row; MySQL fills the "
        "rows with the type's zero value instead."
    )
    why = (
        "A new column holds NULL in every existing row unless it has a DEFAULT, so adding it NOT "
        "NULL (or as a PRIMARY KEY, which implies NOT NULL) fails with `column contains null "
        "values` on any table that is not empty: the migration breaks in production although it "
        "passed on an empty development database. Give the column a constant DEFAULT "
        "(PostgreSQL 11+ adds it without rewriting the table), or add it nullable, backfill it, and "
        "enforce NOT NULL through a CHECK constraint validated without blocking writes. Identity, "
        "serial and generated columns fill every row and are not flagged, nor are columns added to "
        "a table created earlier in the same file. On MySQL and MariaDB the statement does not fail: "
        "MySQL fills every existing row with the type's implicit default (0 for numbers, '' for strings, "
        "the first member of an ENUM; MySQL 8.4 manual, Data Type Default Values, \"Implicit Default "
        "Handling\"), even in strict mode, so the rows silently hold a value nobody chose. A date or time "
        "column is the exception: its implicit default is the zero date, which strict mode with "
        "NO_ZERO_DATE (MySQL's default sql_mode) rejects, so that ALTER fails as on PostgreSQL; a PRIMARY "
        "KEY fails too once two rows share the zero value. AUTO_INCREMENT columns are numbered and not "
        "flagged."
        " On SQL Server the ALTER fails on a table that holds a row, with Msg 4901 (\"ALTER TABLE only allows "
        "columns to be added that can contain nulls, or have a DEFAULT definition specified, or the column "
        "being added is an identity or timestamp column ...\"); IDENTITY and timestamp/rowversion columns "
        "fill themselves and are not flagged."
        " SQLite refuses the ALTER outright once the table holds a row (\"Cannot add a NOT NULL column "
        "with default value NULL\"; on an empty table it runs: measured on SQLite 3.40), and it cannot make a "
        "column NOT NULL later without rebuilding the table, so the help gives the column a constant DEFAULT."
    )
    bad = 'ALTER TABLE "User" ADD COLUMN "role" TEXT NOT NULL;'
    good = (
        "ALTER TABLE \"User\" ADD COLUMN \"role\" TEXT NOT NULL DEFAULT 'member';\n"
        'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-COLUMN",
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
        "https://dev.mysql.com/doc/refman/8.4/en/data-type-defaults.html",
        "https://dev.mysql.com/doc/refman/8.4/en/sql-mode.html#sqlmode_no_zero_date",
        "https://atlasgo.io/lint/analyzers#MY101",
        "https://www.sql-server-performance.com/columns-that-can-contain-null/",
        "https://www.red-gate.com/hub/product-learning/sql-prompt/problems-with-adding-not-null-columns-or-making-nullable-columns-not-null-ei028",
        "https://www.sqlite.org/lang_altertable.html#altertabaddcol",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE, Dialect.COCKROACHDB, Dialect.SQLSERVER})
    # The same harm in MySQL's syntax: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="ALTER TABLE `User` ADD COLUMN `role` VARCHAR(32) NOT NULL;",
            good="ALTER TABLE `User` ADD COLUMN `role` VARCHAR(32) NOT NULL DEFAULT 'member';",
        ),
        Dialect.COCKROACHDB: Example(
            bad="ALTER TABLE flags ADD COLUMN namespace_key STRING NOT NULL;",
            good="ALTER TABLE flags ADD COLUMN namespace_key STRING NOT NULL DEFAULT 'default';",
        ),
        Dialect.SQLSERVER: Example(
            bad="ALTER TABLE [dbo].[User] ADD [role] NVARCHAR(32) NOT NULL;",
            good="ALTER TABLE [dbo].[User] ADD [role] NVARCHAR(32) NOT NULL CONSTRAINT [User_role_df] DEFAULT 'member';",
        ),
        Dialect.SQLITE: Example(
            bad='ALTER TABLE "User" ADD COLUMN "role" TEXT NOT NULL;',
            good='ALTER TABLE "User" ADD COLUMN "role" TEXT NOT NULL DEFAULT \'member\';',
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        if not has_event(statement, ir.AddColumn):
            return ()
        return self._findings(statement, ctx)

    def _findings(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if not isinstance(event, ir.AddColumn):
                continue
            column = event.column
            # Serial, identity, generated and DEFAULT columns get a value in every existing row.
            if not column.not_null or column.default is not ir.Default.NONE or column.generated:
                continue
            # Asked only here: most ALTER TABLEs add no such column, and the answer costs a lookup.
            if ctx.rows(event.table).kind is not RowsKind.EXISTING:
                return  # new, or emptied earlier in the file: there is no row to fail on
            if ctx.dialect is Dialect.MYSQL:
                yield _mysql_finding(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.COCKROACHDB:
                from migralint.rules.cockroachdb import verdicts as cockroach_verdicts  # here: only this dialect's lint imports it
                yield cockroach_verdicts.required_field(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.SQLSERVER:
                from migralint.rules.sqlserver import verdicts as sqlserver_verdicts
                found = sqlserver_verdicts.adding_required_field(self, statement, event, ctx)
                if found is not None:
                    yield found
                continue
            if ctx.dialect is Dialect.SQLITE:
                from migralint.rules.sqlite import verdicts as sqlite_verdicts
                yield sqlite_verdicts.adding_required_field(self, statement, event, ctx)
                continue
            what = "a PRIMARY KEY (so NOT NULL)" if column.primary_key else "NOT NULL"
            first = (
                "Give it a constant DEFAULT (PostgreSQL 11+ adds that without a rewrite), or add it "
                "nullable, backfill it, and enforce NOT NULL with a validated CHECK constraint:"
                if ctx.settings.pg_version >= 11
                else "Add it nullable, backfill it, and enforce NOT NULL with a validated CHECK constraint:"
            )
            yield ctx.finding(
                self,
                f'ADD COLUMN "{column.name}" is {what} without a DEFAULT: it fails as soon as "{ctx.sql.name(event.table)}" '
                "holds a row, since every existing row would get NULL.",
                help="\n".join([first, *ctx.sql.add_column_steps(statement, event)]),
                span=statement.span_of(event),
            )


_ZERO_DATE_TYPES = ("date", "datetime", "timestamp")


def _mysql_finding(rule: AddingRequiredField, statement: ir.Statement, event: ir.AddColumn, ctx: ModelContext) -> Finding:
    column, t = event.column, ctx.sql.table(event.table)
    c = ctx.sql.quote(column.name)
    base = column.type.split("(")[0].strip().lower()
    if base in _ZERO_DATE_TYPES:
        outcome = (f"MySQL gives every existing row of {t} the zero date, which strict mode with NO_ZERO_DATE "
                   "(the default sql_mode) rejects: the ALTER fails as soon as the table holds a row")
    elif column.primary_key:
        outcome = (f"MySQL gives every existing row of {t} the type's implicit default, so the ALTER fails "
                   "on a duplicate key as soon as the table holds two rows")
    else:
        outcome = (f"MySQL does not fail but fills every existing row of {t} with the type's implicit default"
                   f"{_zero(base)}: silently wrong data")
    prefix = ctx.sql.alter_table(statement)
    return ctx.finding(
        rule,
        f"ADD COLUMN {c} is NOT NULL without a DEFAULT: {outcome}.",
        help="\n".join([
            "Give it a DEFAULT that is a right value for the existing rows, or add it nullable, backfill it, "
            "then make it NOT NULL:",
            f"{prefix} ADD COLUMN {c} {column.type} NULL;",
            "-- in a migration of its own, repeat until it updates no rows (the value is yours to choose):",
            f"-- UPDATE {t} SET {c} = <value> WHERE {c} IS NULL LIMIT 10000;",
            "-- then, once no row holds NULL (MySQL rebuilds the table in place; writes go on):",
            f"{prefix} MODIFY {c} {column.type} NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;",
        ]),
        span=statement.span_of(event),
    )


def _zero(base: str) -> str:
    """The implicit default of a type, as the MySQL manual lists it, for the message."""
    if base in ("enum", "set"):
        return " (the first member)" if base == "enum" else " (the empty set)"
    if base.endswith("int") or base in ("decimal", "numeric", "dec", "float", "double", "real", "bit", "year", "bool",
                                        "boolean", "serial"):
        return " (0)"
    if base.endswith(("char", "text", "blob", "binary")):
        return " ('')"
    if base == "time":
        return " ('00:00:00')"
    return ""
