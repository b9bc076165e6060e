from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.finding import Finding, Severity
from migralint.linter.objects import drop_message_and_help, risky_drops
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_REMOVE_TYPES = ("OBJECT_SEQUENCE",)


class BanDropSequence(Rule):
    name = "ban-drop-sequence"
    severity = Severity.WARNING
    nodes = ("DropStmt",)
    summary = "DROP SEQUENCE breaks the code still running that draws numbers from the sequence."
    why = (
        "Code still running, and column defaults (nextval(...)), draw numbers from the sequence by name; "
        "once it is gone those inserts fail. With CASCADE PostgreSQL also drops every column default that "
        "uses it, and inserts that relied on the default then fail on NOT NULL or store NULL. Drop a "
        "sequence once nothing uses it, in a later migration. Not flagged: a sequence created earlier in "
        "the same file (also the one a serial or identity column of a table created there owns), and one "
        "dropped and created again in the same transaction without CASCADE."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
    )
    bad = 'DROP SEQUENCE "invoice_number_seq";'
    good = 'CREATE SEQUENCE "tmp_import_seq";\nDROP SEQUENCE "tmp_import_seq";'
    references = ("https://www.postgresql.org/docs/current/sql-dropsequence.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        if statement.node.get("removeType") not in _REMOVE_TYPES:
            return
        risky = risky_drops(ctx, statement.node)
        if not risky:
            return
        message, help = drop_message_and_help(
            ctx,
            statement,
            risky,
            what="sequence",
            breaks="still calls nextval on {it}",
            cascade_drops="every column DEFAULT that uses {it}, so inserts that relied on the default fail or write NULL",
        )
        yield ctx.finding(self, message, help=help)
