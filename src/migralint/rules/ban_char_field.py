from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.column_types import (
    declared_types,
    type_span,
    type_text,
    with_type,
    written_typmods,
)
from migralint.findings import Finding, Severity
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class BanCharField(Rule):
    name = "ban-char-field"
    severity = Severity.WARNING
    default_enabled = False
    nodes = ("CreateStmt", "AlterTableStmt")
    summary = "char(n) pads every value with spaces to its length; use text or varchar."
    why = (
        "char(n), character(n) and bpchar are blank-padded: PostgreSQL stores 'ab' in a char(5) "
        "column as 'ab   ', ignores trailing spaces when it compares two char values, and drops "
        "them when it casts to text, so = and LIKE disagree and values that differ only in trailing "
        "spaces collide. The padding costs space, and char(n) is never faster than varchar(n) or "
        "text. A bare `char` means char(1). Flagged in CREATE TABLE, ADD COLUMN and ALTER COLUMN "
        "TYPE, on new tables too: this is about the schema's design, not locks. The one-byte "
        'internal type "char" (quoted) is another type and is not flagged.'
    )
    bad = 'CREATE TABLE "Product" ("sku" CHAR(12) NOT NULL, "name" TEXT NOT NULL);'
    good = 'CREATE TABLE "Product" ("sku" VARCHAR(12) NOT NULL, "name" TEXT NOT NULL);'
    references = (
        "https://www.postgresql.org/docs/current/datatype-character.html",
        "https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_char.28n.29",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        for declared in declared_types(statement):
            if declared.builtin != "bpchar":
                continue
            length = written_typmods(declared.type_node)
            better = f"varchar({length[0]})" if length else "text"
            better += "[]" * len(declared.type_node.get("arrayBounds", []))
            written = type_text(ctx, declared)
            yield ctx.finding(
                self,
                f'Column "{declared.column}" of "{declared.table}" is {written}: values are padded with '
                "spaces to the full length, and compare differently from text.",
                help=f"Use {better}, which stores values as given:\n{with_type(ctx, declared, better)}",
                span=type_span(ctx, declared),
            )
