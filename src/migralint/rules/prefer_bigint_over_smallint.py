from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.column_types import (
    declared_types,
    type_span,
    type_text,
    with_type,
)
from migralint.findings import Finding, Severity
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


# The 16-bit types as the parser names them (`smallint` is int2), and their 64-bit twins.
_WIDER = {"int2": "bigint", "smallserial": "bigserial", "serial2": "bigserial"}


class PreferBigintOverSmallint(Rule):
    name = "prefer-bigint-over-smallint"
    severity = Severity.WARNING
    default_enabled = False
    nodes = ("CreateStmt", "AlterTableStmt")
    summary = "smallint and smallserial columns run out at 32,767; use bigint."
    why = (
        "A smallint (int2) or smallserial column holds at most 32,767. A counter or id that gets "
        "there makes every write of a larger value fail, and widening the column then is an ALTER "
        "COLUMN TYPE that rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE. The "
        "6 bytes per value it saves are often lost to row alignment anyway. Flagged in CREATE "
        "TABLE, ADD COLUMN and ALTER COLUMN TYPE, on new tables too: this is about the schema's "
        "design, not locks."
    )
    bad = 'CREATE TABLE "Product" ("id" BIGSERIAL NOT NULL, "stock" SMALLINT NOT NULL);'
    good = 'CREATE TABLE "Product" ("id" BIGSERIAL NOT NULL, "stock" BIGINT NOT NULL);'
    references = ("https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-INT",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        for declared in declared_types(statement):
            wider = _WIDER.get(declared.builtin or "")
            if wider is None:
                continue
            better = wider + "[]" * len(declared.type_node.get("arrayBounds", []))
            yield ctx.finding(
                self,
                f'Column "{declared.column}" of "{declared.table}" is {type_text(ctx, declared)}: it '
                "overflows at 32,767, and widening it later rewrites the table.",
                help=f"Use {better}, which holds up to 9,223,372,036,854,775,807:\n{with_type(ctx, declared, better)}",
                span=type_span(ctx, declared),
            )
