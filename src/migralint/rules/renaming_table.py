from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import alter_table_prefix
from migralint.linter.nodes import TableName, quote_ident
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class RenamingTable(Rule):
    name = "renaming-table"
    severity = Severity.ERROR
    nodes = ("RenameStmt",)
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

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        if ctx.rollback:
            return  # a rollback undoes its forward migration: old code expects the old shape
        node = statement.node
        if node.get("renameType") != "OBJECT_TABLE" or ctx.is_new_table(node["relation"]):
            return
        old = ctx.table(node["relation"])
        if _view_keeps_old_name(ctx, statement, old):
            return
        new = TableName(old.schema, node.get("newname", ""))
        yield ctx.finding(
            self,
            f'RENAME TO renames "{old}" to "{new}": running code that still uses "{old}" fails from '
            "the moment it commits.",
            help=(
                f'Keep the old name working with a view over the renamed table, and drop the view once '
                f'no deployed code uses "{old}".\n'
                f"{alter_table_prefix(node)} RENAME TO {quote_ident(new.name)};\n"
                "-- a view over one table is updatable: old code keeps reading and writing through it\n"
                f"CREATE VIEW {old.sql()} AS SELECT * FROM {new.sql()};\n"
                f'-- in a later migration, once no deployed code uses "{old}":\n'
                f"DROP VIEW {old.sql()};"
            ),
        )


def _view_keeps_old_name(ctx: Context, statement: Statement, old: TableName) -> bool:
    """True when a later statement of the file creates a view under the old name."""
    return any(
        later.kind == "ViewStmt" and later.index > statement.index and ctx.table(later.node["view"]) == old
        for later in ctx.statements
    )
