from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import own_migration_note
from migralint.sql.postgres.nodes import TableName
from migralint.linter.objects import ObjectName, created_earlier
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class RenamingEnumValue(Rule):
    name = "renaming-enum-value"
    severity = Severity.ERROR
    nodes = ("AlterEnumStmt",)
    summary = "Renaming an enum value breaks the code still running that writes or compares the old label."
    why = (
        "ALTER TYPE ... RENAME VALUE changes the label in place, at once, for every row. The previous "
        "release of the application is still running while the migration does, and it still sends the "
        "old label: each insert, update or comparison with it fails with \"invalid input value for "
        "enum\". Copies of the label outside the enum (JSON documents, text columns, caches, other "
        "services, analytics) no longer match either. Add the new label instead, deploy code that writes "
        "it, move the rows over, and keep the old label (PostgreSQL cannot drop an enum value). A type "
        "created earlier in the same file is not flagged."
        " A rollback (a down migration) is not checked: it restores what its forward migration changed."
    )
    bad = "ALTER TYPE \"Role\" RENAME VALUE 'USER' TO 'MEMBER';"
    good = "ALTER TYPE \"Role\" ADD VALUE IF NOT EXISTS 'MEMBER';"
    references = ("https://www.postgresql.org/docs/current/sql-altertype.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        if ctx.rollback:
            return  # a rollback undoes its forward migration: old code expects the old shape
        node = statement.node
        old, new = node.get("oldVal"), node.get("newVal", "")
        if old is None:
            return
        enum = TableName.from_names(node.get("typeName", []))
        if created_earlier(ctx, ObjectName("type", enum)):
            return
        yield ctx.finding(
            self,
            f'RENAME VALUE {_literal(old)} of "{enum}": running code that still writes or compares {_literal(old)} '
            "fails (invalid input value for enum), and copies of the label stored elsewhere no longer match.",
            help=(
                f"Add {_literal(new)} as a new label, deploy code that writes it and accepts both, then move the "
                f"rows over in a later migration; keep {_literal(old)}, PostgreSQL cannot drop an enum value.\n"
                # Before 12, ADD VALUE cannot run in a transaction block at all.
                + (f"{own_migration_note(ctx.runner)}\n" if ctx.pg_version < 12 else "")
                + f"ALTER TYPE {enum.sql()} ADD VALUE IF NOT EXISTS {_literal(new)} AFTER {_literal(old)};\n"
                "-- in a later migration (a label cannot be used in the transaction that adds it), for each "
                f"column of type {enum.sql()}: UPDATE <table> SET <column> = {_literal(new)} WHERE <column> = {_literal(old)};"
            ),
        )
