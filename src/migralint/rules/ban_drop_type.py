from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.finding import Finding, Severity
from migralint.linter.objects import drop_message_and_help, risky_drops
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

from migralint.linter.nodes import TableName, string_value

if TYPE_CHECKING:
    from migralint.linter.context import Context

_REMOVE_TYPES = ("OBJECT_TYPE", "OBJECT_DOMAIN")


class BanDropType(Rule):
    name = "ban-drop-type"
    severity = Severity.WARNING
    nodes = ("DropStmt",)
    summary = "DROP TYPE breaks the code still running that uses the type, and with CASCADE drops every column of it."
    why = (
        "The previous release of the application is still running while the migration does, and it "
        "names the type: Prisma casts enum parameters to the enum type by name, functions "
        "and queries cast to it. From the moment the type is gone those statements fail. With CASCADE it is "
        "worse: every column of that type, in every table, is dropped with its data. Drop a type once no "
        "deployed code uses it, in a later migration. Not flagged: a type created, or renamed to that "
        "name, earlier in the same file (the Role_old of a Prisma enum change), and a type dropped and "
        "created again in the same transaction without CASCADE. DROP DOMAIN is flagged the same way."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
    )
    bad = 'DROP TYPE "Role";'
    good = (
        'ALTER TYPE "Role" RENAME TO "Role_old";\n'
        "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\n"
        'DROP TYPE "Role_old";'
    )
    references = ("https://www.postgresql.org/docs/current/sql-droptype.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        if statement.node.get("removeType") not in _REMOVE_TYPES:
            return
        risky = [obj for obj in risky_drops(ctx, statement.node) if not _unused_enum(ctx, obj.name)]
        if not risky:
            return
        message, help = drop_message_and_help(
            ctx,
            statement,
            risky,
            what="domain" if statement.node["removeType"] == "OBJECT_DOMAIN" else "type",
            breaks="still casts to {it} or passes {it} as a parameter",
            cascade_drops="every column of {it} in every table, data included, and the functions, views and defaults that use {it}",
        )
        yield ctx.finding(self, message, help=help)


def _unused_enum(ctx: Context, name: TableName) -> bool:
    """An enum the history knows, of which no column of any table is: no running code can
    still bind a value of it (an enum reaches code through a column)."""
    enum = ctx.catalog.enums.get(name)
    if enum is None:
        return False
    for table in ctx.catalog.tables.values():
        for column in table.columns.values():
            if column.type_name is None:
                return False  # a column of unknown type might be of it
            names = [string_value(n) for n in column.type_name.get("names", [])]
            if names and names[-1] == name.name and (len(names) == 1 or names[-2] == name.schema):
                return False
    return True
