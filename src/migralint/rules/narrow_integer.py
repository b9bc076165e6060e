"""The shared walk of prefer-bigint-over-int and prefer-bigint-over-smallint: every column type a
CREATE TABLE, ADD COLUMN or ALTER COLUMN TYPE declares, flagged when it is one of the rule's
narrow integer types, with the 64-bit type that replaces it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from migralint.findings import Finding
from migralint.linter.column_types import declared_types, type_span, type_text, with_type
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class NarrowIntegerRule(Rule):
    """Subclasses say which types (as the parser names them) and where they overflow."""

    _base_class: ClassVar[bool] = True
    nodes = ("CreateStmt", "AlterTableStmt")
    wider: ClassVar[dict[str, str]]  # the narrow type -> its 64-bit twin
    overflows_at: ClassVar[str]  # "2,147,483,647"

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        for declared in declared_types(statement):
            wider = self.wider.get(declared.builtin or "")
            if wider is None:
                continue
            better = wider + "[]" * len(declared.type_node.get("arrayBounds", []))
            yield ctx.finding(
                self,
                f'Column "{declared.column}" of "{declared.table}" is {type_text(ctx, declared)}: it '
                f"overflows at {self.overflows_at}, and widening it later rewrites the table.",
                help=f"Use {better}, which holds up to 9,223,372,036,854,775,807:\n{with_type(ctx, declared, better)}",
                span=type_span(ctx, declared),
            )
