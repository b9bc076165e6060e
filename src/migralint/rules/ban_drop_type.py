from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.findings import Severity
from migralint.rules.drop_object import DropObjectRule
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext



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

    dropped = ("type", "domain")
    breaks = "still casts to {it} or passes {it} as a parameter"
    cascade_drops = "every column of {it} in every table, data included, and the functions, views and defaults that use {it}"

    def still_needed(self, ctx: ModelContext, event: ir.DropObject) -> bool:
        return not ctx.enum_unused(event.name)
