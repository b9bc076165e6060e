from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import RowsKind
from migralint.rules.base import Rule
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class RenamingTable(Rule):
    name = "renaming-table"
    severity = Severity.ERROR
    kinds = (ir.Kind.ALTER_TABLE,)
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
    )
    bad = 'ALTER TABLE "Team" RENAME TO "Organization";'
    good = (
        'ALTER TABLE "Team" RENAME TO "Organization";\n'
        'CREATE VIEW "Team" AS SELECT * FROM "Organization";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-RENAME",
        "https://www.postgresql.org/docs/current/sql-createview.html#SQL-CREATEVIEW-UPDATABLE-VIEWS",
    )

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        if ctx.rollback:
            return  # a rollback undoes its forward migration: old code expects the old shape
        for event in statement.events:
            if not isinstance(event, ir.RenameTable) or ctx.rows(event.table).kind is RowsKind.NEW:
                continue
            old, new = event.table, event.new
            if _view_keeps_old_name(ctx, old):
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


def _view_keeps_old_name(ctx: ModelContext, old: ir.TableName) -> bool:
    """True when a later statement of the file creates a view under the old name."""
    return any(
        isinstance(event, ir.CreateObject) and event.what == "view" and event.name == old
        for later in ctx.later
        for event in later.events
    )
