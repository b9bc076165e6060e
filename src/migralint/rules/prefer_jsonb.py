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


class PreferJsonb(Rule):
    name = "prefer-jsonb"
    severity = Severity.WARNING
    default_enabled = False
    nodes = ("CreateStmt", "AlterTableStmt")
    summary = "json columns store raw text that is parsed again on every use; use jsonb."
    why = (
        "json keeps the text exactly as given and parses it again each time a query looks inside "
        "it. jsonb stores it parsed: its operators are faster, GIN indexes serve @>, ? and jsonpath "
        "queries on it, and it has an equality operator, which json lacks, so DISTINCT, GROUP BY, "
        "UNION and unique indexes fail on json columns. jsonb keeps one value per key (the last one) "
        "and not the key order or white space: keep json only when the exact text must come back. "
        "Flagged in CREATE TABLE, ADD COLUMN and ALTER COLUMN TYPE, on new tables too: this is "
        "about the schema's design, not locks."
    )
    bad = 'CREATE TABLE "Webhook" ("id" TEXT NOT NULL, "payload" JSON NOT NULL);'
    good = 'CREATE TABLE "Webhook" ("id" TEXT NOT NULL, "payload" JSONB NOT NULL);'
    references = (
        "https://www.postgresql.org/docs/current/datatype-json.html",
        "https://www.postgresql.org/docs/current/datatype-json.html#JSON-INDEXING",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        for declared in declared_types(statement):
            if declared.builtin != "json":
                continue
            better = "jsonb" + "[]" * len(declared.type_node.get("arrayBounds", []))
            yield ctx.finding(
                self,
                f'Column "{declared.column}" of "{declared.table}" is {type_text(ctx, declared)}: it '
                "is parsed again on every use, cannot be indexed with GIN and has no equality operator.",
                help=f"Use {better}, stored parsed and indexable:\n{with_type(ctx, declared, better)}",
                span=type_span(ctx, declared),
            )
