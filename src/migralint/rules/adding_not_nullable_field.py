from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.column_sql import set_not_null_steps
from migralint.linter.constraint_names import object_name
from migralint.linter.model_context import RowsKind
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Example, Rule
from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.postgres.locks import Lock

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


_LOCK = Lock.ACCESS_EXCLUSIVE


class AddingNotNullableField(Rule):
    name = "adding-not-nullable-field"
    severity = Severity.ERROR
    lock = _LOCK
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = (
        "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE to check for NULLs; on MySQL, MODIFY ... NOT "
        "NULL fails on, or silently zeroes, the rows that hold NULL."
    )
    why = (
        "ALTER COLUMN ... SET NOT NULL takes ACCESS EXCLUSIVE on the table and reads every row to "
        "make sure none is NULL: every query on the table, reads included, waits until the scan "
        "ends. Since PostgreSQL 12 the scan is skipped when a validated CHECK (\"column\" IS NOT "
        "NULL) constraint already proves it, and that constraint can be added NOT VALID and "
        "validated under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. Not flagged: "
        "tables created earlier in the same file, and (PostgreSQL 12+) a column with such a "
        "validated CHECK constraint added earlier in the file. Before PostgreSQL 12 there is no "
        "scan-free way. On MySQL and MariaDB (`MODIFY` / `CHANGE` to NOT NULL of a column the replayed "
        "history knows as nullable) the harm is the data, not the lock: where a row holds NULL, strict "
        "mode (MySQL's default) fails the ALTER, and without strict mode MySQL turns each NULL into the "
        "type's implicit default, silently (MySQL 8.4 manual, Online DDL Operations, \"Making a column "
        "NOT NULL\": strict mode is required and the operation fails if the column contains NULL values; "
        "Data Type Default Values). The in-place rebuild itself is `mysql-table-rebuild`'s finding. A "
        "column whose earlier definition the history does not have is not flagged on MySQL: the MODIFY "
        "may restate a column that is NOT NULL already."
        " On SQL Server (`ALTER COLUMN ... NOT NULL` of a column the replayed history knows as nullable) the "
        "change checks every row under a schema-modification lock, which blocks reads and writes, and fails "
        "with Msg 515 (\"Cannot insert the value NULL into column ... UPDATE fails\") where a row holds NULL; "
        "`WITH (ONLINE = ON)` (SQL Server 2016+, Enterprise edition and Azure SQL) lets reads and writes go "
        "on and is not flagged."
    )
    bad = 'ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;'
    good = (
        'ALTER TABLE "User" ADD CONSTRAINT "User_email_not_null" CHECK ("email" IS NOT NULL) NOT VALID;\n'
        "-- in a migration of its own:\n"
        'ALTER TABLE "User" VALIDATE CONSTRAINT "User_email_not_null";\n'
        'ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;\n'
        'ALTER TABLE "User" DROP CONSTRAINT "User_email_not_null";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL",
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
        "https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html#online-ddl-column-operations",
        "https://dev.mysql.com/doc/refman/8.4/en/data-type-defaults.html",
        "https://learn.microsoft.com/en-us/sql/t-sql/statements/alter-table-transact-sql",
        "https://www.red-gate.com/hub/product-learning/sql-prompt/problems-with-adding-not-null-columns-or-making-nullable-columns-not-null-ei028",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.COCKROACHDB, Dialect.SQLSERVER})
    # The same harm in MySQL's syntax: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="ALTER TABLE `User` MODIFY `email` VARCHAR(191) NULL;\n"
                "ALTER TABLE `User` MODIFY `email` VARCHAR(191) NOT NULL;",
            good="ALTER TABLE `User` MODIFY `email` VARCHAR(191) NULL;\n"
                "ALTER TABLE `User` MODIFY `email` VARCHAR(255) NULL;",
        ),
        Dialect.COCKROACHDB: Example(
            bad="ALTER TABLE identities ALTER COLUMN nid SET NOT NULL;",
            good="CREATE TABLE identities (id UUID PRIMARY KEY, nid UUID);\n"
                "ALTER TABLE identities ALTER COLUMN nid SET NOT NULL;",
        ),
        Dialect.SQLSERVER: Example(
            bad="ALTER TABLE [dbo].[User] ALTER COLUMN [email] NVARCHAR(191) NULL;\n"
                "ALTER TABLE [dbo].[User] ALTER COLUMN [email] NVARCHAR(191) NOT NULL;",
            good="ALTER TABLE [dbo].[User] ALTER COLUMN [email] NVARCHAR(191) NULL;\n"
                "ALTER TABLE [dbo].[User] ALTER COLUMN [email] NVARCHAR(191) NOT NULL WITH (ONLINE = ON);",
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if ctx.dialect is Dialect.SQLSERVER:
            from migralint.rules.sqlserver import verdicts as sqlserver_verdicts  # here: only this dialect's lint imports it
            yield from sqlserver_verdicts.adding_not_nullable_field(self, statement, ctx)
            return
        if ctx.dialect is Dialect.MYSQL:
            yield from _mysql_findings(self, statement, ctx)
            return
        if ctx.dialect is Dialect.COCKROACHDB:
            from migralint.rules.cockroachdb import verdicts as cockroach_verdicts
            yield from cockroach_verdicts.not_nullable_field(self, statement, ctx)
            return
        pg_version = ctx.settings.pg_version
        for event in statement.events:
            if not isinstance(event, ir.SetNotNull) or not event.not_null:
                continue
            table, column = event.table, event.column
            rows = ctx.rows(table)
            if rows.kind is RowsKind.NEW:
                return
            known = ctx.column(table, column)
            if known is not None and known.not_null:
                continue  # already NOT NULL: PostgreSQL does nothing
            checks = ctx.not_null_checks(table, column)
            validated = [name for name, valid in checks.items() if valid]
            if validated and pg_version >= 12:
                continue
            if rows.kind is RowsKind.EMPTIED and rows.truncated:
                return  # truncated earlier in the file: nothing to scan
            if any(isinstance(other, ir.AlterColumnType) and other.rewrites for other in statement.events):
                return  # the rewrite (changing-column-type's finding) checks NOT NULL as it copies the rows
            message = (
                f'SET NOT NULL on "{column}" takes {_LOCK.sql_name} on "{ctx.sql.name(table)}" and scans every row for '
                f"NULLs: {_LOCK.blocks} until the scan ends."
            )
            if validated:
                message += (
                    f' PostgreSQL {pg_version} does not use the validated CHECK "{validated[-1]}" to '
                    "skip the scan (12+ does)."
                )
            yield ctx.finding(
                self,
                message,
                help=_help(ctx, statement, table, column, checks),
                span=statement.span_of(event),
            )


def _help(ctx: ModelContext, statement: ir.Statement, table: ir.TableName, column: str, checks: dict[str, bool]) -> str:
    prefix = ctx.sql.alter_table(statement)
    col = ctx.sql.quote(column)
    pg_version = ctx.settings.pg_version
    unvalidated = [name for name, valid in checks.items() if not valid]
    # An earlier check (validated or not) is reused rather than added a second time.
    name = list(checks)[-1] if checks else object_name(table.name, column, "not_null")
    if pg_version < 12:
        lines = [
            "Before PostgreSQL 12 NOT NULL cannot be set without a full scan under ACCESS EXCLUSIVE: "
            "keep a validated CHECK constraint instead, or run it while the table is small or quiet."
        ]
        if not checks:
            lines.append("-- a CHECK constraint enforces the same rule and is validated without blocking writes:")
            lines.append(f"{prefix} ADD CONSTRAINT {ctx.sql.quote(name)} CHECK ({col} IS NOT NULL) NOT VALID;")
        if not checks or unvalidated:
            lines.append("-- in a migration of its own (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):")
            lines.append(f"{prefix} VALIDATE CONSTRAINT {ctx.sql.quote(unvalidated[-1] if unvalidated else name)};")
        lines.append("-- or, at a quiet time, with a short lock_timeout so that waiting queries do not pile up:")
        lines.append("SET lock_timeout = '5s';")
        lines.append(ignore_comment(AddingNotNullableField.name, "run at a quiet time, with lock_timeout set"))
        lines.append(f"{prefix} ALTER COLUMN {col} SET NOT NULL;")
        return "\n".join(lines)
    steps = set_not_null_steps(prefix, column, name, pg_version, add_check=not checks)
    first = (
        f'Validate the CHECK constraint "{name}" in a later migration first, then set NOT NULL without a scan:'
        if checks
        else "Prove NOT NULL with a CHECK constraint validated without blocking writes, then set it without a scan:"
    )
    return "\n".join([first, *steps])


def _mysql_findings(rule: AddingNotNullableField, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
    renamed = {e.new: e.column for e in statement.events if isinstance(e, ir.RenameColumn)}
    types = {e.column: e.type for e in statement.events if isinstance(e, ir.AlterColumnType)}
    for event in statement.events:
        if not isinstance(event, ir.SetNotNull) or not event.not_null:
            continue
        table, column = event.table, event.column
        if not ctx.rows(table).may_hold_rows:
            return  # new, or emptied earlier in the file: no row can hold NULL
        known = ctx.column(table, renamed.get(column, column))
        if known is None or known.not_null:
            continue  # unknown, or NOT NULL already: the MODIFY restates it
        t, c = ctx.sql.table(table), ctx.sql.quote(column)
        prefix = ctx.sql.alter_table(statement)
        yield ctx.finding(
            rule,
            f"This makes {c} of {t} NOT NULL: where a row holds NULL, MySQL fails the ALTER in strict mode (the "
            "default) and otherwise silently turns each NULL into the type's implicit default.",
            help="\n".join([
                f"Update the rows that hold NULL first, in batches, to the value they should have; then make {c} "
                "NOT NULL, asserting that MySQL rebuilds in place while writes go on:",
                "-- in a migration of its own, repeat until it updates no rows (the value is yours to choose):",
                f"-- UPDATE {t} SET {c} = <value> WHERE {c} IS NULL LIMIT 10000;",
                f"{prefix} MODIFY {c} {types.get(column) or known.type} NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;",
            ]),
            span=statement.span_of(event),
        )
