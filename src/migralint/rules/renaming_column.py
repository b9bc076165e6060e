from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.constraint_names import object_name
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Example, Rule, has_event
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class RenamingColumn(Rule):
    name = "renaming-column"
    severity = Severity.ERROR
    kinds = (ir.Kind.ALTER_TABLE,)
    summary = "RENAME COLUMN breaks the code still running that uses the old name."
    why = (
        "While a migration runs, the previous release of the application is still serving "
        "requests under the old column name: from the moment the rename commits, each of its "
        "queries that names the column fails (a Prisma client names every column it selects). "
        "Rename in steps instead: add the new column, keep both in sync, backfill, move the code "
        "to the new name, and drop the old column in a later migration. A column of a table "
        "created earlier in the same file, or added earlier in it, is not flagged."
        " A rollback (a down migration) is not checked: it restores what its forward migration changed."
        " On MySQL and MariaDB the harm is the same, for `RENAME COLUMN` (MySQL 8.0+, MariaDB 10.5.2+) "
        "and for a `CHANGE` that gives the column a new name; the help keeps the columns in sync with "
        "two one-statement triggers (MySQL has no `INSERT OR UPDATE` trigger and needs no DELIMITER for "
        "a body of one statement) and backfills with `UPDATE ... LIMIT` (MySQL 8.4 manual: ALTER TABLE, "
        "CREATE TRIGGER, UPDATE Statement)."
        " On SQL Server the rename is `EXEC sp_rename 'T.old', 'new', 'COLUMN'` (as Prisma writes it); "
        "Microsoft's sp_rename page warns that changing any part of an object name can break scripts and "
        "stored procedures. The help adds the new column and backfills it in `UPDATE TOP (n)` batches."
        " On SQLite (3.25+) the harm is the same; SQLite's triggers cannot assign NEW, so the help keeps the two columns in sync with AFTER triggers that update the row (sqlite.org/lang_createtrigger.html)."
    )
    bad = 'ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";'
    good = (
        '-- Expand: add the new column; a trigger keeps it in sync with "name" until the code moved.\n'
        'ALTER TABLE "User" ADD COLUMN "fullName" TEXT;'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME",
        "https://dev.mysql.com/doc/refman/8.4/en/alter-table.html",
        "https://mariadb.com/kb/en/alter-table/#rename-column",
        "https://dev.mysql.com/doc/refman/8.4/en/create-trigger.html",
        "https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-rename-transact-sql",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE, Dialect.COCKROACHDB, Dialect.SQLSERVER})
    # The same harm in MySQL's syntax: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="ALTER TABLE `User` RENAME COLUMN `name` TO `fullName`;",
            good="ALTER TABLE `User` ADD COLUMN `fullName` VARCHAR(191) NULL;",
        ),
        Dialect.COCKROACHDB: Example(
            bad="ALTER TABLE identities RENAME COLUMN traits_schema TO schema_id;",
            good="ALTER TABLE identities ADD COLUMN schema_id STRING;",
        ),
        Dialect.SQLSERVER: Example(
            bad="EXEC sp_rename N'dbo.User.name', N'fullName', N'COLUMN';",
            good="ALTER TABLE [dbo].[User] ADD [fullName] NVARCHAR(1000) NULL;",
        ),
        Dialect.SQLITE: Example(
            bad='ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";',
            good='ALTER TABLE "User" ADD COLUMN "fullName" TEXT;',
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        if not has_event(statement, ir.RenameColumn):
            return ()
        return self._findings(statement, ctx)

    def _findings(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if ctx.rollback:
            return  # a rollback undoes its forward migration: old code expects the old shape
        for event in statement.events:
            if not isinstance(event, ir.RenameColumn):
                continue
            table, old, new = event.table, event.column, event.new
            if old == new or ctx.is_new_column(table, old):
                continue  # MySQL's CHANGE `a` `a` ... keeps the name
            if ctx.dialect is Dialect.COCKROACHDB:
                from migralint.rules.cockroachdb import verdicts as cockroach_verdicts  # here: only this dialect's lint imports it
                yield cockroach_verdicts.renamed_column(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.SQLSERVER:
                from migralint.rules.sqlserver import verdicts as sqlserver_verdicts
                yield sqlserver_verdicts.renaming_column(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.SQLITE:
                from migralint.rules.sqlite import verdicts as sqlite_verdicts
                yield sqlite_verdicts.renaming_column(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.MYSQL:
                o, n = ctx.sql.quote(old), ctx.sql.quote(new)
                yield ctx.finding(
                    self,
                    f"This renames {o} of {ctx.sql.table(table)} to {n}: running code that still uses {o} fails "
                    "from the moment MySQL commits it.",
                    help=_mysql_help(ctx, table, old, new),
                    span=statement.span_of(event),
                )
                continue
            yield ctx.finding(
                self,
                f'RENAME COLUMN renames "{old}" of "{ctx.sql.name(table)}" to "{new}": running code that still uses '
                f'"{old}" fails from the moment it commits.',
                help=self._help(ctx, table, old, new),
            )

    def _help(self, ctx: ModelContext, table: ir.TableName, old: str, new: str) -> str:
        t, o, n = ctx.sql.table(table), ctx.sql.quote(old), ctx.sql.quote(new)
        known = _column_type(ctx, table, old)
        if known:
            add_column = f"ALTER TABLE {t} ADD COLUMN {n} {known};"
        else:
            add_column = (
                "-- use the column's current type: text below is a placeholder\n"
                f"ALTER TABLE {t} ADD COLUMN {n} text;"
            )
        trigger = object_name(table.name, new, "sync")
        sync = ctx.sql.table(ir.TableName(table.schema, trigger))
        execute = "FUNCTION" if ctx.settings.pg_version >= 11 else "PROCEDURE"
        return (
            f'Rename in steps so that running code keeps working: add "{new}", keep it in sync with "{old}", '
            f'backfill, move the code to "{new}", then drop "{old}" in a later migration.\n'
            f"{add_column}\n"
            "-- keep both columns in sync while old and new code run side by side:\n"
            f"CREATE FUNCTION {sync}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            # Old code never sets the new column; new code does, and then a default of the old
            # column must not win.
            "  IF TG_OP = 'INSERT' THEN\n"
            f"    IF NEW.{n} IS NULL THEN NEW.{n} := NEW.{o}; ELSE NEW.{o} := NEW.{n}; END IF;\n"
            f"  ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} THEN\n"
            f"    NEW.{o} := NEW.{n};\n"
            "  ELSE\n"
            f"    NEW.{n} := NEW.{o};\n"
            "  END IF;\n"
            "  RETURN NEW;\n"
            "END\n"
            "$$;\n"
            f"CREATE TRIGGER {ctx.sql.quote(trigger)} BEFORE INSERT OR UPDATE "
            f"ON {t} FOR EACH ROW EXECUTE {execute} {sync}();\n"
            "-- in a migration of its own, backfill in batches; repeat until it updates no rows:\n"
            f"UPDATE {t} SET {n} = {o} WHERE ctid = ANY (ARRAY(\n"
            f"  SELECT ctid FROM {t} WHERE {n} IS NULL AND {o} IS NOT NULL LIMIT 10000));\n"
            f'-- then give "{new}" the NOT NULL, default, indexes and constraints of "{old}",\n'
            f'-- and deploy code that uses "{new}" only.\n'
            f'-- in a later migration, once no deployed code uses "{old}":\n'
            f"DROP TRIGGER {ctx.sql.quote(trigger)} ON {t};\n"
            f"DROP FUNCTION {sync}();\n"
            f'{ignore_comment("ban-drop-column", f"no deployed code uses {o} any more")}\n'
            f"ALTER TABLE {t} DROP COLUMN {o};"
        )


def _mysql_help(ctx: ModelContext, table: ir.TableName, old: str, new: str) -> str:
    t, o, n = ctx.sql.table(table), ctx.sql.quote(old), ctx.sql.quote(new)
    known = _column_type(ctx, table, old) or ctx.column_type(table, old)
    if known:
        add_column = f"ALTER TABLE {t} ADD COLUMN {n} {known} NULL;"
    else:
        add_column = (
            "-- use the column's current type: TEXT below is a placeholder\n"
            f"ALTER TABLE {t} ADD COLUMN {n} TEXT NULL;"
        )
    on_insert = ctx.sql.quote(object_name(table.name, new, "ins"))
    on_update = ctx.sql.quote(object_name(table.name, new, "upd"))
    return (
        f"Rename in steps so that running code keeps working: add {n}, keep it in sync with {o}, backfill, move "
        f"the code to {n}, then drop {o} in a later migration.\n"
        f"{add_column}\n"
        "-- keep both columns in sync while old and new code run side by side (old code never sets the new one):\n"
        f"CREATE TRIGGER {on_insert} BEFORE INSERT ON {t} FOR EACH ROW "
        f"SET NEW.{n} = COALESCE(NEW.{n}, NEW.{o}), NEW.{o} = NEW.{n};\n"
        f"CREATE TRIGGER {on_update} BEFORE UPDATE ON {t} FOR EACH ROW "
        f"SET NEW.{o} = IF(NEW.{n} <=> OLD.{n}, NEW.{o}, NEW.{n}), NEW.{n} = NEW.{o};\n"
        "-- in a migration of its own, backfill in batches; repeat until it updates no rows:\n"
        f"UPDATE {t} SET {n} = {o} WHERE {n} IS NULL AND {o} IS NOT NULL LIMIT 10000;\n"
        f"-- then give {n} the NOT NULL, default, indexes and constraints of {o},\n"
        f"-- and deploy code that uses {n} only.\n"
        f"-- in a later migration, once no deployed code uses {o}:\n"
        f"DROP TRIGGER {on_insert};\n"
        f"DROP TRIGGER {on_update};\n"
        f'{ignore_comment("ban-drop-column", f"no deployed code uses {o} any more")}\n'
        f"ALTER TABLE {t} DROP COLUMN {o};"
    )


def _column_type(ctx: ModelContext, table: ir.TableName, column: str) -> str | None:
    """The column's type when a statement earlier in the file sets it (ALTER COLUMN TYPE, ADD COLUMN)."""
    for earlier in reversed(ctx.earlier):
        for event in reversed(earlier.events):
            if isinstance(event, ir.AlterColumnType) and event.table == table and event.column == column:
                return event.type
            if isinstance(event, ir.AddColumn) and event.table == table and event.column.name == column:
                return event.column.type
    return None
