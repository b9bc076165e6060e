from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.rules.base import Example, Rule, has_event
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class RenamingTable(Rule):
    name = "renaming-table"
    severity = Severity.ERROR
    kinds = (ir.Kind.ALTER_TABLE, ir.Kind.RENAME_TABLE)  # RENAME TABLE: MySQL's statement of its own
    summary = "RENAME TO breaks the code still running that uses the table's old name."
    why = (
        "While a migration runs, the previous release of the application is still serving "
        "requests, and its queries name the table by its old name: from the moment the rename "
        "commits, each of them fails. Rename the table and create a view under the old name in "
        "the same migration: a view over a single table is updatable, so old code keeps reading "
        "and writing through it. Drop the view in a later migration, once no code uses the old "
        "name. A table created earlier in the same file is not flagged, nor is a rename followed in "
        "the same file by a view under the old name."
        " A rollback (a down migration) is not checked: it restores what its forward migration changed."
        " On MySQL and MariaDB (`RENAME TABLE` and `ALTER TABLE ... RENAME TO`) the harm and the answer "
        "are the same: a view over one table, with no aggregate, DISTINCT, GROUP BY or join, is updatable "
        "and insertable (MySQL 8.4 manual, Updatable and Insertable Views). But MySQL commits each DDL "
        "statement on its own, so between the rename and the CREATE VIEW the old name is briefly missing: "
        "run the two statements back to back."
        " On SQL Server the rename is `EXEC sp_rename 'old', 'new'`; a view over one table takes INSERT, "
        "UPDATE and DELETE (CREATE VIEW (Transact-SQL), Updatable Views), and since CREATE VIEW must begin a "
        "batch, the help creates it with `EXEC('CREATE VIEW ...')` in the same transaction."
        " On SQLite the harm is the same, but a view under the old name only keeps readers working: SQLite's views are read-only (sqlite.org/lang_createview.html), so a writer still fails unless INSTEAD OF triggers are added; the renames of a table rebuild are not flagged (they are the `sqlite-rebuild-*` rules')."
    )
    bad = 'ALTER TABLE "Team" RENAME TO "Organization";'
    good = (
        'ALTER TABLE "Team" RENAME TO "Organization";\n'
        'CREATE VIEW "Team" AS SELECT * FROM "Organization";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME",
        "https://www.postgresql.org/docs/current/sql-createview.html#SQL-CREATEVIEW-UPDATABLE-VIEWS",
        "https://dev.mysql.com/doc/refman/8.4/en/rename-table.html",
        "https://dev.mysql.com/doc/refman/8.4/en/view-updatability.html",
        "https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/sp-rename-transact-sql",
        "https://learn.microsoft.com/en-us/sql/t-sql/statements/create-view-transact-sql",
    )
    dialects = frozenset({Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE, Dialect.COCKROACHDB, Dialect.SQLSERVER})
    # The same harm in MySQL's syntax: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples = {
        Dialect.MYSQL: Example(
            bad="RENAME TABLE `Team` TO `Organization`;",
            good="RENAME TABLE `Team` TO `Organization`;\n"
                "CREATE VIEW `Team` AS SELECT * FROM `Organization`;",
        ),
        Dialect.COCKROACHDB: Example(
            bad="ALTER TABLE selfservice_verification_requests RENAME TO selfservice_verification_flows;",
            good="CREATE TABLE selfservice_verification_flows (id UUID PRIMARY KEY, state STRING NOT NULL);",
        ),
        Dialect.SQLSERVER: Example(
            bad="EXEC sp_rename N'dbo.Team', N'Organization';",
            good="EXEC sp_rename N'dbo.Team', N'Organization';\n"
                "EXEC('CREATE VIEW [dbo].[Team] AS SELECT * FROM [dbo].[Organization]');",
        ),
        # SQLite's views are read-only: a view under the old name does not keep writers working.
        Dialect.SQLITE: Example(
            bad='ALTER TABLE "Team" RENAME TO "Organization";',
            good='-- migralint: ignore renaming-table -- release 4.2 uses "Organization" only\n'
                'ALTER TABLE "Team" RENAME TO "Organization";',
        ),
    }

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        if not has_event(statement, ir.RenameTable):
            return ()
        return self._findings(statement, ctx)

    def _findings(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if ctx.rollback:
            return  # a rollback undoes its forward migration: old code expects the old shape
        for event in statement.events:
            if not isinstance(event, ir.RenameTable) or ctx.rows(event.table).kind is RowsKind.NEW:
                continue
            old, new = event.table, event.new
            if _view_keeps_old_name(ctx, old):
                continue
            if ctx.dialect is Dialect.MYSQL:
                yield _mysql_finding(self, ctx, old, new)
                continue
            if ctx.dialect is Dialect.COCKROACHDB:
                from migralint.rules.cockroachdb import verdicts as cockroach_verdicts  # here: only this dialect's lint imports it
                yield cockroach_verdicts.renamed_table(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.SQLSERVER:
                from migralint.rules.sqlserver import verdicts as sqlserver_verdicts
                yield sqlserver_verdicts.renaming_table(self, statement, event, ctx)
                continue
            if ctx.dialect is Dialect.SQLITE:
                from migralint.rules.sqlite import verdicts as sqlite_verdicts
                if not sqlite_verdicts.in_rebuild(ctx, statement):
                    yield sqlite_verdicts.renaming_table(self, statement, old, new, ctx)
                continue
            shown_old, shown_new = ctx.sql.name(old), ctx.sql.name(new)
            yield ctx.finding(
                self,
                f'RENAME TO renames "{shown_old}" to "{shown_new}": running code that still uses "{shown_old}" fails from '
                "the moment it commits.",
                help=(
                    f'Keep the old name working with a view over the renamed table, and drop the view once '
                    f'no deployed code uses "{shown_old}".\n'
                    f"{ctx.sql.alter_table(statement)} RENAME TO {ctx.sql.quote(new.name)};\n"
                    "-- a view over one table is updatable: old code keeps reading and writing through it\n"
                    f"CREATE VIEW {ctx.sql.table(old)} AS SELECT * FROM {ctx.sql.table(new)};\n"
                    f'-- in a later migration, once no deployed code uses "{shown_old}":\n'
                    f"DROP VIEW {ctx.sql.table(old)};"
                ),
            )


def _mysql_finding(rule: RenamingTable, ctx: ModelContext, old: ir.TableName, new: ir.TableName) -> Finding:
    o, n = ctx.sql.table(old), ctx.sql.table(new)
    return ctx.finding(
        rule,
        f"This renames {o} to {n}: running code that still uses {o} fails from the moment MySQL commits it.",
        help=(
            f"Keep the old name working with a view over the renamed table, created right after the rename "
            f"(MySQL commits each statement on its own), and drop the view once no deployed code uses {o}.\n"
            f"RENAME TABLE {o} TO {n};\n"
            "-- a view over one table is updatable: old code keeps reading and writing through it\n"
            f"CREATE VIEW {o} AS SELECT * FROM {n};\n"
            f"-- in a later migration, once no deployed code uses {o}:\n"
            f"DROP VIEW {o};"
        ),
    )


# The MySQL front end reads CREATE VIEW as a statement with no event: its head says which view.
# Compiled where it is used (re keeps it): a PostgreSQL run, which loads this rule too, never needs it.
_MYSQL_VIEW = (
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
    r"(?:SQL\s+SECURITY\s+\w+\s+)?VIEW\s+(?P<name>(?:`(?:[^`]|``)+`|[\w$]+)(?:\.(?:`(?:[^`]|``)+`|[\w$]+))?)"
)


def _mysql_view(statement: ir.Statement) -> ir.TableName | None:
    match = re.match(_MYSQL_VIEW, str(getattr(statement.raw, "text", "")), re.I)
    if match is None:
        return None
    parts = [p.strip("`").replace("``", "`") for p in re.findall(r"`(?:[^`]|``)+`|[\w$]+", match["name"])]
    return ir.TableName(parts[0], parts[1]) if len(parts) == 2 else ir.TableName("", parts[0])


def _view_keeps_old_name(ctx: ModelContext, old: ir.TableName) -> bool:
    """True when a later statement of the file creates a view under the old name."""
    if ctx.dialect is Dialect.MYSQL:
        return any(_mysql_view(later) == old for later in ctx.later)
    return any(
        isinstance(event, ir.CreateObject) and event.what == "view" and event.name == old
        for later in ctx.later
        for event in later.events
    )
