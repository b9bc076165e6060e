from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.finding import Finding, Severity
from migralint.linter.objects import drop_message_and_help, risky_drops
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_REMOVE_TYPES = ("OBJECT_SCHEMA",)


class BanDropSchema(Rule):
    name = "ban-drop-schema"
    severity = Severity.WARNING
    nodes = ("DropStmt",)
    summary = "DROP SCHEMA breaks the code still running that uses it, and with CASCADE deletes everything in it."
    why = (
        "Code still running queries the objects in a schema by their qualified names; once the schema "
        "is gone those queries fail. Without CASCADE PostgreSQL refuses to drop a schema that is not "
        "empty; with CASCADE it drops every table, view, function and type in it, and every row of those "
        "tables. Drop a schema once nothing uses it, in a later migration. A schema created earlier in the "
        "same file is not flagged."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
    )
    bad = 'DROP SCHEMA "reporting" CASCADE;'
    good = 'CREATE SCHEMA "staging";\nDROP SCHEMA "staging";'
    references = ("https://www.postgresql.org/docs/current/sql-dropschema.html",)

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
            what="schema",
            breaks="still uses the tables, views or functions in {it}",
            cascade_drops="every table, view, function and type in {it}, with all their rows",
        )
        yield ctx.finding(self, message, help=help)
