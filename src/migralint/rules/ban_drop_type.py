from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.findings import Severity
from migralint.rules.drop_object import DropObjectRule

from migralint.sql.postgres.nodes import TableName, string_value

if TYPE_CHECKING:
    from migralint.linter.objects import ObjectName
    from migralint.linter.context import Context



class BanDropType(DropObjectRule):
    name = "ban-drop-type"
    severity = Severity.WARNING
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

    remove_types = ("OBJECT_TYPE", "OBJECT_DOMAIN")
    breaks = "still casts to {it} or passes {it} as a parameter"
    cascade_drops = "every column of {it} in every table, data included, and the functions, views and defaults that use {it}"

    def what(self, remove_type: str) -> str:
        return "domain" if remove_type == "OBJECT_DOMAIN" else "type"

    def still_needed(self, ctx: Context, obj: ObjectName) -> bool:
        return not _unused_enum(ctx, obj.name)



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
