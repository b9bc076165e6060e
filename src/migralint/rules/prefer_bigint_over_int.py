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


# The 32-bit types as the parser names them (`int` and `integer` are int4), and their 64-bit twins.
_WIDER = {"int4": "bigint", "serial": "bigserial", "serial4": "bigserial"}


class PreferBigintOverInt(Rule):
    name = "prefer-bigint-over-int"
    severity = Severity.WARNING
    default_enabled = False
    nodes = ("CreateStmt", "AlterTableStmt")
    summary = "integer and serial columns run out at 2,147,483,647; use bigint."
    why = (
        "An integer (int, int4) or serial column holds at most 2,147,483,647. An id or counter "
        "that gets there makes every INSERT fail, and widening the column then is an ALTER COLUMN "
        "TYPE bigint that rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, on "
        "the table that grew large enough to need it. bigint costs 4 more bytes per value, often "
        "none at all once rows are aligned. Flagged in CREATE TABLE, ADD COLUMN and ALTER COLUMN "
        "TYPE, on new tables too: this is about the schema's design, not locks. smallint has a "
        "rule of its own, prefer-bigint-over-smallint."
    )
    bad = 'CREATE TABLE "Order" ("id" SERIAL NOT NULL, "quantity" INTEGER NOT NULL, PRIMARY KEY ("id"));'
    good = 'CREATE TABLE "Order" ("id" BIGSERIAL NOT NULL, "quantity" BIGINT NOT NULL, PRIMARY KEY ("id"));'
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
                "overflows at 2,147,483,647, and widening it later rewrites the table.",
                help=f"Use {better}, which holds up to 9,223,372,036,854,775,807:\n{with_type(ctx, declared, better)}",
                span=type_span(ctx, declared),
            )
